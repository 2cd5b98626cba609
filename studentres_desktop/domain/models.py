"""Plain domain types shared by every layer."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
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
    RELEVANCE = "relevance"  # best matches of the search text first; by date without one
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
    sort: SortOrder = SortOrder.RELEVANCE
    offset: int = 0
    limit: int = 50


@dataclass(frozen=True)
class ResourcePage:
    items: tuple[Resource, ...]
    offset: int
    limit: int
    has_more: bool


@dataclass(frozen=True)
class ResourceCount:
    """How many resources a filter matches: exact up to a cap, else "at least `total`"."""

    total: int
    exact: bool = True

    @property
    def label(self) -> str:
        """ "1 resource", "1,234 resources", "1,000+ resources"."""
        noun = "resource" if self.total == 1 and self.exact else "resources"
        return f"{self.total:,}{'' if self.exact else '+'} {noun}"


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
