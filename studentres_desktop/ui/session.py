"""The logged-in session: holds the session API, validates it before protected work, ends once."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from PySide6.QtCore import QObject, Signal

from studentres_desktop.domain.errors import InvalidToken, TokenExpired

if TYPE_CHECKING:
    from studentres_desktop.domain.models import Student
    from studentres_desktop.services.session_api import SessionApi

T = TypeVar("T")
SESSION_EXPIRED = TokenExpired.default_message


class SessionState(QObject):
    """One person at a time. Ending it revokes the token and invalidates pending callbacks."""

    sig_started = Signal(object)  # Student
    sig_student_changed = Signal(object)  # Student
    sig_ended = Signal(str)  # what to tell the person on the login screen

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._api: SessionApi | None = None
        self._student: Student | None = None
        self._epoch = 0

    @property
    def active(self) -> bool:
        return self._api is not None

    @property
    def student(self) -> Student | None:
        return self._student

    @property
    def epoch(self) -> int:
        """Changes whenever a session starts or ends: work begun in another epoch is stale."""
        return self._epoch

    def start(self, api: SessionApi) -> None:
        if self._api is not None:
            self.end("")
        self._epoch += 1
        self._api = api
        self._student = api.student
        self.sig_started.emit(api.student)

    def update_student(self, student: Student) -> None:
        if self._student is not None and student.id == self._student.id:
            self._student = student
            self.sig_student_changed.emit(student)

    def require(self) -> SessionApi:
        """The session's API, its token validated now; raises InvalidToken when there is none."""
        if self._api is None:
            raise InvalidToken(SESSION_EXPIRED)
        self._api.check()
        return self._api

    def check(self) -> bool:
        """Validate the token; an expired or revoked one ends the session with the message."""
        if self._api is None:
            return False
        try:
            self._api.check()
        except InvalidToken:
            self.end(SESSION_EXPIRED)
            return False
        return True

    def end(self, message: str = "") -> None:
        """Revoke the token and tell every feature to forget the person (once per session)."""
        api, self._api, self._student = self._api, None, None
        self._epoch += 1
        if api is not None:
            api.end()
        self.sig_ended.emit(message)

    def guard(self, callback: Callable[[T], None]) -> Callable[[T], None]:
        """Wrap a callback so it does nothing once this session has ended."""
        epoch = self._epoch

        def guarded(value: T) -> None:
            if self._epoch == epoch and self._api is not None:
                callback(value)

        return guarded
