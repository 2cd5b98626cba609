"""Asking where a file is or should go; tests replace these with a function returning a path."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QWidget

# (title, name filter) -> the chosen path, or None when the person cancelled.
FileChooser = Callable[[str, str], Path | None]


def open_file_chooser(parent: QWidget) -> FileChooser:
    def choose(title: str, name_filter: str) -> Path | None:
        chosen, _filter = QFileDialog.getOpenFileName(parent, title, "", name_filter)
        return Path(chosen) if chosen else None

    return choose


def save_file_chooser(parent: QWidget, suggested: str = "") -> FileChooser:
    def choose(title: str, name_filter: str) -> Path | None:
        chosen, _filter = QFileDialog.getSaveFileName(parent, title, suggested, name_filter)
        return Path(chosen) if chosen else None

    return choose
