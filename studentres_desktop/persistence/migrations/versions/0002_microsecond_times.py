"""Microsecond times on MySQL/MariaDB where the order of events is read back from them.

A plain DATETIME there keeps whole seconds (SQLite keeps the microseconds), so two saves, two
RSVPs or two audited edits within one second came back in no defined order: the Saved tab and
the list of who is going could change order between reloads. DATETIME(6) keeps the order they
happened in. Values already stored keep their whole seconds. Nothing changes on SQLite.
"""

from __future__ import annotations

from alembic import context, op
from sqlalchemy.dialects import mysql

revision = "0002_microsecond_times"
down_revision = "0001_baseline"
branch_labels = None
depends_on = None

# (table, column): all NOT NULL.
COLUMNS = (
    ("saved_resources", "saved_at"),
    ("rsvps", "created_at"),
    ("audit_log", "occurred_at"),
)


def upgrade() -> None:
    if op.get_bind().dialect.name not in ("mysql", "mariadb"):
        return
    changes: list[str] = context.config.attributes["changes"]
    for table, column in COLUMNS:
        op.alter_column(table, column, type_=mysql.DATETIME(fsp=6),
                        existing_type=mysql.DATETIME(), existing_nullable=False)
        changes.append(f"changed column {table}.{column} to DATETIME(6)")
