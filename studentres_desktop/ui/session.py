"""The logged-in session: holds the token, validates it before protected views, ends cleanly."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from PySide6.QtCore import QObject, Signal

from studentres_desktop.domain.errors import InvalidToken, TokenExpired
from studentres_desktop.domain.models import Student
from studentres_desktop.services.auth import AuthService, LoginResult

T = TypeVar("T")
SESSION_EXPIRED = TokenExpired.default_message


class SessionState(QObject):
    """One student at a time. Ending it revokes the token and invalidates pending callbacks."""

    sig_started = Signal(object)  # Student
    sig_student_changed = Signal(object)  # Student
    sig_ended = Signal(str)  # what to tell the person on the login screen

    def __init__(self, auth: AuthService, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._auth = auth
        self._token: str | None = None
        self._student: Student | None = None
        self._epoch = 0

    @property
    def active(self) -> bool:
        return self._token is not None

    @property
    def student(self) -> Student | None:
        return self._student

    def start(self, result: LoginResult) -> None:
        self._epoch += 1
        self._token = result.token
        self._student = result.student
        self.sig_started.emit(result.student)

    def update_student(self, student: Student) -> None:
        if self._student is not None and student.id == self._student.id:
            self._student = student
            self.sig_student_changed.emit(student)

    def require(self) -> str:
        """The token, validated now; raises InvalidToken when there is no valid session."""
        if self._token is None:
            raise InvalidToken(SESSION_EXPIRED)
        self._auth.authenticate(self._token)
        return self._token

    def check(self) -> bool:
        """Validate the token; an expired or revoked one ends the session with the message."""
        if self._token is None:
            return False
        try:
            self.require()
        except InvalidToken:
            self.end(SESSION_EXPIRED)
            return False
        return True

    def end(self, message: str = "") -> None:
        token, self._token, self._student = self._token, None, None
        self._epoch += 1
        if token is not None:
            self._auth.logout(token)
        self.sig_ended.emit(message)

    def guard(self, callback: Callable[[T], None]) -> Callable[[T], None]:
        """Wrap a worker callback so it does nothing once this session has ended."""
        epoch = self._epoch

        def guarded(value: T) -> None:
            if self._epoch == epoch and self._token is not None:
                callback(value)

        return guarded
