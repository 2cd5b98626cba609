"""Registration: inline checks while typing, then register and log in on a worker."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject

from studentres_desktop.domain.errors import ValidationError
from studentres_desktop.services.auth import AuthService, LoginResult
from studentres_desktop.services.validation import check_email, check_name, check_password
from studentres_desktop.ui.controllers.errors import ErrorReporter, field_message
from studentres_desktop.ui.session import SessionState
from studentres_desktop.ui.views.register_view import FIELDS, RegisterView
from studentres_desktop.ui.workers import TaskRunner

MISMATCH = "The two passwords do not match."


class RegisterController(QObject):
    def __init__(
        self,
        view: RegisterView,
        auth: AuthService,
        runner: TaskRunner,
        session: SessionState,
        report_error: ErrorReporter,
        back_to_login: Callable[[str], None],
    ) -> None:
        super().__init__(view)
        self._view = view
        self._auth = auth
        self._runner = runner
        self._session = session
        self._report_error = report_error
        self._back_to_login = back_to_login
        self._touched: set[str] = set()
        self._busy = False
        self._connect()

    def _connect(self) -> None:
        self._view.sig_field_edited.connect(self._on_field_edited)
        self._view.sig_field_left.connect(self._on_field_left)
        self._view.sig_register_requested.connect(self._on_register_requested)
        self._view.sig_back_requested.connect(
            lambda: self._back_to_login(self._view.values()["email"].strip()))

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
        if self._busy:
            return
        self._touched.update(FIELDS)
        problems = [field for field in FIELDS if self._show_problem(field)]
        if problems:
            self._view.focus_field(problems[0])
            return
        self._busy = True
        self._view.set_form_error("")
        self._view.set_busy(True)

        def register_and_log_in() -> LoginResult:
            self._auth.register(name.strip(), email, password)
            return self._auth.login(email, password)

        self._runner.run(
            register_and_log_in,
            self._on_registered,
            lambda error: self._on_failed(error, (name, email, password, _confirm)),
        )

    def _on_registered(self, result: LoginResult) -> None:
        self._busy = False
        self.clear()
        self._session.start(result)

    def _on_failed(self, error: Exception, submitted: tuple[str, str, str, str]) -> None:
        self._busy = False
        self._view.set_busy(False)
        if isinstance(error, ValidationError) and error.field in FIELDS:
            self._view.set_field_error(error.field, field_message(error))
            self._view.focus_field(error.field)
        elif isinstance(error, ValidationError):
            self._view.set_form_error(field_message(error))
        else:
            self._report_error(error, lambda: self._on_register_requested(*submitted))

    def clear(self) -> None:
        self._touched.clear()
        self._view.clear()
