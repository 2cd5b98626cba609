"""Baseline: the schema as it was when migrations began (schema_meta version 1).

A frozen copy of the table definitions of that day, not an import of `tables.py`, so that later
changes there never change what this creates. It also adopts a database made before migrations:

- empty: every table, index and the search index are created;
- the original design (only `students_data` and `interest_resources` with their original
  columns, rows written by plain SQL): the missing tables, columns and indexes are added next to
  the old ones; nothing is dropped or rewritten, so every row stays;
- made by `init-db` or `db/schema.sql` before migrations: nothing is missing, the revision is
  only recorded.

Migrations only go forward: to go back, restore the backup taken before upgrading
(docs/deployment.md).
"""

from __future__ import annotations

from typing import Any

from alembic import context, op
from sqlalchemy import (
    Boolean,
    Column,
    Connection,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    insert,
    inspect,
    select,
    text,
)
from sqlalchemy.dialects import mysql
from sqlalchemy.schema import CreateColumn, CreateIndex, CreateTable, DefaultClause
from sqlalchemy.sql.elements import TextClause

from studentres_desktop.persistence.search_index import ensure_search_index

# An SQL construct, not a table definition: the NOCASE index key on SQLite.
from studentres_desktop.persistence.tables import TextSortKey

revision = "0001_baseline"
down_revision = None
branch_labels = None
depends_on = None

SCHEMA_VERSION = "1"
BINARY_COLLATION = "utf8mb4_bin"
TABLE_OPTIONS: dict[str, Any] = {
    "mysql_engine": "InnoDB",
    "mysql_charset": "utf8mb4",
    "mysql_collate": "utf8mb4_unicode_ci",
}

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s",
        "pk": "pk_%(table_name)s",
    }
)


def _key(length: int) -> String:
    return String(length).with_variant(
        mysql.VARCHAR(length, collation=BINARY_COLLATION), "mysql", "mariadb"
    )


def _long_text() -> Text:
    return Text().with_variant(mysql.MEDIUMTEXT(), "mysql", "mariadb")


def _blob() -> LargeBinary:
    return LargeBinary().with_variant(mysql.MEDIUMBLOB(), "mysql", "mariadb")


NOW = text("CURRENT_TIMESTAMP")


students_data = Table(
    "students_data",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(100), nullable=False),
    Column("email", _key(254), nullable=False),
    Column("password_hash", String(255), nullable=False),
    # The student's primary interest tag, so the original one-column query still answers.
    Column("interest", _key(64), nullable=True),
    Column("role", String(16), nullable=False, server_default="student"),
    Column("learning_goal", String(500), nullable=True),
    Column("created_at", DateTime, nullable=False, server_default=NOW),
    Index("uq_students_data_email", "email", unique=True),
    **TABLE_OPTIONS,
)

interests = Table(
    "interests",
    metadata,
    Column("tag", _key(64), primary_key=True),
    Column("label", String(100), nullable=False),
    Column("description", String(1000), nullable=False, server_default=""),
    Column("position", Integer, nullable=False, server_default="0"),
    **TABLE_OPTIONS,
)

