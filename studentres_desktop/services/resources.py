"""Finding resources for a student, and keeping the catalogue current."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence

from studentres_desktop.domain.errors import NotFound, ValidationError
from studentres_desktop.domain.models import (
    Resource,
    ResourceDraft,
    ResourceFilter,
    ResourceKind,
    ResourcePage,
    Role,
)
from studentres_desktop.persistence.uow import UnitOfWork, UnitOfWorkFactory, read_with_retry
from studentres_desktop.services.auth import AuthService
from studentres_desktop.services.clock import Clock, utc_now
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
        """How many resources the filter matches in all (for "N resources" labels)."""
        flt = check_filter(flt)
        student_id = self._auth.authenticate(token).student_id

        def read(uow: UnitOfWork) -> int:
            return uow.resources.count(self._scoped(uow, student_id, flt) if for_student else flt)

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
        self._auth.authenticate(token, Role.ADVISOR)
        draft = check_draft(draft)
        with self._uow() as uow:
            require_known_tags(uow, draft.interest_tags)
            row_id = uow.resources.add(draft, self._clock())
            created = uow.resources.get(row_id, draft.kind)
            uow.commit()
        self._changed()
        assert created is not None
        return created

    def update(self, token: str, row_id: int, kind: ResourceKind, draft: ResourceDraft) -> Resource:
        """Replace one resource. An item of an original-style row moves to a row of its own."""
        self._auth.authenticate(token, Role.ADVISOR)
        draft = check_draft(draft)
        with self._uow() as uow:
            require_known_tags(uow, draft.interest_tags)
            current = uow.resources.get(row_id, kind)
            if current is None:
                raise NotFound("This resource no longer exists.")
            if current.legacy:
                uow.resources.clear_legacy_cell(row_id, kind)
                row_id = uow.resources.add(draft, self._clock())
            else:
                uow.resources.replace(row_id, draft, self._clock())
            updated = uow.resources.get(row_id, draft.kind)
            uow.commit()
        self._changed()
        assert updated is not None
        return updated

    def delete(self, token: str, row_id: int, kind: ResourceKind) -> None:
        self._auth.authenticate(token, Role.ADVISOR)
        with self._uow() as uow:
            current = uow.resources.get(row_id, kind)
            if current is None:
                raise NotFound("This resource no longer exists.")
            if current.legacy:
                uow.resources.clear_legacy_cell(row_id, kind)
            else:
                uow.resources.delete(row_id)
            uow.commit()
        self._changed()
