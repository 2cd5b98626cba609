"""The detail pane's plan row: save or unsave, RSVP or cancel, add to calendar."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QLabel, QPushButton, QWidget

from studentres_desktop.domain.models import Resource, RsvpState, RsvpStatus
from studentres_desktop.ui import formatting
from studentres_desktop.ui.loader import child, load_ui_into
from studentres_desktop.ui.views._common import set_message


class PlanActionsView(QWidget):
    sig_save_requested = Signal(object)  # Resource
    sig_unsave_requested = Signal(object)  # Resource
    sig_rsvp_requested = Signal(object)  # Resource
    sig_cancel_rsvp_requested = Signal(object)  # Resource
    sig_calendar_requested = Signal(object)  # Resource

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        load_ui_into(self, "plan_actions.ui")
        self.status_label = child(self, QLabel, "rsvpStatusLabel")
        self.save_button = child(self, QPushButton, "saveButton")
        self.rsvp_button = child(self, QPushButton, "rsvpButton")
        self.calendar_button = child(self, QPushButton, "calendarButton")
        # Ctrl+S saves or unsaves whatever the detail pane shows, from the table or a list.
        self.save_button.setShortcut(QKeySequence(Qt.Modifier.CTRL | Qt.Key.Key_S))
        self._resource: Resource | None = None
        self._saved = False
        self._status: RsvpStatus | None = None
        self._calendar_available = True
        self.save_button.clicked.connect(self._on_save_clicked)
        self.rsvp_button.clicked.connect(self._on_rsvp_clicked)
        self.calendar_button.clicked.connect(self._on_calendar_clicked)
        self.show_resource(None)

    def _on_save_clicked(self) -> None:
        if self._resource is not None and self.save_button.isEnabled():
            signal = self.sig_unsave_requested if self._saved else self.sig_save_requested
            signal.emit(self._resource)

    def _on_rsvp_clicked(self) -> None:
        if self._resource is None or self._status is None:
            return
        if self._status.state in (RsvpState.GOING, RsvpState.WAITLISTED):
            self.sig_cancel_rsvp_requested.emit(self._resource)
        else:
            self.sig_rsvp_requested.emit(self._resource)

    def _on_calendar_clicked(self) -> None:
        if self._resource is not None:
            self.sig_calendar_requested.emit(self._resource)

    # --- setters --------------------------------------------------------------------------------

    @property
    def resource(self) -> Resource | None:
        return self._resource

    def show_resource(self, resource: Resource | None) -> None:
        """A new resource in the detail pane: its marks are unknown until `set_saved`/`set_rsvp`."""
        self._resource = resource
        self._status = None
        self.setVisible(resource is not None)
        self.save_button.setEnabled(False)
        self.set_saved(False)
        self.save_button.setEnabled(False)
        self.rsvp_button.setVisible(False)
        set_message(self.status_label, "")
        dated = resource is not None and resource.starts_at is not None
        self.calendar_button.setVisible(self._calendar_available)
        self.calendar_button.setEnabled(dated)
        self.calendar_button.setToolTip(
            "Save an .ics file that calendar apps can import" if dated
            else "This resource has no date, so it cannot go in a calendar.")

    def set_saved(self, saved: bool) -> None:
        self._saved = saved
        self.save_button.setEnabled(self._resource is not None)
        self.save_button.setText("★ &Saved" if saved else "☆ &Save")
        self.save_button.setAccessibleName("Unsave this resource" if saved
                                           else "Save this resource")
        self.save_button.setToolTip("Saved: press to remove it from your list (Ctrl+S)" if saved
                                    else "Save this resource to your list (Ctrl+S)")
        self.save_button.setShortcut(QKeySequence(Qt.Modifier.CTRL | Qt.Key.Key_S))

    def set_calendar_available(self, available: bool) -> None:
        """A kiosk writes no files: it offers no calendar."""
        self._calendar_available = available
        self.calendar_button.setVisible(available)

    def set_rsvp(self, status: RsvpStatus | None) -> None:
        """The student's RSVP standing; None or no capacity: no RSVP at all."""
        self._status = status
        takes_rsvps = status is not None and status.state is not RsvpState.NO_CAPACITY
        self.rsvp_button.setVisible(takes_rsvps)
        if status is None or not takes_rsvps:
            set_message(self.status_label, "")
            return
        action = formatting.RSVP_ACTIONS[status.state]
        self.rsvp_button.setText(action)
        self.rsvp_button.setAccessibleName(action)
        self.rsvp_button.setEnabled(True)
        self._show_status(formatting.rsvp_detail(status), status.state.value)

    def set_rsvp_refused(self, message: str) -> None:
        """The service said no (the resource is over, or gone): say why where the status was."""
        self._show_status(message, "refused")

    def _show_status(self, text: str, state: str) -> None:
        set_message(self.status_label, text)
        if self.status_label.property("state") != state:
            self.status_label.setProperty("state", state)
            self.status_label.style().unpolish(self.status_label)
            self.status_label.style().polish(self.status_label)

    def set_busy(self, busy: bool) -> None:
        for button in (self.save_button, self.rsvp_button):
            button.setEnabled(not busy and self._resource is not None)

    def focus_chain(self) -> tuple[QWidget, ...]:
        return self.rsvp_button, self.save_button, self.calendar_button

    def clear(self) -> None:
        self.show_resource(None)
