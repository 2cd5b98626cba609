"""IT's "Database connection" dialog: edit, test and save the settings, then reconnect.

Reached from the login screen (nobody is logged in). On a kiosk an advisor signs in inside the
dialog first; that sign-in is revoked when the dialog closes. Testing and saving run off the UI
thread through the gateway; a bad field is named in the dialog, a failed test says why.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Signal

from studentres_desktop.domain.connection import (
    ConnectionDetails,
    ConnectionReport,
    StoredConnection,
)
from studentres_desktop.domain.errors import (
    DomainError,
    InvalidCredentials,
    InvalidToken,
    LoginThrottled,
    ValidationError,
)
from studentres_desktop.domain.models import Role
from studentres_desktop.ui.feature import Feature, FeatureContext
from studentres_desktop.ui.file_choosers import FileChooser, open_file_chooser
from studentres_desktop.ui.views.database_connection import DatabaseConnectionDialog
from studentres_desktop.ui.views.main_window import MainWindow

if TYPE_CHECKING:
    from studentres_desktop.services.session_api import Gateway, SessionApi

FIELD_LABELS = {
    "host": "Host", "port": "Port", "database": "Database", "user": "User",
    "ssl_ca": "CA file", "ssl_cert": "Client certificate", "ssl_key": "Client key",
}
ADVISORS_ONLY = "Only an advisor can change the database connection."
SIGN_IN_EXPIRED = "Your advisor sign-in has ended; sign in again."
PEM_FILTER = "PEM files (*.pem *.crt *.cer *.key);;All files (*)"
CHOOSER_TITLES = {"ssl_ca": "The CA certificate that signed the server's certificate",
                  "ssl_cert": "This computer's client certificate",
                  "ssl_key": "The client certificate's key"}


class DatabaseConnectionController(Feature):
    sig_connection_changed = Signal()  # saved: the app reconnects to the new database

    def __init__(self, context: FeatureContext, window: MainWindow,
                 dialog: DatabaseConnectionDialog, *, needs_advisor: bool = False,
                 choose_file: FileChooser | None = None) -> None:
        super().__init__(context)
        self._window = window
        self.dialog = dialog
        self.choose_file = choose_file or open_file_chooser(dialog)
        self._needs_advisor = needs_advisor
        self._advisor: SessionApi | None = None
        self._connect()

    def _connect(self) -> None:
        self._window.sig_database_connection_requested.connect(self.open)
        self.dialog.sig_sign_in_requested.connect(self._on_sign_in_requested)
        self.dialog.sig_test_requested.connect(self._on_test_requested)
        self.dialog.sig_save_requested.connect(self._on_save_requested)
        self.dialog.sig_browse_requested.connect(self._on_browse_requested)
        self.dialog.finished.connect(lambda _result: self._on_closed())

    def open(self) -> None:
        """Show the dialog; from the login screen only (nobody's session is open)."""
        if self._session.active or self.dialog.isVisible():
            return
        self.dialog.clear()
        self.own(self.dialog).show()
        if self._needs_advisor:
            self.dialog.show_advisor_sign_in()
        else:
            self._load()

    def _load(self) -> None:
        self._ops.public(lambda gateway: self._authorised(gateway).connection_settings(),
                         self._on_loaded, on_failure=self._on_failed,
                         busy=self.dialog.set_busy)

    def _on_loaded(self, stored: StoredConnection) -> None:
        if self.dialog.isVisible():
            self.dialog.show_settings(stored)

    def _on_browse_requested(self, field: str) -> None:
        path = self.choose_file(CHOOSER_TITLES[field], PEM_FILTER)
        if path is not None:
            self.dialog.set_path(field, str(path))

    # --- the kiosk's advisor --------------------------------------------------------------------

    def _on_sign_in_requested(self, email: str, password: str) -> None:
        if not email.strip() or not password:
            self.dialog.set_sign_in_error("Enter an advisor's email address and password.")
            return
        self.dialog.set_sign_in_error("")
        self._ops.public(lambda gateway: gateway.log_in(email, password), self._on_signed_in,
                         on_failure=self._on_sign_in_failed, busy=self.dialog.set_sign_in_busy)

    def _on_signed_in(self, api: SessionApi) -> None:
        self.dialog.clear_advisor_password()
        if not self.dialog.isVisible() or api.student.role is not Role.ADVISOR:
            api.end()
            self.dialog.set_sign_in_error(ADVISORS_ONLY if self.dialog.isVisible() else "")
            return
        self._advisor = api
        self._load()

    def _on_sign_in_failed(self, error: Exception) -> bool:
        self.dialog.clear_advisor_password()
        if isinstance(error, InvalidCredentials | LoginThrottled | ValidationError):
            self.dialog.set_sign_in_error(error.message)
            return True
        if isinstance(error, DomainError):
            self.dialog.set_sign_in_error(str(error))
            return True
        return False

    def _authorised(self, gateway: Gateway) -> Gateway:
        """On a kiosk, the gateway while the advisor's sign-in lasts (InvalidToken after)."""
        if self._needs_advisor:
            if self._advisor is None:
                raise InvalidToken(SIGN_IN_EXPIRED)
            self._advisor.check()
        return gateway

    def _end_advisor(self) -> None:
        advisor, self._advisor = self._advisor, None
        if advisor is not None:
            advisor.end()

    # --- test and save --------------------------------------------------------------------------

    def _on_test_requested(self, details: ConnectionDetails) -> None:
        self.dialog.set_error("")
        self.dialog.set_result("Testing the connection…")
        self._ops.public(lambda gateway: self._authorised(gateway).test_connection(details),
                         self._on_tested, on_failure=self._on_failed,
                         busy=self.dialog.set_busy)

    def _on_tested(self, report: ConnectionReport) -> None:
        if self.dialog.isVisible():
            self.dialog.set_result(f"Connected to {report.server}; the database is set up for "
                                   "this version of StudentRes.")

    def _on_save_requested(self, details: ConnectionDetails) -> None:
        self.dialog.set_error("")
        self._ops.public(lambda gateway: self._authorised(gateway).save_connection(details),
                         self._on_saved, on_failure=self._on_failed,
                         busy=self.dialog.set_busy)

    def _on_saved(self, stored: StoredConnection) -> None:
        self.dialog.clear_passwords()
        where = "the keyring" if stored.keyring_available else "the config file (mode 0600)"
        self._window.show_status(f"Database connection saved (password in {where}); "
                                 "connecting to it…")
        self.dialog.accept()
        self.sig_connection_changed.emit()

    def _on_failed(self, error: Exception) -> bool:
        if isinstance(error, InvalidToken) and self._needs_advisor:
            self._end_advisor()
            self.dialog.clear_passwords()
            self.dialog.show_advisor_sign_in()
            self.dialog.set_sign_in_error(SIGN_IN_EXPIRED)
            return True
        if isinstance(error, ValidationError):
            label = FIELD_LABELS.get(error.field)
            text = f"{label} {error.message}" if label else str(error)
            self.dialog.set_error(text, error.field)
            return True
        if isinstance(error, DomainError):  # ConnectionFailed says which problem it was
            self.dialog.set_error(str(error))
            return True
        return False

    # --- the end ------------------------------------------------------------------------------

    def _on_closed(self) -> None:
        self._end_advisor()
        self.dialog.clear_passwords()

    def clear(self) -> None:
        self._end_advisor()
        self.dialog.clear()
