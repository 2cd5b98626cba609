"""The "Database connection" dialog: IT edits where the database is and tests it.

On a kiosk it opens on an advisor sign-in page first. It shows no stored password: an empty
password field means "keep the stored one".
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QStackedWidget,
    QWidget,
)

from studentres_desktop.domain.connection import ConnectionDetails, StoredConnection
from studentres_desktop.ui.loader import child, load_ui_into
from studentres_desktop.ui.views._common import set_enabled, set_message


class DatabaseConnectionDialog(QDialog):
    sig_sign_in_requested = Signal(str, str)  # advisor email, password
    sig_test_requested = Signal(object)  # ConnectionDetails
    sig_save_requested = Signal(object)  # ConnectionDetails
    sig_browse_requested = Signal(str)  # the field: ssl_ca, ssl_cert or ssl_key

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        load_ui_into(self, "database_connection.ui")
        self.pages = child(self, QStackedWidget, "pages")
        self.advisor_page = child(self, QWidget, "advisorPage")
        self.settings_page = child(self, QWidget, "settingsPage")
        self.advisor_email_edit = child(self, QLineEdit, "advisorEmailEdit")
        self.advisor_password_edit = child(self, QLineEdit, "advisorPasswordEdit")
        self.advisor_error_label = child(self, QLabel, "advisorErrorLabel")
        self.sign_in_button = child(self, QPushButton, "signInButton")
        self.edits = {
            "host": child(self, QLineEdit, "hostEdit"),
            "port": child(self, QLineEdit, "portEdit"),
            "database": child(self, QLineEdit, "databaseEdit"),
            "user": child(self, QLineEdit, "userEdit"),
            "password": child(self, QLineEdit, "passwordEdit"),
            "ssl_ca": child(self, QLineEdit, "caFileEdit"),
            "ssl_cert": child(self, QLineEdit, "clientCertEdit"),
            "ssl_key": child(self, QLineEdit, "clientKeyEdit"),
        }
        self.browse_buttons = {
            "ssl_ca": child(self, QPushButton, "caFileBrowseButton"),
            "ssl_cert": child(self, QPushButton, "clientCertBrowseButton"),
            "ssl_key": child(self, QPushButton, "clientKeyBrowseButton"),
        }
        self.verify_cert_check = child(self, QCheckBox, "verifyCertCheck")
        self.verify_host_check = child(self, QCheckBox, "verifyHostCheck")
        self.override_label = child(self, QLabel, "overrideLabel")
        self.password_notice_label = child(self, QLabel, "passwordNoticeLabel")
        self.error_label = child(self, QLabel, "errorLabel")
        self.result_label = child(self, QLabel, "resultLabel")
        self.test_button = child(self, QPushButton, "testButton")
        self.save_button = child(self, QPushButton, "saveButton")
        self._busy_bar = child(self, QProgressBar, "busyBar")
        self.buttons = child(self, QDialogButtonBox, "buttons")
        self._connect()
        self.clear()

    def _connect(self) -> None:
        self.sign_in_button.clicked.connect(self._submit_sign_in)
        self.advisor_password_edit.returnPressed.connect(self._submit_sign_in)
        self.test_button.clicked.connect(lambda: self.sig_test_requested.emit(self.details()))
        self.save_button.clicked.connect(lambda: self.sig_save_requested.emit(self.details()))
        self.edits["ssl_ca"].textChanged.connect(self._update_verify_options)
        self.edits["ssl_cert"].textChanged.connect(self._update_verify_options)
        for field, button in self.browse_buttons.items():
            button.clicked.connect(
                lambda _checked=False, f=field: self.sig_browse_requested.emit(f))
        self.buttons.rejected.connect(self.reject)

    def _submit_sign_in(self) -> None:
        if self.sign_in_button.isEnabled():
            self.sig_sign_in_requested.emit(self.advisor_email_edit.text(),
                                            self.advisor_password_edit.text())

    def _update_verify_options(self) -> None:
        """The verification options apply to a TLS connection set up with a CA or client file."""
        tls = bool(self.edits["ssl_ca"].text().strip() or self.edits["ssl_cert"].text().strip())
        set_enabled(tls, self.verify_cert_check, self.verify_host_check)

    # --- getters --------------------------------------------------------------------------------

    def details(self) -> ConnectionDetails:
        text = {name: edit.text() for name, edit in self.edits.items()}
        return ConnectionDetails(
            host=text["host"], port=text["port"], database=text["database"], user=text["user"],
            password=text["password"], ssl_ca=text["ssl_ca"],
            verify_cert=self.verify_cert_check.isChecked(),
            verify_identity=self.verify_host_check.isChecked(),
            ssl_cert=text["ssl_cert"], ssl_key=text["ssl_key"])

    def on_advisor_page(self) -> bool:
        return self.pages.currentWidget() is self.advisor_page

    # --- setters --------------------------------------------------------------------------------

    def show_advisor_sign_in(self) -> None:
        self.pages.setCurrentWidget(self.advisor_page)
        self.advisor_email_edit.setFocus()

    def show_settings(self, stored: StoredConnection) -> None:
        """Fill the form from the config file; the password field stays empty."""
        self.advisor_password_edit.clear()
        self.pages.setCurrentWidget(self.settings_page)
        details = stored.details
        for name in ("host", "port", "database", "user", "ssl_ca", "ssl_cert", "ssl_key"):
            self.edits[name].setText(getattr(details, name))
        self.edits["password"].clear()
        self.edits["password"].setPlaceholderText(
            "unchanged (a password is stored)" if stored.password_stored else "")
        self.verify_cert_check.setChecked(details.verify_cert)
        self.verify_host_check.setChecked(details.verify_identity)
        self._update_verify_options()
        set_message(self.override_label, (
            f"The app uses the database given by {stored.overridden_by} now; what you save here "
            f"goes to {stored.config_file} and applies when {stored.overridden_by} is not set."
            if stored.overridden_by else f"These settings are kept in {stored.config_file}."))
        self.set_password_store(stored.keyring_available)
        self.edits["host"].setFocus()

    def set_password_store(self, keyring_available: bool) -> None:
        """Where a saved password goes; without a keyring, a visible warning."""
        self.password_notice_label.setProperty("role", "notice" if keyring_available
                                               else "warning")
        self.password_notice_label.style().unpolish(self.password_notice_label)
        self.password_notice_label.style().polish(self.password_notice_label)
        set_message(self.password_notice_label, (
            "The password is kept in this computer's keyring." if keyring_available else
            "Warning: there is no keyring on this computer, so the password is saved in the "
            "config file, readable by this account only (mode 0600)."))

    def set_path(self, field: str, path: str) -> None:
        self.edits[field].setText(path)
        self.edits[field].setFocus()

    def set_sign_in_error(self, text: str) -> None:
        set_message(self.advisor_error_label, text)

    def set_sign_in_busy(self, busy: bool) -> None:
        set_enabled(not busy, self.advisor_email_edit, self.advisor_password_edit,
                    self.sign_in_button)

    def clear_advisor_password(self) -> None:
        self.advisor_password_edit.clear()

    def set_error(self, text: str, field: str | None = None) -> None:
        """Show what is wrong; with `field`, that field takes the focus."""
        set_message(self.error_label, text)
        if text:
            set_message(self.result_label, "")
        if field in self.edits:
            self.edits[field].setFocus()
            self.edits[field].selectAll()

    def set_result(self, text: str) -> None:
        set_message(self.result_label, text)
        if text:
            set_message(self.error_label, "")

    def set_busy(self, busy: bool) -> None:
        self._busy_bar.setVisible(busy)
        set_enabled(not busy, self.test_button, self.save_button)

    def clear_passwords(self) -> None:
        self.edits["password"].clear()
        self.advisor_password_edit.clear()

    def clear(self) -> None:
        """Close, and forget every value typed: the passwords first."""
        self.reject()
        self.clear_passwords()
        self.advisor_email_edit.clear()
        for edit in self.edits.values():
            edit.clear()
        self.set_error("")
        self.set_result("")
        self.set_sign_in_error("")
        set_message(self.override_label, "")
        set_message(self.password_notice_label, "")
        self.set_busy(False)
        self.set_sign_in_busy(False)
        self._update_verify_options()
