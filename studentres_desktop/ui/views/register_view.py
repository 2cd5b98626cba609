"""The registration form, with a message under each field."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QLineEdit, QProgressBar, QPushButton, QWidget

from studentres_desktop.ui.loader import child, load_ui_into
from studentres_desktop.ui.views._common import set_enabled, set_message

FIELDS = ("name", "email", "password", "confirm")


class RegisterView(QWidget):
    sig_register_requested = Signal(str, str, str, str)  # name, email, password, confirmation
    sig_field_edited = Signal(str)  # field name, while typing
    sig_field_left = Signal(str)  # field name, when focus leaves it
    sig_back_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        load_ui_into(self, "register.ui")
        self.edits = {
            "name": child(self, QLineEdit, "nameEdit"),
            "email": child(self, QLineEdit, "emailEdit"),
            "password": child(self, QLineEdit, "passwordEdit"),
            "confirm": child(self, QLineEdit, "confirmEdit"),
        }
        self.errors = {
            "name": child(self, QLabel, "nameError"),
            "email": child(self, QLabel, "emailError"),
            "password": child(self, QLabel, "passwordError"),
            "confirm": child(self, QLabel, "confirmError"),
        }
        self.form_error = child(self, QLabel, "formError")
        self.register_button = child(self, QPushButton, "registerButton")
        self.back_link = child(self, QPushButton, "loginLink")
        self._busy_bar = child(self, QProgressBar, "busyBar")
        self._busy = False
        self._connect()
        self.clear()

    def _connect(self) -> None:
        for field, edit in self.edits.items():
            edit.textEdited.connect(lambda _text, f=field: self.sig_field_edited.emit(f))
            edit.editingFinished.connect(lambda f=field: self.sig_field_left.emit(f))
            edit.returnPressed.connect(self._submit)
        self.register_button.clicked.connect(self._submit)
        self.back_link.clicked.connect(self.sig_back_requested)

    def _submit(self) -> None:
        if self._busy:
            return
        values = self.values()
        self.sig_register_requested.emit(
            values["name"], values["email"], values["password"], values["confirm"]
        )

    # --- getters and setters --------------------------------------------------------------------

    def values(self) -> dict[str, str]:
        return {field: edit.text() for field, edit in self.edits.items()}

    def set_email(self, email: str) -> None:
        self.edits["email"].setText(email)

    def set_field_error(self, field: str, text: str) -> None:
        set_message(self.errors[field], text)
        self.edits[field].setProperty("invalid", bool(text))
        self.edits[field].style().polish(self.edits[field])

    def field_error(self, field: str) -> str:
        return self.errors[field].text() if self.errors[field].isVisible() else ""

    def set_form_error(self, text: str) -> None:
        set_message(self.form_error, text)

    def set_busy(self, busy: bool) -> None:
        self._busy = busy
        self._busy_bar.setVisible(busy)
        set_enabled(not busy, self.register_button, self.back_link, *self.edits.values())

    def focus_field(self, field: str) -> None:
        self.edits[field].setFocus()

    def clear(self) -> None:
        for field in FIELDS:
            self.edits[field].clear()
            self.set_field_error(field, "")
        self.set_form_error("")
        self.set_busy(False)
