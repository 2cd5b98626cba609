"""Two tables that make a write safe to run again, on one server or a Galera cluster.

- `resource_locks`: one row per resource whose RSVPs change; every RSVP change bumps it, so two
  changes made on different Galera nodes write the same row and certification lets one commit
  (SELECT … FOR UPDATE alone does not lock across nodes);
- `applied_operations`: the id of every committed write, stored in its own transaction, so a
  write run again after a lost COMMIT acknowledgement finds its id and is not applied twice.

The login procedures changed with them (a login no longer takes a locking read of a missing
throttle row); `upgrade-db` replaces their bodies after the migrations, as on every run.
"""

from __future__ import annotations

from typing import Any

from alembic import context, op
from sqlalchemy import (
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    PrimaryKeyConstraint,
    String,
    inspect,
)
from sqlalchemy.dialects import mysql

revision = "0003_rerun_safety"
down_revision = "0002_microsecond_times"
branch_labels = None
depends_on = None

TABLE_OPTIONS: dict[str, Any] = {
    "mysql_engine": "InnoDB",
    "mysql_charset": "utf8mb4",
    "mysql_collate": "utf8mb4_unicode_ci",
}


def upgrade() -> None:
    changes: list[str] = context.config.attributes["changes"]
    existing = set(inspect(op.get_bind()).get_table_names())
    if "resource_locks" not in existing:
        op.create_table(
            "resource_locks",
            Column("resource_id", Integer,
                   ForeignKey("interest_resources.id", ondelete="CASCADE",
                              name="fk_resource_locks_resource_id"),
                   nullable=False),
            Column("changes", Integer, nullable=False),
            PrimaryKeyConstraint("resource_id", name="pk_resource_locks"),
            **TABLE_OPTIONS,
        )
        changes.append("created table resource_locks")
    if "applied_operations" not in existing:
        op.create_table(
            "applied_operations",
            Column("op_id", String(32).with_variant(
                mysql.VARCHAR(32, collation="utf8mb4_bin"), "mysql", "mariadb"),
                nullable=False),
            Column("applied_at", DateTime, nullable=False),
            PrimaryKeyConstraint("op_id", name="pk_applied_operations"),
            Index("ix_applied_operations_applied_at", "applied_at"),
            **TABLE_OPTIONS,
        )
        changes.append("created table applied_operations")
