"""Create, upgrade and check the schema.

The tables go through the Alembic migrations in `migrations/` (the first of which also adopts a
database from before migrations: empty, the original design, or made by an older init-db); the
search index and the login procedures are then checked and repaired on every run, like code.
Nothing is ever dropped or rewritten. Checking needs no Alembic: `alembic_version` is compared
with `revisions.HEAD`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, insert, inspect, select, text, update
from sqlalchemy import exc as sa_exc

from studentres_desktop.domain.errors import (
    SchemaChangeDenied,
    SchemaNotReady,
    SchemaTooNew,
    SchemaTooOld,
)
from studentres_desktop.persistence import tables as t
from studentres_desktop.persistence.db_errors import DENIED_ERRNOS, mysql_errno, translated_errors
from studentres_desktop.persistence.procedures import PROCEDURES
from studentres_desktop.persistence.revisions import HEAD, REVISIONS, VERSION_TABLE
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
    revision: str | None = None  # the applied migration; None before migrations
    expected: str = HEAD  # the one this version of the app needs

    @property
    def current(self) -> bool:
        return not self.problems

    @property
    def too_new(self) -> bool:
        """Upgraded by a newer version of the app: a revision this one does not know."""
        return self.revision is not None and self.revision not in REVISIONS

    @property
    def too_old(self) -> bool:
        return not self.too_new and self.revision != self.expected

    def raise_unless_current(self) -> None:
        """SchemaTooNew, SchemaTooOld or SchemaNotReady, each saying what IT should do."""
        if self.too_new:
            raise SchemaTooNew(str(self.revision), self.expected)
        if self.revision is None and self.version is None and self.problems:
            # Never installed (or only the original two tables): init-db sets it all up.
            raise SchemaNotReady("; ".join(self.problems[:3]))
        if self.too_old:
            raise SchemaTooOld(self.revision, self.expected)
        if self.problems:
            raise SchemaNotReady("; ".join(self.problems[:3]))


def ensure_schema(engine: Engine) -> list[str]:
    """Migrate the schema to this version's newest revision and repair the search index and the
    login procedures; returns what was changed, in words. Safe to run twice."""
    with translated_errors(), engine.begin() as conn:
        revision = applied_revision(conn)
        if revision is not None and revision not in REVISIONS:
            raise SchemaTooNew(revision, HEAD)
        changes: list[str] = []
        if revision != HEAD:
            # Imported here: starting the app on a current database needs no Alembic.
            from studentres_desktop.persistence.migrations import upgrade_to_head

            changes += _denied_as_refusal(lambda: upgrade_to_head(conn))
        changes += ensure_search_index(conn)
        _write_version(conn)
        if _is_mysql(conn):
            changes += _denied_as_refusal(lambda: _install_procedures(conn))
    for change in changes:
        log.info("schema: %s", change)
    return changes


def _denied_as_refusal(step: Callable[[], list[str]]) -> list[str]:
    """Run a schema change; an account without DDL rights gets SchemaChangeDenied."""
    try:
        return step()
    except sa_exc.DBAPIError as error:
        if mysql_errno(error) in DENIED_ERRNOS:
            log.warning("schema change refused to this account: %s", error.orig)
            raise SchemaChangeDenied() from None
        raise


def applied_revision(conn: Connection) -> str | None:
    """The revision in `alembic_version`, or None when there is none (before migrations)."""
    if VERSION_TABLE not in inspect(conn).get_table_names():
        return None
    return _read_revision(conn)


def _read_revision(conn: Connection) -> str | None:
    found = conn.exec_driver_sql(f"SELECT version_num FROM {VERSION_TABLE}").scalars().all()
    return str(found[0]) if len(found) == 1 else None


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
        revision = _read_revision(conn) if VERSION_TABLE in existing else None
        if revision is not None and revision not in REVISIONS:
            problems.insert(0, f"schema revision {revision} is newer than this app knows ({HEAD})")
        elif revision != HEAD:
            problems.insert(
                0, f"schema revision {revision or 'none'} is older than this app needs ({HEAD})"
            )
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
    return SchemaReport(server=server, version=version, problems=tuple(problems),
                        revision=revision)


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
