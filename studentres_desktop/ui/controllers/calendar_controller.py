"""Add to calendar: an .ics file for one resource, or for every saved one."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QStandardPaths, Qt
from PySide6.QtWidgets import QFileDialog, QMessageBox

from studentres_desktop.domain.errors import ValidationError
from studentres_desktop.domain.models import CalendarFile, Resource
from studentres_desktop.ui.controllers.errors import field_message
from studentres_desktop.ui.feature import Feature, FeatureContext
from studentres_desktop.ui.views.plan_actions_view import PlanActionsView
from studentres_desktop.ui.views.saved_view import SavedView

if TYPE_CHECKING:
    from studentres_desktop.services.session_api import SessionApi

# Given a suggested file name, where to write the calendar (None: the person cancelled).
ChooseFile = Callable[[str], Path | None]
ICS_FILTER = "Calendar files (*.ics)"
SKIPPED_SHOWN = 10


def file_name_for(title: str) -> str:
    """'Neural networks lab' → 'neural-networks-lab.ics'."""
    slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:60].strip("-")
    return f"{slug or 'resource'}.ics"


def written(work: Callable[[SessionApi], CalendarFile], path: Path,
            ) -> Callable[[SessionApi], CalendarFile]:
    """The work for the worker: build the calendar, then write it to `path`."""

    def build_and_write(api: SessionApi) -> CalendarFile:
        calendar = work(api)
        path.write_bytes(calendar.content)
        return calendar

    return build_and_write


def summary(calendar: CalendarFile, path: Path) -> str:
    events = f"{calendar.events} event{'s' if calendar.events != 1 else ''}"
    text = f"Wrote {events} to {path}."
    if calendar.skipped:
        shown = [f"• {title}" for title in calendar.skipped[:SKIPPED_SHOWN]]
        more = len(calendar.skipped) - SKIPPED_SHOWN
        if more > 0:
            shown.append(f"• and {more} more")
        text += ("\n\nLeft out (no date, or removed from the catalogue):\n" + "\n".join(shown))
    return text + "\n\nOpen the file with your calendar app to add the events."


class CalendarController(Feature):
    def __init__(self, context: FeatureContext, actions: PlanActionsView, saved: SavedView,
                 choose_file: ChooseFile | None = None, *, writes_files: bool = True) -> None:
        """`writes_files=False` on a kiosk: a shared machine keeps nobody's plan on its disk."""
        super().__init__(context)
        actions.set_calendar_available(writes_files)
        saved.set_calendar_available(writes_files)
        self._choose_file: ChooseFile = choose_file or self._ask_where
        self.message: QMessageBox | None = None  # the last outcome shown, while open
        actions.sig_calendar_requested.connect(self.add_resource)
        saved.sig_calendar_requested.connect(self.add_saved)

    def set_file_chooser(self, choose_file: ChooseFile) -> None:
        self._choose_file = choose_file

    def add_resource(self, resource: Resource) -> None:
        path = self._choose_file(file_name_for(resource.title))
        if path is not None:
            self._write(lambda api: api.calendar_for(resource), path)

    def add_saved(self) -> None:
        path = self._choose_file("my-saved-resources.ics")
        if path is not None:
            self._write(lambda api: api.calendar_for_saved(), path)

    def _write(self, work: Callable[[SessionApi], CalendarFile], path: Path) -> None:
        path = path if path.suffix.lower() == ".ics" else path.with_name(path.name + ".ics")
        self._ops.query(written(work, path), lambda calendar: self._on_written(calendar, path),
                        on_failure=lambda error: self._on_failed(error, path))

    def _on_written(self, calendar: CalendarFile, path: Path) -> None:
        self._tell(QMessageBox.Icon.Information, "Added to calendar", summary(calendar, path))

    def _on_failed(self, error: Exception, path: Path) -> bool:
        if isinstance(error, OSError):
            reason = error.strerror or "the file could not be written"
            self._tell(QMessageBox.Icon.Warning, "Calendar not written",
                       f"Could not write {path}: {reason}. Choose another folder.")
            return True
        if isinstance(error, ValidationError):
            self._tell(QMessageBox.Icon.Warning, "Calendar not written", field_message(error))
            return True
        return False

    def _tell(self, icon: QMessageBox.Icon, title: str, text: str) -> None:
        box = QMessageBox(icon, title, text, QMessageBox.StandardButton.Ok, self._dialog_parent)
        box.setObjectName("calendarMessage")
        box.setWindowModality(Qt.WindowModality.WindowModal)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.message = box
        box.destroyed.connect(lambda _obj=None, b=box: self._forget(b))
        self.own(box).open()

    def _forget(self, box: QMessageBox) -> None:
        if self.message is box:
            self.message = None

    def _ask_where(self, suggested: str) -> Path | None:
        """The save dialog; owned, so the end of a session closes it like any other."""
        folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
        dialog = QFileDialog(self._dialog_parent, "Add to calendar",
                             str(Path(folder) / suggested), ICS_FILTER)
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setDefaultSuffix("ics")
        dialog.setObjectName("calendarFileDialog")
        self.own(dialog)
        chosen = dialog.selectedFiles() if dialog.exec() == QFileDialog.DialogCode.Accepted else []
        dialog.deleteLater()
        return Path(chosen[0]) if chosen and self._session.active else None

    def clear(self) -> None:
        self.message = None
