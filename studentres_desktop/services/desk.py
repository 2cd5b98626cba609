"""The advisor's desk: attendance, the audit log, looking a student up, CSV import and export.

Every DeskService call needs an advisor's token; a student's token raises AccessDenied.
DeskReports answers the same reads without a token, for studentres-admin (IT staff with direct
database access).
"""

from __future__ import annotations

from datetime import datetime, tzinfo
from pathlib import Path

from studentres_desktop.domain.errors import NotFound, ValidationError
from studentres_desktop.domain.models import (
    Attendance,
    Attendee,
    AuditAction,
    AuditEntry,
    AuditFilter,
    ImportPreview,
    Resource,
    ResourceKind,
    Role,
    RsvpStatus,
    Student,
    StudentOverview,
    StudentSummary,
    Suggestion,
    parse_resource_key,
)
from studentres_desktop.persistence.plan import ItemKey
from studentres_desktop.persistence.uow import (
    UnitOfWork,
    UnitOfWorkFactory,
    read_with_retry,
    run_write,
)
from studentres_desktop.services import audit
from studentres_desktop.services.auth import AuthService
from studentres_desktop.services.catalogue import CancelCheck, CatalogueService, Progress
from studentres_desktop.services.clock import Clock, utc_now
from studentres_desktop.services.plan import (
    join,
    leave,
    locked_resource,
    machine_zone,
    rsvp_entries,
    saved_entries,
    site_now,
    status_of,
)
from studentres_desktop.services.recommendations import RecommendationService
from studentres_desktop.services.validation import EMAIL_MAX, check_text

AUDIT_MAX = 1000
LOOKUP_MAX = 50


def check_audit_filter(flt: AuditFilter) -> AuditFilter:
    if not 1 <= flt.limit <= AUDIT_MAX:
        raise ValidationError("limit", f"must be between 1 and {AUDIT_MAX}.")
    if flt.offset < 0:
        raise ValidationError("offset", "must not be negative.")
    if flt.action is not None and not isinstance(flt.action, AuditAction):
        raise ValidationError("action", "is not an audited action.")
    check_text("advisor", flt.advisor, max_length=EMAIL_MAX, required=False)
    if flt.since is not None and flt.until is not None and flt.until < flt.since:
        raise ValidationError("until", "must not be before 'since'.")
    return flt


class DeskReports:
    """Attendance and the audit log without a token (studentres-admin only)."""

    def __init__(self, uow_factory: UnitOfWorkFactory) -> None:
        self._uow = uow_factory

    def resolve(self, text: str) -> ItemKey:
        """A resource from `12:workshop`, or from a row id alone when that row holds one item."""
        if ":" in str(text):
            return parse_resource_key(text)
        try:
            row_id = int(str(text).strip())
        except ValueError:
            raise ValidationError(
                "resource", f"'{str(text)[:40]}' is not a resource id such as 12 or 12:workshop."
            ) from None

        def read(uow: UnitOfWork) -> list[ItemKey]:
            return [(row_id, kind) for kind in ResourceKind if uow.resources.get(row_id, kind)]

        found = read_with_retry(self._uow, read)
        if not found:
            raise NotFound(f"There is no resource {row_id}.")
        if len(found) > 1:
            keys = ", ".join(f"{r}:{k.value}" for r, k in found)
            raise ValidationError("resource", f"row {row_id} holds several items; use {keys}.")
        return found[0]

    def attendees(self, item: ItemKey) -> Attendance:
        """Who is going (in the order they signed up) and the waitlist in order."""

        def read(uow: UnitOfWork) -> Attendance:
            resource = uow.resources.get(*item)
            if resource is None:
                raise NotFound("This resource no longer exists.")
            going: list[Attendee] = []
            waitlisted: list[Attendee] = []
            for row, name, email in uow.rsvps.attendees(item):
                if row.waitlist_seq is None:
                    going.append(Attendee(row.student_id, name, email, row.state,
                                          row.created_at))
                else:
                    waitlisted.append(Attendee(row.student_id, name, email, row.state,
                                               row.created_at, len(waitlisted) + 1))
            return Attendance(resource, tuple(going), tuple(waitlisted))

        return read_with_retry(self._uow, read)

    def audit(self, flt: AuditFilter | None = None) -> tuple[AuditEntry, ...]:
        """Newest first."""
        checked = check_audit_filter(flt or AuditFilter())
        return tuple(read_with_retry(self._uow, lambda uow: uow.audit.list(checked)))


