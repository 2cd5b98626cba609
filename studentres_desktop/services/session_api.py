"""What the desktop UI may call: a gateway before login, then one API bound to one session.

The UI never holds an engine, a unit of work or a service that takes no token. Before anyone logs
in it has the `Gateway`, whose calls either need no person (preparing the database, warming up)
or create a session (log in, register). Everything else goes through the `SessionApi` that a
login returns: it carries the token, and every call checks it before touching the database.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Protocol

from studentres_desktop.domain.connection import (
    ConnectionDetails,
    ConnectionReport,
    StoredConnection,
)
from studentres_desktop.domain.errors import AccessDenied
from studentres_desktop.domain.models import (
    Attendance,
    AuditEntry,
    AuditFilter,
    CalendarFile,
    DeleteImpact,
    EngineStatus,
    ImportPreview,
    Interest,
    Principal,
    Recommendations,
    Resource,
    ResourceCount,
    ResourceDraft,
    ResourceFilter,
    ResourcePage,
    RsvpEntry,
    RsvpStatus,
    SavedEntry,
    Student,
    StudentOverview,
    StudentSummary,
)
from studentres_desktop.services.auth import AuthService, LoginResult
from studentres_desktop.services.calendar import CalendarService
from studentres_desktop.services.catalogue import CancelCheck, Progress
from studentres_desktop.services.desk import DeskService
from studentres_desktop.services.interests import InterestService
from studentres_desktop.services.plan import PlanService
from studentres_desktop.services.recommendations import RecommendationService
from studentres_desktop.services.resources import ResourceService


@dataclass(frozen=True)
class SessionServices:
    """The token-taking services a session's API calls; built once by the bootstrap."""

    auth: AuthService
    interests: InterestService
    resources: ResourceService
    recommendations: RecommendationService
    plan: PlanService
    calendar: CalendarService
    desk: DeskService


class SessionApi:
    """One logged-in person's calls; each validates the token first (expired, revoked: raises)."""

    def __init__(self, login: LoginResult, services: SessionServices) -> None:
        self._token = login.token
        self.student = login.student  # as of the login; `current_student()` reads it again
        self.expires_at: datetime = login.expires_at
        self._auth = services.auth
        self._interests = services.interests
        self._resources = services.resources
        self._recommendations = services.recommendations
        self._plan = services.plan
        self._calendar = services.calendar
        self._desk = services.desk

    def __repr__(self) -> str:
        return f"SessionApi(student_id={self.student.id})"

    def check(self) -> Principal:
        """Validate the token now (no database call); raises InvalidToken when it died."""
        return self._auth.authenticate(self._token)

    def end(self) -> None:
        """Revoke the token: every later call through this object fails."""
        self._auth.logout(self._token)

    # --- the student ----------------------------------------------------------------------------

    def current_student(self) -> Student:
        return self._auth.current_student(self._token)

    def vocabulary(self) -> list[Interest]:
        self.check()
        return self._interests.vocabulary()

    def save_interests(self, tags: Sequence[str], primary: str | None, goal: str) -> Student:
        """The interests (primary first) and the learning goal, saved; the updated student."""
        self._interests.set_for_student(self._token, tags, primary)
        return self._auth.set_learning_goal(self._token, goal)

    # --- resources ------------------------------------------------------------------------------

    def browse(self, flt: ResourceFilter, *, whole_catalogue: bool) -> ResourcePage:
        """A page of the student's resources, or of the whole catalogue."""
        if whole_catalogue:
            return self._resources.browse(self._token, flt)
        return self._resources.for_student(self._token, flt)

    def count(self, flt: ResourceFilter, *, whole_catalogue: bool) -> ResourceCount:
        """Exact up to 1,000, then "1,000+": cheap enough after every change of filter."""
        return self._resources.count_capped(self._token, flt, for_student=not whole_catalogue)

    def create_resource(self, draft: ResourceDraft) -> Resource:
        return self._resources.create(self._token, draft)

    def update_resource(self, resource: Resource, draft: ResourceDraft) -> Resource:
        """Save over `resource` as it was loaded; EditConflict if someone saved it since."""
        return self._resources.update(self._token, resource.row_id, resource.kind, draft,
                                      expected=resource)

    def delete_impact(self, resource: Resource) -> DeleteImpact:
        """How many students a deletion would touch (their RSVPs and saved entries)."""
        return self._resources.delete_impact(self._token, resource.row_id, resource.kind)

    def delete_resource(self, resource: Resource) -> None:
        """Delete `resource` as it was loaded; EditConflict if someone saved it since."""
        self._resources.delete(self._token, resource.row_id, resource.kind, expected=resource)

    # --- the student's plan ---------------------------------------------------------------------

    def save(self, resource: Resource) -> bool:
        return self._plan.save(self._token, resource.key)

    def unsave(self, resource: Resource) -> bool:
        return self._plan.unsave(self._token, resource.key)

    def saved(self) -> tuple[SavedEntry, ...]:
        """Saved resources: upcoming soonest first, then undated, past and removed ones."""
        return self._plan.saved(self._token)

    def saved_keys(self, resources: Sequence[Resource]) -> frozenset[str]:
        return self._plan.saved_keys(self._token, [r.key for r in resources])

    def rsvp(self, resource: Resource) -> RsvpStatus:
        return self._plan.rsvp(self._token, resource.key)

    def cancel_rsvp(self, resource: Resource) -> RsvpStatus:
        return self._plan.cancel_rsvp(self._token, resource.key)

    def rsvp_statuses(self, resources: Sequence[Resource]) -> dict[str, RsvpStatus]:
        return self._plan.statuses(self._token, [r.key for r in resources])

    def my_rsvps(self) -> tuple[RsvpEntry, ...]:
        return self._plan.my_rsvps(self._token)

    def calendar_for(self, resource: Resource) -> CalendarFile:
        return self._calendar.for_resource(self._token, resource.key)

    def calendar_for_saved(self) -> CalendarFile:
        return self._calendar.for_saved(self._token)

    # --- the advisor's desk ---------------------------------------------------------------------

    def attendees(self, resource: Resource) -> Attendance:
        return self._desk.attendees(self._token, resource.key)

    def audit_log(self, flt: AuditFilter | None = None) -> tuple[AuditEntry, ...]:
        return self._desk.audit_log(self._token, flt)

    def find_students(self, text: str) -> tuple[StudentSummary, ...]:
        return self._desk.find_students(self._token, text)

    def student_overview(self, student_id: int) -> StudentOverview:
        return self._desk.student_overview(self._token, student_id)

    def preview_import(self, path: Path) -> ImportPreview:
        return self._desk.preview_import(self._token, path)

    def import_resources(self, preview: ImportPreview, *, source: str = "",
                         progress: Progress | None = None,
                         cancelled: CancelCheck | None = None) -> int:
        return self._desk.import_resources(self._token, preview, source=source,
                                           progress=progress, cancelled=cancelled)

    def export_resources(self, path: Path) -> int:
        return self._desk.export_resources(self._token, path)

    # --- recommendations ------------------------------------------------------------------------

    def recommendations(self, limit: int) -> Recommendations:
        return self._recommendations.for_student(self._token, limit=limit)

    def more_like(self, resource: Resource, limit: int) -> Recommendations:
        return self._recommendations.more_like(self._token, resource.row_id, resource.kind,
                                               limit=limit)


