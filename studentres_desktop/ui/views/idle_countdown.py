"""The kiosk's last-seconds warning: a countdown and 'I'm still here'."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QDialog, QLabel, QPushButton, QWidget

from studentres_desktop.ui.loader import child, load_ui_into


class IdleCountdown(QDialog):
    sig_still_here = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        load_ui_into(self, "idle_countdown.ui")
        self.countdown_label = child(self, QLabel, "countdownLabel")
        self.still_here_button = child(self, QPushButton, "stillHereButton")
        # Not modal: a touch or a key anywhere in the app counts as being there.
        self.setWindowModality(Qt.WindowModality.NonModal)
        self.still_here_button.clicked.connect(self.sig_still_here)

    def set_seconds_left(self, seconds: int) -> None:
        unit = "second" if seconds == 1 else "seconds"
        self.countdown_label.setText(
            f"For your privacy you will be logged out in {seconds} {unit}. Touch the screen, "
            "press a key, or choose \u201cI'm still here\u201d to stay.")

    def seconds_text(self) -> str:
        return self.countdown_label.text()
