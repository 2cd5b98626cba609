"""Back to the prototype's design: every table the app added goes, whatever their order."""

from __future__ import annotations

from sqlalchemy import Connection, MetaData


def drop_every_table(conn: Connection) -> None:
    """Drop all tables of the connection's database, children before the parents they name."""
    existing = MetaData()
    existing.reflect(conn)
    existing.drop_all(conn)
