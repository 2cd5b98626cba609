"""The login form."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QLineEdit, QProgressBar, QPushButton, QWidget

from studentres_desktop.ui.loader import child, load_ui_into
from studentres_desktop.ui.views._common import set_enabled, set_message


class LoginView(QWidget):
    sig_login_requested = Signal(str, str)  # email, password
    sig_register_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        load_ui_into(self, "login.ui")
        self.email_edit = child(self, QLineEdit, "emailEdit")
        self.password_edit = child(self, QLineEdit, "passwordEdit")
        self.login_button = child(self, QPushButton, "loginButton")
        self.register_link = child(self, QPushButton, "registerLink")
        self.error_label = child(self, QLabel, "errorLabel")
        self.notice_label = child(self, QLabel, "noticeLabel")
        self._busy_bar = child(self, QProgressBar, "busyBar")
        self._ready = True
        self._busy = False
        self._connect()
        self.set_busy(False)
        self.set_error("")
        self.set_notice("")

    def _connect(self) -> None:
        self.login_button.clicked.connect(self._submit)
        self.email_edit.returnPressed.connect(self._on_email_return)
        self.password_edit.returnPressed.connect(self._submit)
        self.register_link.clicked.connect(self.sig_register_requested)

    def _on_email_return(self) -> None:
        if self.password_edit.text():
            self._submit()
        else:
            self.password_edit.setFocus()

    def _submit(self) -> None:
        if self._busy or not self._ready:
            return
        self.sig_login_requested.emit(self.email_edit.text(), self.password_edit.text())

    # --- setters --------------------------------------------------------------------------------

    def set_busy(self, busy: bool) -> None:
        self._busy = busy
        self._busy_bar.setVisible(busy)
        set_enabled(not busy, self.email_edit, self.password_edit, self.register_link)
        self._update_button()

    def set_ready(self, ready: bool, waiting_text: str = "Connecting to the database…") -> None:
        """While not ready (the database is being prepared), logging in is not offered."""
        self._ready = ready
        self.login_button.setText("Log in" if ready else waiting_text)
        self._update_button()

    def _update_button(self) -> None:
        self.login_button.setEnabled(self._ready and not self._busy)

    def set_error(self, text: str) -> None:
        set_message(self.error_label, text)

    def set_notice(self, text: str) -> None:
        set_message(self.notice_label, text)

    def email(self) -> str:
        return self.email_edit.text()

    def focus_email(self) -> None:
        self.email_edit.setFocus()

    def focus_password(self) -> None:
        self.password_edit.setFocus()

    def set_email(self, email: str) -> None:
        self.email_edit.setText(email)

    def clear_password(self) -> None:
        self.password_edit.clear()

    def clear(self) -> None:
        self.email_edit.clear()
        self.password_edit.clear()
        self.set_error("")
        self.set_busy(False)

    def focus_first_empty(self) -> None:
        (self.password_edit if self.email_edit.text() else self.email_edit).setFocus()