class DeskService:
    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        auth: AuthService,
        catalogue: CatalogueService,
        recommendations: RecommendationService,
        clock: Clock = utc_now,
        zone: tzinfo | None = None,
    ) -> None:
        self._uow = uow_factory
        self._auth = auth
        self._catalogue = catalogue
        self._recommendations = recommendations
        self._reports = DeskReports(uow_factory)
        self._clock = clock
        self._zone = zone or machine_zone()

    def _advisor(self, token: str) -> int:
        return self._auth.authenticate(token, Role.ADVISOR).student_id

    def _now_local(self) -> datetime:
        return site_now(self._clock, self._zone)

    # --- attendance -----------------------------------------------------------------------------

    def attendees(self, token: str, key: str) -> Attendance:
        self._advisor(token)
        return self._reports.attendees(parse_resource_key(key))

    def add_attendee(self, token: str, key: str, student_id: int) -> RsvpStatus:
        """RSVP for a student at the desk (a place, or the waitlist when full); audited."""
        principal = self._auth.authenticate(token, Role.ADVISOR)
        def write(uow: UnitOfWork) -> RsvpStatus:
            resource, student = self._locked_for_desk(uow, key, student_id)
            now = self._clock()
            joined = join(uow, resource, student_id, now, self._now_local())
            if joined is not None:
                status = joined
                audit.record(uow, audit.actor_of(uow, principal), AuditAction.RSVP_ADDED, now,
                             resource=resource, after={"student": student.email,
                                                       "status": status.state.value,
                                                       "position": status.position},
                             detail=f"for {student.email}: {status.label}")
            else:
                status = status_of(uow, resource, student_id)
            return status

        return run_write(self._uow, write, exclusive=True)

    def remove_attendee(self, token: str, key: str, student_id: int) -> RsvpStatus:
        """Cancel a student's RSVP (the first waitlisted takes a freed place); audited."""
        principal = self._auth.authenticate(token, Role.ADVISOR)
        def write(uow: UnitOfWork) -> RsvpStatus:
            resource, student = self._locked_for_desk(uow, key, student_id)
            before = status_of(uow, resource, student_id)
            had, promoted = leave(uow, resource, student_id)
            if had:
                emails = [s.email for s in map(uow.students.get, promoted) if s is not None]
                audit.record(
                    uow, audit.actor_of(uow, principal), AuditAction.RSVP_CANCELLED,
                    self._clock(), resource=resource,
                    before={"student": student.email, "status": before.state.value,
                            "position": before.position},
                    after={"student": student.email, "status": None,
                           "promoted_from_waitlist": emails},
                    detail=f"for {student.email}"
                    + (f"; promoted {', '.join(emails)}" if emails else ""),
                )
            return status_of(uow, resource, student_id)

        return run_write(self._uow, write, exclusive=True)

    @staticmethod
    def _locked_for_desk(uow: UnitOfWork, key: str, student_id: int) -> tuple[Resource, Student]:
        """The resource with its row locked, and the student an advisor acts for."""
        resource = locked_resource(uow, parse_resource_key(key))
        student = uow.students.get(student_id)
        if student is None:
            raise NotFound("This account no longer exists.")
        return resource, student

    # --- audit log ------------------------------------------------------------------------------

    def audit_log(self, token: str, flt: AuditFilter | None = None) -> tuple[AuditEntry, ...]:
        self._advisor(token)
        return self._reports.audit(flt)

    # --- helping a student at the desk ----------------------------------------------------------

    def find_students(self, token: str, text: str, limit: int = 20) -> tuple[StudentSummary, ...]:
        """Accounts by the start of their email or part of their name."""
        self._advisor(token)
        text = check_text("search", text, max_length=EMAIL_MAX).strip()
        if not 1 <= limit <= LOOKUP_MAX:
            raise ValidationError("limit", f"must be between 1 and {LOOKUP_MAX}.")
        return tuple(read_with_retry(self._uow, lambda uow: uow.directory.find(text, limit)))

    def student_overview(self, token: str, student_id: int,
                         recommendations: int = 10) -> StudentOverview:
        """A student's interests, saved resources, RSVPs and recommended list, read-only."""
        self._advisor(token)
        now_local = self._now_local()

        def read(uow: UnitOfWork) -> StudentOverview:
            student = uow.students.get(student_id)
            if student is None:
                raise NotFound("This account no longer exists.")
            vocabulary = {i.tag: i for i in uow.interests.list()}
            return StudentOverview(
                student=student,
                interests=tuple(vocabulary[t] for t in student.interests if t in vocabulary),
                saved=tuple(saved_entries(uow, student_id, now_local)),
                rsvps=tuple(rsvp_entries(uow, student_id)),
                recommended=(),
            )

        overview = read_with_retry(self._uow, read)
        try:
            query = self._recommendations.query_for(student=overview.student)
        except ValidationError:  # no interests and no learning goal yet
            return overview
        ranked = self._recommendations.recommend(query, limit=recommendations)
        return StudentOverview(
            overview.student, overview.interests, overview.saved, overview.rsvps,
            tuple(Suggestion(item.resource, item.reason) for item in ranked.items),
            recommendation_note=ranked.note,
        )

    # --- catalogue import and export ------------------------------------------------------------

    def preview_import(self, token: str, path: Path) -> ImportPreview:
        """The CSV file's rows with their problems (line, column, message); changes nothing."""
        self._advisor(token)
        return self._catalogue.preview_csv(path)

    def import_resources(
        self,
        token: str,
        preview: ImportPreview,
        *,
        source: str = "",
        progress: Progress | None = None,
        cancelled: CancelCheck | None = None,
    ) -> int:
        """Import a clean preview in one transaction; cancelled or failed, nothing changes."""
        principal = self._auth.authenticate(token, Role.ADVISOR)
        return self._catalogue.import_preview(preview, actor=principal, source=source,
                                              progress=progress, cancelled=cancelled)

    def export_resources(self, token: str, path: Path) -> int:
        """The whole catalogue as CSV in the import format; returns how many resources."""
        self._advisor(token)
        return self._catalogue.export_csv(path)
