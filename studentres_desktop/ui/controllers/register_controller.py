"""Registration: inline checks while typing, then register and log in on a worker."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Signal

from studentres_desktop.domain.errors import ValidationError
from studentres_desktop.ui.controllers.errors import field_message
from studentres_desktop.ui.feature import Feature, FeatureContext
from studentres_desktop.ui.views.register_view import FIELDS, RegisterView

if TYPE_CHECKING:
    from studentres_desktop.services.session_api import SessionApi

MISMATCH = "The two passwords do not match."


class RegisterController(Feature):
    sig_back_requested = Signal(str)  # the email typed so far

    def __init__(self, context: FeatureContext, view: RegisterView) -> None:
        super().__init__(context)
        self._view = view
        self._touched: set[str] = set()
        self._connect()

    def _connect(self) -> None:
        self._view.sig_field_edited.connect(self._on_field_edited)
        self._view.sig_field_left.connect(self._on_field_left)
        self._view.sig_register_requested.connect(self._on_register_requested)
        self._view.sig_back_requested.connect(
            lambda: self.sig_back_requested.emit(self._view.values()["email"].strip()))

    def start(self, email: str) -> None:
        """An empty form, with the email typed on the login page."""
        self.clear()
        self._view.set_email(email)
        self._view.focus_field("name")

    # --- inline validation ----------------------------------------------------------------------

    def _on_field_edited(self, field: str) -> None:
        if field in self._touched:
            self._show_problem(field)
        if field == "password" and "confirm" in self._touched:
            self._show_problem("confirm")

    def _on_field_left(self, field: str) -> None:
        if self._view.values()[field]:
            self._touched.add(field)
            self._show_problem(field)

    def _show_problem(self, field: str) -> str:
        problem = self.problem(field, self._view.values())
        self._view.set_field_error(field, problem)
        return problem

    @staticmethod
    def problem(field: str, values: dict[str, str]) -> str:
        """What is wrong with one field, in words, or '' (the same checks the service makes)."""
        # Loaded on first use: the email checker is not needed to show the login window.
        from studentres_desktop.services.validation import (
            check_email,
            check_name,
            check_password,
        )

        try:
            if field == "name":
                check_name(values["name"])
            elif field == "email":
                check_email(values["email"])
            elif field == "password":
                check_password(values["password"], name=values["name"], email=values["email"])
            elif field == "confirm" and not values["confirm"]:
                return "Type the password again to confirm it."
            elif field == "confirm" and values["confirm"] != values["password"]:
                return MISMATCH
        except ValidationError as error:
            return field_message(error)
        return ""

    # --- submitting -----------------------------------------------------------------------------

    def _on_register_requested(self, name: str, email: str, password: str, _confirm: str) -> None:
        self._touched.update(FIELDS)
        problems = [field for field in FIELDS if self._show_problem(field)]
        if problems:
            self._view.focus_field(problems[0])
            return
        self._view.set_form_error("")
        self._ops.public(lambda gateway: gateway.register(name, email, password),
                         self._on_registered, on_failure=self._on_failed,
                         busy=self._view.set_busy)

    def _on_registered(self, api: SessionApi) -> None:
        self.clear()
        self._session.start(api)

    def _on_failed(self, error: Exception) -> bool:
        if isinstance(error, ValidationError) and error.field in FIELDS:
            self._view.set_field_error(error.field, field_message(error))
            self._view.focus_field(error.field)
            return True
        if isinstance(error, ValidationError):
            self._view.set_form_error(field_message(error))
            return True
        return False

    def clear(self) -> None:
        self._touched.clear()
        self._view.clear()
