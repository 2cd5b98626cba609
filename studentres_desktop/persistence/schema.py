"""Create, upgrade and check the schema.

`ensure_schema` is additive: it creates missing tables, and on a database from the original
design (only `students_data` and `interest_resources`, with their original columns) it adds the
new columns and indexes next to the old ones, and the search index (`search_index.py`) over
rows old and new. It never drops or rewrites anything.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, Table, insert, inspect, select, text, update
from sqlalchemy.engine.reflection import Inspector
from sqlalchemy.schema import CreateColumn, CreateIndex, CreateTable

from studentres_desktop.persistence import tables as t
from studentres_desktop.persistence.db_errors import translated_errors
from studentres_desktop.persistence.procedures import PROCEDURES
from studentres_desktop.persistence.search_index import ensure_search_index, search_index_problems

log = logging.getLogger(__name__)

# What workstation accounts on MySQL/MariaDB may not see (db/grants.sql); only the login
# procedures reach them.
PRIVATE_TABLES = frozenset({"login_throttle"})
PRIVATE_COLUMNS = frozenset({("students_data", "password_hash")})


@dataclass(frozen=True)
class SchemaReport:
    server: str
    version: int | None
    problems: tuple[str, ...]

    @property
    def current(self) -> bool:
        return not self.problems


def ensure_schema(engine: Engine) -> list[str]:
    """Bring the schema up to date; returns what was changed, in words."""
    changes: list[str] = []
    with translated_errors(), engine.begin() as conn:
        inspector = inspect(conn)
        existing = set(inspector.get_table_names())
        for table in t.metadata.sorted_tables:
            if table.name not in existing:
                conn.execute(CreateTable(table))
                for index in table.indexes:
                    conn.execute(CreateIndex(index))
                changes.append(f"created table {table.name}")
                continue
            changes += _add_missing_columns(conn, table, inspector)
        changes += ensure_search_index(conn)
        _write_version(conn)
        if _is_mysql(conn):
            changes += _install_procedures(conn)
    for change in changes:
        log.info("schema: %s", change)
    return changes


def _add_missing_columns(conn: Connection, table: Table, inspector: Inspector) -> list[str]:
    changes = []
    present = {c["name"] for c in inspector.get_columns(table.name)}
    preparer = conn.dialect.identifier_preparer
    for column in table.columns:
        if column.name in present:
            continue
        spec = str(CreateColumn(column).compile(dialect=conn.dialect))
        conn.exec_driver_sql(f"ALTER TABLE {preparer.format_table(table)} ADD COLUMN {spec}")
        changes.append(f"added column {table.name}.{column.name}")
    present_indexes = {i["name"] for i in inspector.get_indexes(table.name)}
    present_indexes |= {u["name"] for u in inspector.get_unique_constraints(table.name)}
    for index in table.indexes:
        if index.name not in present_indexes:
            conn.execute(CreateIndex(index))
            changes.append(f"added index {index.name}")
    return changes


def _is_mysql(conn: Connection) -> bool:
    return conn.dialect.name in ("mysql", "mariadb")


def installed_procedures(conn: Connection) -> dict[str, str | None]:
    """Name → body of the procedures in the current database. The body is None for an account
    that may run a procedure but not read it (a workstation account)."""
    rows = conn.execute(
        text(
            "SELECT ROUTINE_NAME AS name, ROUTINE_DEFINITION AS body"
            " FROM information_schema.ROUTINES"
            " WHERE ROUTINE_SCHEMA = DATABASE() AND ROUTINE_TYPE = 'PROCEDURE'"
        )
    ).all()
    return {str(row.name): None if row.body is None else str(row.body) for row in rows}


def _install_procedures(conn: Connection) -> list[str]:
    """Create the login procedures, or replace one whose body differs from this version's.

    Their DEFINER is the account running this (the owner): they run with its rights.
    """
    changes = []
    present = installed_procedures(conn)
    for procedure in PROCEDURES:
        if procedure.name in present:
            if present[procedure.name] == procedure.body:
                continue
            conn.exec_driver_sql(f"DROP PROCEDURE {procedure.name}")
            changes.append(f"replaced procedure {procedure.name}")
        else:
            changes.append(f"created procedure {procedure.name}")
        conn.exec_driver_sql(procedure.create_statement())
    return changes


def _write_version(conn: Connection) -> None:
    meta = t.schema_meta
    found = conn.execute(select(meta.c.value).where(meta.c.name == "schema_version")).first()
    if found is None:
        conn.execute(insert(meta).values(name="schema_version", value=str(t.SCHEMA_VERSION)))
    elif found.value != str(t.SCHEMA_VERSION):
        conn.execute(
            update(meta).where(meta.c.name == "schema_version").values(value=str(t.SCHEMA_VERSION))
        )


def inspect_schema(engine: Engine) -> SchemaReport:
    """Connect, and list what differs from the schema this version of the app expects."""
    with translated_errors(), engine.connect() as conn:
        server = server_version(conn)
        columns = _visible_columns(conn)
        existing = set(columns)
        procedures = installed_procedures(conn) if _is_mysql(conn) else {}
        # A workstation account sees neither the hashes nor the throttle; the procedures that
        # hold them, which it may run, stand in for them.
        hidden_ok = bool(procedures) and all(p.name in procedures for p in PROCEDURES)
        problems: list[str] = []
        for table in t.metadata.sorted_tables:
            if table.name not in existing:
                if not (hidden_ok and table.name in PRIVATE_TABLES):
                    problems.append(f"table {table.name} is missing")
                continue
            present = columns[table.name]
            problems += [
                f"column {table.name}.{c.name} is missing" for c in table.columns
                if c.name not in present
                and not (hidden_ok and (table.name, c.name) in PRIVATE_COLUMNS)
            ]
        if _is_mysql(conn):
            problems += [
                f"procedure {p.name} is missing" for p in PROCEDURES if p.name not in procedures
            ]
        if "interest_resources" in existing:
            problems += search_index_problems(conn)
        version = None
        if "schema_meta" in existing:
            found = conn.execute(
                select(t.schema_meta.c.value).where(t.schema_meta.c.name == "schema_version")
            ).scalar()
            version = int(found) if found and found.isdigit() else None
            if version is not None and version > t.SCHEMA_VERSION:
                problems.append(
                    f"schema version {version} is newer than this app ({t.SCHEMA_VERSION})"
                )
    return SchemaReport(server=server, version=version, problems=tuple(problems))


def _visible_columns(conn: Connection) -> dict[str, set[str]]:
    """Table → column names this account can see. On MySQL from information_schema, which,
    unlike SHOW CREATE TABLE, also answers for a table the account may read only some columns of."""
    if not _is_mysql(conn):
        inspector = inspect(conn)
        return {
            table: {c["name"] for c in inspector.get_columns(table)}
            for table in inspector.get_table_names()
        }
    rows = conn.execute(
        text(
            "SELECT TABLE_NAME AS tbl, COLUMN_NAME AS col FROM information_schema.COLUMNS"
            " WHERE TABLE_SCHEMA = DATABASE()"
        )
    ).all()
    found: dict[str, set[str]] = {}
    for row in rows:
        found.setdefault(str(row.tbl), set()).add(str(row.col))
    return found


def server_version(conn: Connection) -> str:
    if conn.dialect.name == "sqlite":
        return f"SQLite {conn.exec_driver_sql('select sqlite_version()').scalar()}"
    return str(conn.exec_driver_sql("select version()").scalar())
