"""Alembic's entry point: runs the migrations on the connection the caller passes in."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from alembic import context
from alembic.runtime.migration import MigrationContext, MigrationInfo

from studentres_desktop.persistence.revisions import VERSION_TABLE

config = context.config
changes: list[str] = config.attributes["changes"]


def _record(ctx: MigrationContext, step: MigrationInfo, heads: Collection[Any],
            run_args: Mapping[str, Any]) -> None:
    changes.append(f"applied migration {step.up_revision_id}")


context.configure(
    connection=config.attributes["connection"],
    version_table=VERSION_TABLE,
    on_version_apply=_record,
)
with context.begin_transaction():
    context.run_migrations()
