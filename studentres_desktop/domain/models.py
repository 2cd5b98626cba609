"""Plain domain types shared by every layer."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum


class Role(StrEnum):
    STUDENT = "student"
    ADVISOR = "advisor"


class ResourceKind(StrEnum):
    WORKSHOP = "workshop"
    TRAINING = "training"
    EVENT = "event"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class SortOrder(StrEnum):
    DATE = "date"
    TITLE = "title"


@dataclass(frozen=True)
class Interest:
    tag: str
    label: str
    description: str = ""


@dataclass(frozen=True)
class Student:
    id: int
    name: str
    email: str
    role: Role = Role.STUDENT
    interests: tuple[str, ...] = ()
    primary_interest: str | None = None
    learning_goal: str = ""


@dataclass(frozen=True)
class Resource:
    """One workshop, training or event.

    `row_id` is the `interest_resources.id` it comes from. A row written by plain SQL with only
    the original columns may hold up to three items (its workshop, training and event cells), so
    an item is identified by `key` = (row_id, kind), not by the row id alone.
    """

    row_id: int
    kind: ResourceKind
    title: str
    description: str = ""
    interest_tags: tuple[str, ...] = ()
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    location: str = ""
    url: str = ""
    capacity: int | None = None
    legacy: bool = False

    @property
    def key(self) -> str:
        return f"{self.row_id}:{self.kind.value}"


@dataclass(frozen=True)
class ResourceDraft:
    """What an advisor or an import supplies to create or replace a resource."""

    kind: ResourceKind
    title: str
    description: str = ""
    interest_tags: tuple[str, ...] = ()
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    location: str = ""
    url: str = ""
    capacity: int | None = None


@dataclass(frozen=True)
class ResourceFilter:
    """A browse request. `interests=None` means the whole catalogue, untagged items included."""

    interests: tuple[str, ...] | None = None
    kinds: frozenset[ResourceKind] = field(default_factory=frozenset)
    text: str = ""
    sort: SortOrder = SortOrder.DATE
    offset: int = 0
    limit: int = 50


@dataclass(frozen=True)
class ResourcePage:
    items: tuple[Resource, ...]
    offset: int
    limit: int
    has_more: bool


@dataclass(frozen=True)
class Principal:
    """Who a valid token speaks for."""

    student_id: int
    role: Role
    token_id: str
    expires_at: datetime


@dataclass(frozen=True)
class IssuedToken:
    token: str = field(repr=False)
    principal: Principal


@dataclass(frozen=True)
class ThrottlePolicy:
    """After `free_failures` failed logins in a row, each try waits base·2ⁿ seconds, up to a cap.

    The app applies it on SQLite; on MySQL/MariaDB the login procedures apply the same numbers
    on the server (persistence/procedures.py).
    """

    free_failures: int = 5
    base_delay: timedelta = timedelta(seconds=2)
    max_delay: timedelta = timedelta(minutes=5)

    def delay_after(self, failures: int) -> timedelta:
        if failures < self.free_failures:
            return timedelta(0)
        steps = min(failures - self.free_failures, 20)
        return min(self.base_delay * (1 << steps), self.max_delay)

    def retry_after(self, failures: int, last_failure: datetime, now: datetime) -> int:
        """Whole seconds to wait before the next try (rounded up); 0 when it may go ahead."""
        remaining = (last_failure + self.delay_after(failures) - now).total_seconds()
        return int(remaining + 0.999) if remaining > 0 else 0
