"""Letting time pass for the login throttle, on either backend."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text


def let_time_pass(services: Any, clock: Any, seconds: float) -> None:
    """The fake clock drives the throttle on SQLite. On MySQL/MariaDB the server applies it with
    its own clock, which nothing outside can move: there the recorded failures move back."""
    clock.advance(seconds=seconds)
    if services.engine.dialect.name != "sqlite":
        with services.engine.begin() as conn:
            conn.execute(
                text("UPDATE login_throttle SET last_failure_at ="
                     " last_failure_at - INTERVAL :s SECOND"),
                {"s": seconds},
            )
