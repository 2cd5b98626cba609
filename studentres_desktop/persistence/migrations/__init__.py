"""Schema migrations with Alembic, configured in code: no alembic.ini is needed at run time.

`env.py` and `versions/` are read from this folder as files (the bundle ships them as data).
Alembic is imported only when migrating, never to check a database (see `revisions.py`).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection

if TYPE_CHECKING:
    from alembic.config import Config

SCRIPTS = Path(__file__).resolve().parent


def alembic_config(conn: Connection | None = None, changes: list[str] | None = None) -> Config:
    """Alembic's configuration for our scripts; `changes` collects what the migrations did."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(SCRIPTS))
    config.attributes["connection"] = conn
    config.attributes["changes"] = changes if changes is not None else []
    return config


def upgrade_to_head(conn: Connection) -> list[str]:
    """Apply every migration the database lacks, in `conn`'s transaction; what changed, in words."""
    from alembic import command

    changes: list[str] = []
    command.upgrade(alembic_config(conn, changes), "head")
    return changes


def script_revisions() -> list[str]:
    """The revision ids of the scripts in `versions/`, oldest first."""
    from alembic.script import ScriptDirectory

    scripts = ScriptDirectory.from_config(alembic_config())
    return [script.revision for script in reversed(list(scripts.walk_revisions()))]
