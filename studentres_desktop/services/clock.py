"""The time source services use; tests inject their own instead of sleeping."""

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """Naive UTC, the form the database columns store."""
    return datetime.now(UTC).replace(tzinfo=None)