student_interests = Table(
    "student_interests",
    metadata,
    Column(
        "student_id",
        Integer,
        ForeignKey("students_data.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column(
        "interest_tag",
        _key(64),
        ForeignKey("interests.tag", ondelete="CASCADE", onupdate="CASCADE"),
        primary_key=True,
    ),
    Column("is_primary", Boolean, nullable=False, server_default=text("0")),
    Index("ix_student_interests_interest_tag", "interest_tag"),
    **TABLE_OPTIONS,
)

interest_resources = Table(
    "interest_resources",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    # Original columns. Rows the app writes fill the cell of their kind with the title and
    # interest_tag with their first tag, so `SELECT * … WHERE interest_tag = ?` still answers.
    Column("interest_tag", _key(64), nullable=True),
    Column("workshop", Text, nullable=True),
    Column("training", Text, nullable=True),
    Column("event", Text, nullable=True),
    # Added columns. `kind IS NULL` marks a row written with the original columns only.
    Column("kind", String(16), nullable=True),
    Column("title", String(200), nullable=True),
    Column("description", _long_text(), nullable=True),
    Column("starts_at", DateTime, nullable=True),
    Column("ends_at", DateTime, nullable=True),
    Column("location", String(200), nullable=True),
    Column("url", String(2048), nullable=True),
    Column("capacity", Integer, nullable=True),
    Column("updated_at", DateTime, nullable=True),
    # Raised by every edit through the app (optimistic locking); plain-SQL rows start at 1.
    Column("version", Integer, nullable=False, server_default="1"),
    Index("ix_interest_resources_interest_tag", "interest_tag"),
    # Browsing walks this in order and stops after one page (see resource_queries).
    Index("ix_interest_resources_starts_at", "starts_at"),
    # Original-style rows (kind NULL) are a few among many: found here, not by a table scan.
    Index("ix_interest_resources_kind_interest_tag", "kind", "interest_tag"),
    **TABLE_OPTIONS,
)
# Sorting by title walks this; on SQLite it must be NOCASE, like the ORDER BY it serves.
Index("ix_interest_resources_title", TextSortKey(interest_resources.c.title))

resource_interests = Table(
    "resource_interests",
    metadata,
    Column(
        "resource_id",
        Integer,
        ForeignKey("interest_resources.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column(
        "interest_tag",
        _key(64),
        ForeignKey("interests.tag", ondelete="CASCADE", onupdate="CASCADE"),
        primary_key=True,
    ),
    Index("ix_resource_interests_interest_tag", "interest_tag", "resource_id"),
    **TABLE_OPTIONS,
)

login_throttle = Table(
    "login_throttle",
    metadata,
    # Keyed by the normalised email, known or not, so the throttle does not reveal which
    # addresses have accounts; never by workstation, which would lock out a whole lab.
    Column("email", _key(254), primary_key=True),
    Column("failures", Integer, nullable=False),
    # Microseconds on MySQL too: the server-side throttle waits exact delays (procedures.py).
    Column("last_failure_at", DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb"),
           nullable=False),
    **TABLE_OPTIONS,
)

resource_embeddings = Table(
    "resource_embeddings",
    metadata,
    Column("resource_id", Integer, ForeignKey("interest_resources.id", ondelete="CASCADE"),
           primary_key=True),
    Column("kind", String(16), primary_key=True),
    Column("model", _key(100), primary_key=True),
    Column("text_hash", String(64), nullable=False),
    Column("dimensions", Integer, nullable=False),
    Column("chunks", Integer, nullable=False),
    Column("vectors", _blob(), nullable=False),
    **TABLE_OPTIONS,
)

interest_embeddings = Table(
    "interest_embeddings",
    metadata,
    Column("interest_tag", _key(64), ForeignKey("interests.tag", ondelete="CASCADE",
                                                onupdate="CASCADE"), primary_key=True),
    Column("model", _key(100), primary_key=True),
    Column("text_hash", String(64), nullable=False),
    Column("dimensions", Integer, nullable=False),
    Column("vector", LargeBinary, nullable=False),
    **TABLE_OPTIONS,
)

schema_meta = Table(
    "schema_meta",
    metadata,
    Column("name", _key(64), primary_key=True),
    Column("value", String(255), nullable=False),
    **TABLE_OPTIONS,
)

# --- the student's plan and the advisor's desk ---------------------------------------------------

saved_resources = Table(
    "saved_resources",
    metadata,
    Column("student_id", Integer, ForeignKey("students_data.id", ondelete="CASCADE"),
           primary_key=True),
    # No foreign key to interest_resources: the entry outlives a deleted resource, as "removed".
    Column("resource_id", Integer, primary_key=True),
    Column("kind", String(16), primary_key=True),
    # The last known title and times, shown once the resource is gone.
    Column("title", String(200), nullable=False),
    Column("starts_at", DateTime, nullable=True),
    Column("ends_at", DateTime, nullable=True),
    Column("saved_at", DateTime, nullable=False),
    Column("removed_at", DateTime, nullable=True),
    Index("ix_saved_resources_resource_id_kind", "resource_id", "kind"),
    **TABLE_OPTIONS,
)

rsvps = Table(
    "rsvps",
    metadata,
    Column("resource_id", Integer, ForeignKey("interest_resources.id", ondelete="CASCADE"),
           primary_key=True),
    Column("kind", String(16), primary_key=True),
    Column("student_id", Integer, ForeignKey("students_data.id", ondelete="CASCADE"),
           primary_key=True),
    Column("status", String(16), nullable=False),  # going | waitlisted
    # Waitlist order; a position is the rank among the waitlisted, so leaving leaves no gap.
    Column("waitlist_seq", Integer, nullable=True),
    Column("created_at", DateTime, nullable=False),
    Index("ix_rsvps_student_id", "student_id"),
    Index("uq_rsvps_resource_id_kind_waitlist_seq", "resource_id", "kind", "waitlist_seq",
          unique=True),
    **TABLE_OPTIONS,
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("occurred_at", DateTime, nullable=False),  # UTC
    # No foreign key: the record outlives the account. NULL for studentres-admin.
    Column("advisor_id", Integer, nullable=True),
    Column("advisor_email", String(254), nullable=False),
    Column("action", String(32), nullable=False),
    Column("resource_id", Integer, nullable=True),
    Column("resource_kind", String(16), nullable=True),
    Column("resource_title", String(200), nullable=True),
    Column("before_values", _long_text(), nullable=True),  # JSON
    Column("after_values", _long_text(), nullable=True),  # JSON
    Column("detail", String(500), nullable=False),
    Index("ix_audit_log_occurred_at", "occurred_at"),
    Index("ix_audit_log_action_occurred_at", "action", "occurred_at"),
    Index("ix_audit_log_advisor_id_occurred_at", "advisor_id", "occurred_at"),
    Index("ix_audit_log_resource_id", "resource_id"),
    **TABLE_OPTIONS,
)


def upgrade() -> None:
    conn = op.get_bind()
    changes: list[str] = context.config.attributes["changes"]
    existing = set(inspect(conn).get_table_names())
    for table in metadata.sorted_tables:
        if table.name in existing:
            changes += _add_missing_columns(conn, table)
            changes += _binary_keys(conn, table)
            continue
        conn.execute(CreateTable(table))
        for index in table.indexes:
            conn.execute(CreateIndex(index))
        changes.append(f"created table {table.name}")
    changes += ensure_search_index(conn)
    meta = metadata.tables["schema_meta"]
    found = conn.execute(select(meta.c.value).where(meta.c.name == "schema_version")).first()
    if found is None:
        conn.execute(insert(meta).values(name="schema_version", value=SCHEMA_VERSION))


def _add_missing_columns(conn: Connection, table: Table) -> list[str]:
    """Columns and indexes a table from the original design lacks, added beside the old ones."""
    changes = []
    inspector = inspect(conn)
    present = {c["name"] for c in inspector.get_columns(table.name)}
    missing = [column for column in table.columns if column.name not in present]
    if conn.dialect.name == "sqlite" and any(map(_computed_default, missing)):
        # SQLite adds no column with a default like CURRENT_TIMESTAMP to a table with rows:
        # the table is rebuilt with the new columns and its rows copied over.
        with op.batch_alter_table(table.name, recreate="always") as batch:
            for column in missing:
                batch.add_column(column._copy())
    else:
        preparer = conn.dialect.identifier_preparer
        for column in missing:
            spec = str(CreateColumn(column).compile(dialect=conn.dialect))
            conn.exec_driver_sql(f"ALTER TABLE {preparer.format_table(table)} ADD COLUMN {spec}")
    changes += [f"added column {table.name}.{column.name}" for column in missing]
    inspector = inspect(conn)  # afresh: the table may have been rebuilt
    present_indexes = {i["name"] for i in inspector.get_indexes(table.name)}
    present_indexes |= {u["name"] for u in inspector.get_unique_constraints(table.name)}
    for index in table.indexes:
        if index.name not in present_indexes:
            conn.execute(CreateIndex(index))
            changes.append(f"added index {index.name}")
    return changes


# Original columns that hold emails and tags: compared byte for byte like the ones the app made
# (the login procedures' parameters cannot be compared with a unicode_ci column at all).
BINARY_KEYS = {"students_data": ("email", "interest"), "interest_resources": ("interest_tag",)}


def _binary_keys(conn: Connection, table: Table) -> list[str]:
    """On MySQL, give the original key columns the collation of the schema, keeping their type
    and nullability; a unique index stays unique (unicode_ci equality implies bin equality)."""
    if conn.dialect.name not in ("mysql", "mariadb") or table.name not in BINARY_KEYS:
        return []
    found = conn.execute(text(
        "SELECT COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE, COLLATION_NAME"
        " FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = :t"
    ), {"t": table.name}).all()
    changes = []
    for name, column_type, nullable, collation in found:
        if name not in BINARY_KEYS[table.name] or collation == BINARY_COLLATION:
            continue
        null = "NULL" if nullable == "YES" else "NOT NULL"
        conn.exec_driver_sql(
            f"ALTER TABLE {table.name} MODIFY `{name}` {column_type}"
            f" CHARACTER SET utf8mb4 COLLATE {BINARY_COLLATION} {null}")
        changes.append(f"changed column {table.name}.{name} to {BINARY_COLLATION}")
    return changes


def _computed_default(column: Column[Any]) -> bool:
    default = column.server_default
    return isinstance(default, DefaultClause) and isinstance(default.arg, TextClause)
