"""Plain domain types shared by every layer."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from studentres_desktop.domain.errors import ImportProblem, ValidationError


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
    # Raised by every edit; an edit based on an older version is refused (EditConflict).
    version: int = 1

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
    # A search by relevance that matched too many items to rank them all quickly: newest first.
    newest_first: bool = False


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


# --- the student's plan -------------------------------------------------------------------------

EDITABLE_FIELDS = (
    "kind", "title", "description", "interest_tags", "starts_at", "ends_at", "location", "url",
    "capacity",
)


def parse_resource_key(key: str) -> tuple[int, ResourceKind]:
    """`row_id:kind` (as `Resource.key` writes it) as its two parts, or a ValidationError."""
    row, _, kind = str(key).strip().partition(":")
    try:
        row_id = int(row)
        parsed = ResourceKind(kind.strip().lower())
    except ValueError:
        raise ValidationError(
            "resource", f"'{str(key)[:40]}' is not a resource key such as 12:workshop."
        ) from None
    if row_id < 1:
        raise ValidationError("resource", f"'{str(key)[:40]}' is not a resource key.")
    return row_id, parsed


def resource_key(row_id: int, kind: ResourceKind) -> str:
    return f"{row_id}:{kind.value}"


@dataclass(frozen=True)
class SavedEntry:
    """A resource a student saved. `resource` is None once it was removed from the catalogue;
    the title and times then come from what was saved (or last known)."""

    key: str
    title: str
    starts_at: datetime | None
    ends_at: datetime | None
    saved_at: datetime
    resource: Resource | None
    past: bool = False

    @property
    def removed(self) -> bool:
        return self.resource is None


class RsvpState(StrEnum):
    GOING = "going"
    WAITLISTED = "waitlisted"
    FULL = "full"  # not signed up; every place is taken (an RSVP joins the waitlist)
    OPEN = "open"  # not signed up; places are free
    NO_CAPACITY = "no_capacity"  # the resource takes no RSVPs


@dataclass(frozen=True)
class RsvpStatus:
    """One student's standing for one resource, with the numbers behind it."""

    key: str
    state: RsvpState
    capacity: int | None = None
    going: int = 0
    waitlisted: int = 0
    position: int | None = None  # on the waitlist, from 1

    @property
    def places_left(self) -> int:
        return max(0, (self.capacity or 0) - self.going)

    @property
    def label(self) -> str:
        """"Going", "Waitlisted (3)", "Full", "3 places left" or ""."""
        if self.state is RsvpState.GOING:
            return "Going"
        if self.state is RsvpState.WAITLISTED:
            return f"Waitlisted ({self.position})"
        if self.state is RsvpState.FULL:
            return "Full"
        if self.state is RsvpState.OPEN:
            left = self.places_left
            return f"{left} place{'s' if left != 1 else ''} left"
        return ""


@dataclass(frozen=True)
class RsvpEntry:
    resource: Resource
    status: RsvpStatus


@dataclass(frozen=True)
class CalendarFile:
    """An .ics file for a student's calendar."""

    content: bytes  # UTF-8
    events: int
    skipped: tuple[str, ...]  # titles left out: undated or removed


@dataclass(frozen=True)
class DeleteImpact:
    """Who a deletion touches: the UI asks again when `students` is not zero."""

    going: int
    waitlisted: int
    saved: int
    students: int  # distinct students with an RSVP or a saved entry


# --- the advisor's desk -------------------------------------------------------------------------


class AuditAction(StrEnum):
    RESOURCE_CREATED = "resource.create"
    RESOURCE_UPDATED = "resource.update"
    RESOURCE_DELETED = "resource.delete"
    CATALOGUE_IMPORTED = "catalogue.import"
    RSVP_ADDED = "rsvp.add"
    RSVP_CANCELLED = "rsvp.cancel"


@dataclass(frozen=True)
class AuditEntry:
    id: int
    occurred_at: datetime  # UTC
    advisor_id: int | None  # None for studentres-admin
    advisor_email: str
    action: AuditAction
    resource_key: str | None
    resource_title: str
    before: Mapping[str, Any] | None
    after: Mapping[str, Any] | None
    detail: str


@dataclass(frozen=True)
class AuditFilter:
    action: AuditAction | None = None
    advisor: str = ""  # part of the advisor's email
    resource_id: int | None = None
    since: datetime | None = None  # UTC, inclusive
    until: datetime | None = None  # UTC, exclusive
    limit: int = 100
    offset: int = 0


@dataclass(frozen=True)
class Attendee:
    student_id: int
    name: str
    email: str
    state: RsvpState
    since: datetime
    position: int | None = None


@dataclass(frozen=True)
class Attendance:
    resource: Resource
    going: tuple[Attendee, ...]
    waitlisted: tuple[Attendee, ...]


@dataclass(frozen=True)
class StudentSummary:
    id: int
    name: str
    email: str
    role: Role


@dataclass(frozen=True)
class Suggestion:
    resource: Resource
    reason: str


@dataclass(frozen=True)
class StudentOverview:
    """What an advisor sees of a student at the desk: read-only, never any password data."""

    student: Student
    interests: tuple[Interest, ...]
    saved: tuple[SavedEntry, ...]
    rsvps: tuple[RsvpEntry, ...]
    recommended: tuple[Suggestion, ...]
    recommendation_note: str = ""


@dataclass(frozen=True)
class PreviewRow:
    """One CSV record as read: its cells, the draft when the row is good, and its problems."""

    line: int
    cells: Mapping[str, str]
    draft: ResourceDraft | None
    problems: tuple[ImportProblem, ...]


@dataclass(frozen=True)
class ImportPreview:
    rows: tuple[PreviewRow, ...]
    problems: tuple[ImportProblem, ...]  # every problem, file-level ones included

    @property
    def importable(self) -> bool:
        return not self.problems and bool(self.rows)

    @property
    def drafts(self) -> tuple[ResourceDraft, ...]:
        return tuple(row.draft for row in self.rows if row.draft is not None)


@dataclass(frozen=True)
class Recommendation:
    """One ranked resource and, in words, why it was chosen."""

    resource: Resource
    score: float
    reason: str


@dataclass(frozen=True)
class Recommendations:
    engine: str
    engine_label: str
    items: tuple[Recommendation, ...]
    note: str = ""


@dataclass(frozen=True)
class EngineStatus:
    """Which ranking engine answers, named for people, with a note when it is a fallback."""

    engine: str
    label: str
    note: str = ""
