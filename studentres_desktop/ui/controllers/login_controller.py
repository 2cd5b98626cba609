"""Logging in: bcrypt runs on a worker; the form stays filled and disabled meanwhile."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Signal

from studentres_desktop.domain.errors import (
    InvalidCredentials,
    LoginThrottled,
    ValidationError,
)
from studentres_desktop.ui.controllers.errors import field_message
from studentres_desktop.ui.feature import Feature, FeatureContext
from studentres_desktop.ui.views.login_view import LoginView

if TYPE_CHECKING:
    from studentres_desktop.services.session_api import SessionApi


class LoginController(Feature):
    sig_registration_requested = Signal(str)  # the email typed so far

    def __init__(self, context: FeatureContext, view: LoginView) -> None:
        super().__init__(context)
        self._view = view
        self._connect()

    def _connect(self) -> None:
        self._view.sig_login_requested.connect(self._on_login_requested)
        self._view.sig_register_requested.connect(
            lambda: self.sig_registration_requested.emit(self._view.email().strip()))

    def _on_login_requested(self, email: str, password: str) -> None:
        if not email.strip():
            self._view.set_error("Enter your email address.")
            self._view.focus_email()
            return
        if not password:
            self._view.set_error("Enter your password.")
            self._view.focus_password()
            return
        self._view.set_error("")
        self._ops.public(lambda gateway: gateway.log_in(email, password), self._on_logged_in,
                         on_failure=self._on_failed, busy=self._view.set_busy)

    def _on_logged_in(self, api: SessionApi) -> None:
        self._view.clear_password()
        self._view.set_notice("")
        self._session.start(api)

    def _on_failed(self, error: Exception) -> bool:
        if isinstance(error, InvalidCredentials | LoginThrottled):
            self._view.set_error(str(error))
            self._view.clear_password()
            self._view.focus_password()
            return True
        if isinstance(error, ValidationError):
            self._view.set_error(field_message(error))
            return True
        return False

    def prefill(self, email: str, notice: str = "") -> None:
        self._view.set_email(email)
        self._view.set_notice(notice)
        self._view.focus_first_empty()

    def clear(self) -> None:
        self._view.clear()
