"""Create, upgrade and check the schema.

`ensure_schema` is additive: it creates missing tables, and on a database from the original
design (only `students_data` and `interest_resources`, with their original columns) it adds the
new columns and indexes next to the old ones, and the search index (`search_index.py`) over
rows old and new. It never drops or rewrites anything.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, Table, insert, inspect, select, update
from sqlalchemy.engine.reflection import Inspector
from sqlalchemy.schema import CreateColumn, CreateIndex, CreateTable

from studentres_desktop.persistence import tables as t
from studentres_desktop.persistence.db_errors import translated_errors
from studentres_desktop.persistence.search_index import ensure_search_index, search_index_problems

log = logging.getLogger(__name__)


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
        inspector = inspect(conn)
        existing = set(inspector.get_table_names())
        problems: list[str] = []
        for table in t.metadata.sorted_tables:
            if table.name not in existing:
                problems.append(f"table {table.name} is missing")
                continue
            present = {c["name"] for c in inspector.get_columns(table.name)}
            problems += [
                f"column {table.name}.{c.name} is missing" for c in table.columns
                if c.name not in present
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


def server_version(conn: Connection) -> str:
    if conn.dialect.name == "sqlite":
        return f"SQLite {conn.exec_driver_sql('select sqlite_version()').scalar()}"
    return str(conn.exec_driver_sql("select version()").scalar())
