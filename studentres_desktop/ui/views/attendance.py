"""Who is going to a resource and who waits for a place, in order, for its organiser."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QTableView, QWidget

from studentres_desktop.domain.models import Attendance, Attendee
from studentres_desktop.ui.formatting import short_date
from studentres_desktop.ui.loader import child, load_ui_into


class AttendanceDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        load_ui_into(self, "attendance.ui")
        self.resource_label = child(self, QLabel, "resourceLabel")
        self.summary_label = child(self, QLabel, "summaryLabel")
        self.going_table = child(self, QTableView, "goingTable")
        self.waitlist_table = child(self, QTableView, "waitlistTable")
        self.buttons = child(self, QDialogButtonBox, "buttons")
        for label in (self.resource_label, self.summary_label):
            label.setTextFormat(Qt.TextFormat.PlainText)
        self.going = QStandardItemModel(self)
        self.waitlist = QStandardItemModel(self)
        self.going_table.setModel(self.going)
        self.waitlist_table.setModel(self.waitlist)
        self.buttons.rejected.connect(self.reject)
        self.clear()

    def show_attendance(self, attendance: Attendance) -> None:
        resource = attendance.resource
        self.setWindowTitle(f"Attendance: {resource.title}")
        self.resource_label.setText(f"{resource.title}\n{short_date(resource.starts_at)}")
        going, waiting = len(attendance.going), len(attendance.waitlisted)
        if resource.capacity is None:
            summary = "This resource takes no RSVPs: it has no limit on places."
        else:
            left = max(resource.capacity - going, 0)
            summary = (f"{going} going of {resource.capacity} places ({left} left); "
                       f"{waiting} on the waitlist.")
        self.summary_label.setText(summary)
        _fill(self.going, "#", attendance.going, numbered=True)
        _fill(self.waitlist, "Position", attendance.waitlisted, numbered=False)
        for table in (self.going_table, self.waitlist_table):
            table.resizeColumnsToContents()

    def clear(self) -> None:
        """Close, and forget the names: they are other students' data."""
        self.reject()
        self.setWindowTitle("Attendance")
        self.resource_label.clear()
        self.summary_label.clear()
        self.going.clear()
        self.waitlist.clear()


def _fill(model: QStandardItemModel, first: str, people: Sequence[Attendee], *,
          numbered: bool) -> None:
    model.clear()
    model.setHorizontalHeaderLabels([first, "Name", "Email", "Since"])
    for number, person in enumerate(people, 1):
        place = number if numbered or person.position is None else person.position
        items = [QStandardItem(str(place)), QStandardItem(person.name),
                 QStandardItem(person.email), QStandardItem(short_date(person.since))]
        for item in items:
            item.setEditable(False)
        model.appendRow(items)
