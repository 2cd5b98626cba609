"""What the desktop UI may call: a gateway before login, then one API bound to one session.

The UI never holds an engine, a unit of work or a service that takes no token. Before anyone logs
in it has the `Gateway`, whose calls either need no person (preparing the database, warming up)
or create a session (log in, register). Everything else goes through the `SessionApi` that a
login returns: it carries the token, and every call checks it before touching the database.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from studentres_desktop.domain.models import (
    EngineStatus,
    Interest,
    Principal,
    Recommendations,
    Resource,
    ResourceDraft,
    ResourceFilter,
    ResourcePage,
    Student,
)
from studentres_desktop.services.auth import AuthService, LoginResult
from studentres_desktop.services.interests import InterestService
from studentres_desktop.services.recommendations import RecommendationService
from studentres_desktop.services.resources import ResourceService


class SessionApi:
    """One logged-in person's calls; each validates the token first (expired, revoked: raises)."""

    def __init__(self, login: LoginResult, auth: AuthService, interests: InterestService,
                 resources: ResourceService, recommendations: RecommendationService) -> None:
        self._token = login.token
        self.student = login.student  # as of the login; `current_student()` reads it again
        self.expires_at: datetime = login.expires_at
        self._auth = auth
        self._interests = interests
        self._resources = resources
        self._recommendations = recommendations

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

    def count(self, flt: ResourceFilter, *, whole_catalogue: bool) -> int:
        return self._resources.count(self._token, flt, for_student=not whole_catalogue)

    def create_resource(self, draft: ResourceDraft) -> Resource:
        return self._resources.create(self._token, draft)

    def update_resource(self, resource: Resource, draft: ResourceDraft) -> Resource:
        return self._resources.update(self._token, resource.row_id, resource.kind, draft)

    def delete_resource(self, resource: Resource) -> None:
        self._resources.delete(self._token, resource.row_id, resource.kind)

    # --- recommendations ------------------------------------------------------------------------

    def recommendations(self, limit: int) -> Recommendations:
        return self._recommendations.for_student(self._token, limit=limit)

    def more_like(self, resource: Resource, limit: int) -> Recommendations:
        return self._recommendations.more_like(self._token, resource.row_id, resource.kind,
                                               limit=limit)


class Gateway:
    """The calls that come before a session: prepare, warm up, log in, register."""

    def __init__(self, auth: AuthService, interests: InterestService,
                 resources: ResourceService, recommendations: RecommendationService,
                 prepare_database: Callable[[], object]) -> None:
        self._auth = auth
        self._interests = interests
        self._resources = resources
        self._recommendations = recommendations
        self._prepare_database = prepare_database

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

    def _session(self, login: LoginResult) -> SessionApi:
        return SessionApi(login, self._auth, self._interests, self._resources,
                          self._recommendations)
