"""The organiser's list for the selected resource: who is going, and the waitlist in order."""

from __future__ import annotations

from studentres_desktop.domain.models import Attendance, Resource
from studentres_desktop.ui.feature import Feature, FeatureContext
from studentres_desktop.ui.ops import Change
from studentres_desktop.ui.views.attendance import AttendanceDialog
from studentres_desktop.ui.views.browser_view import BrowserView
from studentres_desktop.ui.views.main_window import MainWindow

NOTHING_SELECTED = "Select a resource in the list first, then ask for its attendance."


class AttendanceController(Feature):
    def __init__(self, context: FeatureContext, window: MainWindow, browser: BrowserView,
                 dialog: AttendanceDialog) -> None:
        super().__init__(context)
        self._window = window
        self.dialog = dialog
        self._selected: Resource | None = None
        self._shown: Resource | None = None
        window.sig_attendance_requested.connect(self.open)
        browser.sig_resource_selected.connect(self._on_selected)
        self._changes.sig_changed.connect(self._on_changed)

    def _on_selected(self, resource: Resource | None) -> None:
        self._selected = resource

    def open(self) -> None:
        resource = self._selected
        if resource is None:
            self._window.show_status(NOTHING_SELECTED, 10_000)
            return
        self._shown = resource
        self._ops.query(lambda api: api.attendees(resource), self._show, busy=self._loading)

    def _loading(self, _busy: bool) -> None:
        """Only there so that asking twice quickly loads once."""

    def _show(self, attendance: Attendance) -> None:
        self.dialog.show_attendance(attendance)
        if not self.dialog.isVisible():
            self.own(self.dialog).open()

    def _on_changed(self, _change: Change) -> None:
        shown = self._shown
        if shown is not None and self.dialog.isVisible():
            self._ops.query(lambda api: api.attendees(shown), self._show, busy=self._loading)

    def clear(self) -> None:
        self._selected = self._shown = None
        self.dialog.clear()
