"""Small helpers the views share."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget


def set_message(label: QLabel, text: str) -> None:
    """Show plain text in a message label, or hide the label when there is nothing to say."""
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setText(text)
    label.setVisible(bool(text))


def set_enabled(enabled: bool, *widgets: QWidget) -> None:
    for widget in widgets:
        widget.setEnabled(enabled)
