"""The schema revisions this version of the app knows, oldest first.

A plain constant, so that checking a database at start-up needs no Alembic: the app compares
`alembic_version` with `HEAD`. tests/integration/test_migrations.py keeps this list equal to the
scripts in `migrations/versions/`; a new migration adds its revision id here.
"""

from __future__ import annotations

REVISIONS: tuple[str, ...] = (
    "0001_baseline",
    "0002_microsecond_times",
    "0003_rerun_safety",
)
HEAD = REVISIONS[-1]

# The table Alembic keeps the applied revision in.
VERSION_TABLE = "alembic_version"