class ConnectionAdmin(Protocol):
    """The database connection settings, for IT (the bootstrap supplies it)."""

    def current(self) -> StoredConnection: ...
    def test(self, details: ConnectionDetails) -> ConnectionReport: ...
    def save(self, details: ConnectionDetails) -> StoredConnection: ...


class Gateway:
    """The calls that come before a session: prepare, warm up, log in, register, and the
    database connection settings."""

    def __init__(self, services: SessionServices,
                 prepare_database: Callable[[], object],
                 connection: ConnectionAdmin | None = None) -> None:
        self._services = services
        self._auth = services.auth
        self._recommendations = services.recommendations
        self._prepare_database = prepare_database
        self._connection = connection

    def prepare_database(self) -> None:
        """Connect, and create or check the schema (the embedded demo fills itself here)."""
        self._prepare_database()

    def warm_up(self) -> None:
        """Work the first login would otherwise wait for (the dummy bcrypt hash)."""
        self._auth.warm_up()

    def prepare_recommendations(self) -> EngineStatus:
        """Load the ranking engine (seconds for a model): call it off the UI thread."""
        return self._recommendations.prepare()

    def log_in(self, email: str, password: str) -> SessionApi:
        return self._session(self._auth.login(email, password))

    def register(self, name: str, email: str, password: str) -> SessionApi:
        """Create a student account and log it in."""
        self._auth.register(name.strip(), email, password)
        return self.log_in(email, password)

    def connection_settings(self) -> StoredConnection:
        """The configured connection, without its password."""
        return self._connection_admin().current()

    def test_connection(self, details: ConnectionDetails) -> ConnectionReport:
        """Connect once with these settings; ValidationError names a bad field,
        ConnectionFailed says what went wrong."""
        return self._connection_admin().test(details)

    def save_connection(self, details: ConnectionDetails) -> StoredConnection:
        """Save the settings (password to the keyring where there is one), then reconnect."""
        return self._connection_admin().save(details)

    def _connection_admin(self) -> ConnectionAdmin:
        if self._connection is None:
            raise AccessDenied("The database connection cannot be changed from this program.")
        return self._connection

    def _session(self, login: LoginResult) -> SessionApi:
        return SessionApi(login, self._services)
