"""Table definitions: the one source of the schema, kept equal to db/schema.sql by a test.

`students_data` and `interest_resources` keep the columns and meaning of the original design;
everything else is added next to them. Added columns are nullable or have a server default, so
rows written by plain SQL that fill only the original columns stay valid.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    ColumnElement,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    text,
)
from sqlalchemy.dialects import mysql
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.visitors import InternalTraversal

SCHEMA_VERSION = 1

# Emails and tags are normalised by the services, so they compare byte for byte; the default
# unicode_ci collation would treat "josé@…" and "jose@…" as the same address.
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
    """TEXT on SQLite, MEDIUMTEXT on MySQL (TEXT caps at 64 KiB there)."""
    return Text().with_variant(mysql.MEDIUMTEXT(), "mysql", "mariadb")


def _blob() -> LargeBinary:
    return LargeBinary().with_variant(mysql.MEDIUMBLOB(), "mysql", "mariadb")


NOW = text("CURRENT_TIMESTAMP")


class TextSortKey(ColumnElement[str]):
    """Case-insensitive ordering: MySQL's unicode_ci collation already is; SQLite needs NOCASE.

    Usable in ORDER BY and as an index key, so an index can serve the ordering on both.
    """

    inherit_cache = True
    # SQLAlchemy declares this on instances; it is what makes the statement cache see `column`.
    _traverse_internals = [("column", InternalTraversal.dp_clauseelement)]  # noqa: RUF012

    def __init__(self, column: ColumnElement[Any]) -> None:
        self.column = column
        self.type = column.type


@compiles(TextSortKey)
def _text_sort_key_default(element: TextSortKey, compiler: SQLCompiler, **kw: Any) -> str:
    return str(compiler.process(element.column, **kw))


@compiles(TextSortKey, "sqlite")
def _text_sort_key_sqlite(element: TextSortKey, compiler: SQLCompiler, **kw: Any) -> str:
    return f"{compiler.process(element.column, **kw)} COLLATE NOCASE"


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

# --- running transactions again safely (docs/cluster.md) ------------------------------------------

# One row per RSVP-changing resource; every RSVP change bumps it, so two changes on different
# Galera nodes write the same row and certification lets only one of them commit.
resource_locks = Table(
    "resource_locks",
    metadata,
    Column("resource_id", Integer, ForeignKey("interest_resources.id", ondelete="CASCADE"),
           primary_key=True),
    Column("changes", Integer, nullable=False),
    **TABLE_OPTIONS,
)

# The id of every committed write, in its own transaction: a write rerun after a lost COMMIT
# acknowledgement finds it and does not apply twice. Old rows are pruned.
applied_operations = Table(
    "applied_operations",
    metadata,
    Column("op_id", _key(32), primary_key=True),
    Column("applied_at", DateTime, nullable=False),  # UTC
    Index("ix_applied_operations_applied_at", "applied_at"),
    **TABLE_OPTIONS,
)
