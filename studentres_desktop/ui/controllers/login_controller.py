"""Logging in: bcrypt runs on a worker; the form stays filled and disabled meanwhile."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject

from studentres_desktop.domain.errors import (
    InvalidCredentials,
    LoginThrottled,
    ValidationError,
)
from studentres_desktop.services.auth import AuthService, LoginResult
from studentres_desktop.ui.controllers.errors import ErrorReporter, field_message
from studentres_desktop.ui.session import SessionState
from studentres_desktop.ui.views.login_view import LoginView
from studentres_desktop.ui.workers import TaskRunner


class LoginController(QObject):
    def __init__(
        self,
        view: LoginView,
        auth: AuthService,
        runner: TaskRunner,
        session: SessionState,
        report_error: ErrorReporter,
        open_registration: Callable[[], None],
    ) -> None:
        super().__init__(view)
        self._view = view
        self._auth = auth
        self._runner = runner
        self._session = session
        self._report_error = report_error
        self._open_registration = open_registration
        self._busy = False
        self._connect()

    def _connect(self) -> None:
        self._view.sig_login_requested.connect(self._on_login_requested)
        self._view.sig_register_requested.connect(self._open_registration)

    def _on_login_requested(self, email: str, password: str) -> None:
        if self._busy:
            return
        if not email.strip():
            self._view.set_error("Enter your email address.")
            self._view.email_edit.setFocus()
            return
        if not password:
            self._view.set_error("Enter your password.")
            self._view.password_edit.setFocus()
            return
        self._busy = True
        self._view.set_error("")
        self._view.set_busy(True)
        self._runner.run(
            lambda: self._auth.login(email, password),
            self._on_logged_in,
            lambda error: self._on_failed(error, email, password),
        )

    def _on_logged_in(self, result: LoginResult) -> None:
        self._busy = False
        self._view.set_busy(False)
        self._view.clear_password()
        self._view.set_notice("")
        self._session.start(result)

    def _on_failed(self, error: Exception, email: str, password: str) -> None:
        self._busy = False
        self._view.set_busy(False)
        if isinstance(error, InvalidCredentials | LoginThrottled):
            self._view.set_error(str(error))
            self._view.clear_password()
            self._view.password_edit.setFocus()
        elif isinstance(error, ValidationError):
            self._view.set_error(field_message(error))
        else:
            self._report_error(error, lambda: self._on_login_requested(email, password))

    def prefill(self, email: str, notice: str = "") -> None:
        self._view.set_email(email)
        self._view.set_notice(notice)
        self._view.focus_first_empty()
