"""Finding resources for a student, and keeping the catalogue current."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence

from studentres_desktop.domain.errors import EditConflict, NotFound, ValidationError
from studentres_desktop.domain.models import (
    EDITABLE_FIELDS,
    AuditAction,
    DeleteImpact,
    Resource,
    ResourceCount,
    ResourceDraft,
    ResourceFilter,
    ResourceKind,
    ResourcePage,
    Role,
)
from studentres_desktop.persistence.uow import (
    UnitOfWork,
    UnitOfWorkFactory,
    read_with_retry,
    run_write,
)
from studentres_desktop.services import audit
from studentres_desktop.services.auth import AuthService
from studentres_desktop.services.clock import Clock, utc_now
from studentres_desktop.services.plan import fill_places
from studentres_desktop.services.validation import (
    DESCRIPTION_MAX,
    LOCATION_MAX,
    TITLE_MAX,
    check_capacity,
    check_kind,
    check_period,
    check_search,
    check_tag,
    check_text,
    check_url,
)

MAX_PAGE = 500
# Above this many matches a count says "1,000+": counting every match of a broad filter at
# 100,000 resources takes tens of milliseconds, stopping after the cap a few.
COUNT_CAP = 1000
# Far beyond any catalogue, and small enough that offset + page stays a 32-bit integer in SQL.
MAX_OFFSET = 2**31 - 1 - MAX_PAGE


def check_filter(flt: ResourceFilter) -> ResourceFilter:
    """The filter with its search text trimmed, or a ValidationError naming the bad part."""
    if flt.limit < 1 or flt.limit > MAX_PAGE:
        raise ValidationError("limit", f"must be between 1 and {MAX_PAGE}.")
    if flt.offset < 0:
        raise ValidationError("offset", "must not be negative.")
    if flt.offset > MAX_OFFSET:
        raise ValidationError("offset", f"must be at most {MAX_OFFSET}.")
    interests = None
    if flt.interests is not None:
        interests = tuple(dict.fromkeys(check_tag(tag) for tag in flt.interests))
    kinds = frozenset(check_kind(kind) for kind in flt.kinds)
    return dataclasses.replace(
        flt, interests=interests, kinds=kinds, text=check_search(flt.text)
    )


def check_draft(draft: ResourceDraft) -> ResourceDraft:
    """A resource as given, or a ValidationError naming the first bad field."""
    check_period(draft.starts_at, draft.ends_at)
    return ResourceDraft(
        kind=check_kind(draft.kind),
        title=check_text("title", draft.title, max_length=TITLE_MAX),
        description=check_text(
            "description", draft.description, max_length=DESCRIPTION_MAX, required=False,
            multiline=True,
        ),
        interest_tags=tuple(
            dict.fromkeys(check_tag(tag, "interest_tags") for tag in draft.interest_tags)
        ),
        starts_at=draft.starts_at,
        ends_at=draft.ends_at,
        location=check_text("location", draft.location, max_length=LOCATION_MAX, required=False),
        url=check_url(draft.url),
        capacity=check_capacity(draft.capacity),
    )


def require_known_tags(uow: UnitOfWork, tags: Sequence[str], field: str = "interest_tags") -> None:
    unknown = set(tags) - uow.interests.existing(tags)
    if unknown:
        raise ValidationError(
            field,
            f"unknown interest {', '.join(repr(t) for t in sorted(unknown))}; "
            "add it first with 'studentres-admin add-interest'.",
        )


class ResourceService:
    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        auth: AuthService,
        clock: Clock = utc_now,
        on_catalogue_changed: Callable[[], None] = lambda: None,
    ) -> None:
        self._uow = uow_factory
        self._auth = auth
        self._clock = clock
        self._changed = on_catalogue_changed

    # --- students -------------------------------------------------------------------------------

    def for_student(self, token: str, flt: ResourceFilter | None = None) -> ResourcePage:
        """Resources matching the student's interests, narrowed by the filter.

        `flt.interests` narrows to some of the student's interests; None means all of them.
        """
        flt = check_filter(flt or ResourceFilter())
        student_id = self._auth.authenticate(token).student_id

        def read(uow: UnitOfWork) -> tuple[list[Resource], bool]:
            # The student's interests and the page in one unit of work: one connection checkout.
            return uow.resources.page(self._scoped(uow, student_id, flt))

        items, has_more = read_with_retry(self._uow, read)
        return ResourcePage(tuple(items), flt.offset, flt.limit, has_more)

    def browse(self, token: str, flt: ResourceFilter | None = None) -> ResourcePage:
        """Any part of the catalogue; `flt.interests=None` includes untagged resources."""
        self._auth.authenticate(token)
        return self._page(check_filter(flt or ResourceFilter()))

    def count(self, token: str, flt: ResourceFilter, *, for_student: bool = True) -> int:
        """How many resources the filter matches in all, exactly (see `count_capped`)."""
        flt = check_filter(flt)
        student_id = self._auth.authenticate(token).student_id

        def read(uow: UnitOfWork) -> int:
            return uow.resources.count(self._scoped(uow, student_id, flt) if for_student else flt)

        return read_with_retry(self._uow, read)

    def count_capped(
        self, token: str, flt: ResourceFilter, *, for_student: bool = True, cap: int = COUNT_CAP,
    ) -> ResourceCount:
        """How many resources the filter matches, exact up to `cap`, else "cap+": cheap enough
        for a "N resources" label after every change of filter. Call it after the page."""
        if cap < 1:
            raise ValidationError("cap", "must be at least 1.")
        flt = check_filter(flt)
        student_id = self._auth.authenticate(token).student_id

        def read(uow: UnitOfWork) -> ResourceCount:
            scoped = self._scoped(uow, student_id, flt) if for_student else flt
            return uow.resources.count_up_to(scoped, cap)

        return read_with_retry(self._uow, read)

    def get(self, token: str, row_id: int, kind: ResourceKind) -> Resource:
        self._auth.authenticate(token)
        found = read_with_retry(self._uow, lambda uow: uow.resources.get(row_id, kind))
        if found is None:
            raise NotFound("This resource no longer exists.")
        return found

    @staticmethod
    def _scoped(uow: UnitOfWork, student_id: int, flt: ResourceFilter) -> ResourceFilter:
        """The filter narrowed to the student's interests (all of them when it names none)."""
        mine = uow.students.interest_tags(student_id)
        if mine is None:
            raise NotFound("This account no longer exists.")
        wanted = mine if flt.interests is None else tuple(t for t in flt.interests if t in mine)
        return dataclasses.replace(flt, interests=wanted)

    def _page(self, flt: ResourceFilter) -> ResourcePage:
        items, has_more = read_with_retry(self._uow, lambda uow: uow.resources.page(flt))
        return ResourcePage(tuple(items), flt.offset, flt.limit, has_more)

    # --- advisors -------------------------------------------------------------------------------

    def create(self, token: str, draft: ResourceDraft) -> Resource:
        principal = self._auth.authenticate(token, Role.ADVISOR)
        draft = check_draft(draft)
        def write(uow: UnitOfWork) -> Resource:
            require_known_tags(uow, draft.interest_tags)
            row_id = uow.resources.add(draft, self._clock())
            created = uow.resources.get(row_id, draft.kind)
            assert created is not None
            audit.record(uow, audit.actor_of(uow, principal), AuditAction.RESOURCE_CREATED,
                         self._clock(), resource=created, after=audit.resource_values(created))
            return created

        created = run_write(self._uow, write)
        self._changed()
        return created

    def update(
        self,
        token: str,
        row_id: int,
        kind: ResourceKind,
        draft: ResourceDraft,
        *,
        expected: Resource | None = None,
    ) -> Resource:
        """Replace one resource. An item of an original-style row moves to a row of its own.

        `expected` is the resource as the advisor loaded it: if it has been saved since,
        nothing is written and EditConflict names the fields that changed. A raised capacity
        gives places to the first on the waitlist; a capacity cannot be removed while students
        have RSVPs.
        """
        principal = self._auth.authenticate(token, Role.ADVISOR)
        draft = check_draft(draft)
        def write(uow: UnitOfWork) -> Resource:
            current = self._locked_current(uow, row_id, kind, expected)
            require_known_tags(uow, draft.interest_tags)
            old = (row_id, kind)
            counts = uow.rsvps.counts(old)
            if draft.capacity is None and counts.going + counts.waitlisted:
                raise ValidationError(
                    "capacity",
                    f"cannot be removed: {counts.going + counts.waitlisted} students have "
                    "RSVPs. Cancel them first, or keep a capacity.",
                )
            new_id = row_id
            if current.legacy:
                uow.resources.clear_legacy_cell(row_id, kind)
                new_id = uow.resources.add(draft, self._clock())
            else:
                uow.resources.replace(row_id, draft, self._clock())
            new = (new_id, draft.kind)
            if new != old:
                uow.saved.move(old, new)
                uow.rsvps.move(old, new)
            uow.saved.refresh(new, draft.title, draft.starts_at, draft.ends_at)
            updated = uow.resources.get(*new)
            assert updated is not None
            promoted = fill_places(uow, updated)
            after = audit.resource_values(updated)
            detail = ""
            if promoted:
                after["promoted_from_waitlist"] = promoted
                detail = f"{len(promoted)} promoted from the waitlist"
            audit.record(uow, audit.actor_of(uow, principal), AuditAction.RESOURCE_UPDATED,
                         self._clock(), resource=updated, before=audit.resource_values(current),
                         after=after, detail=detail)
            return updated

        updated = run_write(self._uow, write, exclusive=True)
        self._changed()
        return updated

    def delete_impact(self, token: str, row_id: int, kind: ResourceKind) -> DeleteImpact:
        """Who a deletion would touch, so the editor can ask again and say how many."""
        self._auth.authenticate(token, Role.ADVISOR)

        def read(uow: UnitOfWork) -> DeleteImpact:
            if uow.resources.get(row_id, kind) is None:
                raise NotFound("This resource no longer exists.")
            item = (row_id, kind)
            counts = uow.rsvps.counts(item)
            saved = uow.saved.students(item)
            return DeleteImpact(going=counts.going, waitlisted=counts.waitlisted,
                                saved=len(saved), students=len(saved | uow.rsvps.students(item)))

        return read_with_retry(self._uow, read)

    def delete(
        self, token: str, row_id: int, kind: ResourceKind, *, expected: Resource | None = None
    ) -> DeleteImpact:
        """Delete one resource and its RSVPs; saved entries stay, readable as removed (and
        students who only had an RSVP get one). Returns who was touched."""
        principal = self._auth.authenticate(token, Role.ADVISOR)
        def write(uow: UnitOfWork) -> DeleteImpact:
            current = self._locked_current(uow, row_id, kind, expected)
            item = (row_id, kind)
            counts = uow.rsvps.counts(item)
            saved, with_rsvp = uow.saved.students(item), uow.rsvps.students(item)
            now = self._clock()
            uow.saved.mark_removed(item, with_rsvp - saved, current.title, current.starts_at,
                                   current.ends_at, now)
            uow.rsvps.remove_all(item)
            if current.legacy:
                uow.resources.clear_legacy_cell(row_id, kind)
            else:
                uow.resources.delete(row_id)
            impact = DeleteImpact(going=counts.going, waitlisted=counts.waitlisted,
                                  saved=len(saved), students=len(saved | with_rsvp))
            audit.record(uow, audit.actor_of(uow, principal), AuditAction.RESOURCE_DELETED, now,
                         resource=current, before=audit.resource_values(current),
                         detail=f"{impact.students} students affected ({impact.going} going, "
                                f"{impact.waitlisted} waitlisted, {impact.saved} saved)")
            return impact

        impact = run_write(self._uow, write, exclusive=True)
        self._changed()
        return impact

    @staticmethod
    def _locked_current(
        uow: UnitOfWork, row_id: int, kind: ResourceKind, expected: Resource | None
    ) -> Resource:
        """The resource with its row locked; EditConflict if it changed since `expected`."""
        if not uow.rsvps.lock_resource(row_id):
            raise NotFound("This resource no longer exists.")
        current = uow.resources.get(row_id, kind)
        if current is None:
            raise NotFound("This resource no longer exists.")
        if expected is not None and expected.version != current.version:
            changed = tuple(name for name in EDITABLE_FIELDS
                            if getattr(expected, name) != getattr(current, name))
            raise EditConflict(changed, current)
        return current
