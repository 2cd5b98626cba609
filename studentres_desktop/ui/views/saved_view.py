"""The 'Saved' tab: the student's saved resources, with unsave and add-all-to-calendar."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from PySide6.QtCore import QEvent, QItemSelection, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent, QShowEvent
from PySide6.QtWidgets import (
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QStackedWidget,
    QTableView,
    QWidget,
)

from studentres_desktop.domain.models import RsvpStatus, SavedEntry
from studentres_desktop.ui.loader import child, load_ui_into
from studentres_desktop.ui.models.saved_table_model import SavedTableModel


class SavedView(QWidget):
    sig_shown = Signal()
    sig_selected = Signal(object)  # SavedEntry or None
    sig_unsave_requested = Signal(object)  # SavedEntry
    sig_calendar_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        load_ui_into(self, "saved.ui")
        self.table = child(self, QTableView, "savedTable")
        self.stack = child(self, QStackedWidget, "savedStack")
        self.empty_page = child(self, QWidget, "emptyPage")
        self.empty_label = child(self, QLabel, "emptyLabel")
        self.count_label = child(self, QLabel, "countLabel")
        self.unsave_button = child(self, QPushButton, "unsaveButton")
        self.calendar_button = child(self, QPushButton, "calendarAllButton")
        self._busy_bar = child(self, QProgressBar, "busyBar")
        self.model = SavedTableModel(self)
        self.table.setModel(self.model)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(SavedTableModel.TITLE, QHeaderView.ResizeMode.Stretch)
        self.table.setColumnWidth(SavedTableModel.WHEN, 170)
        header.setSectionResizeMode(SavedTableModel.NOTE, QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(False)
        self.table.setColumnWidth(SavedTableModel.NOTE, 190)
        self.table.verticalHeader().setDefaultSectionSize(30)
        self.table.selectionModel().selectionChanged.connect(self._on_selection_changed)
        self.table.installEventFilter(self)
        self.unsave_button.clicked.connect(self._unsave_selected)
        self.calendar_button.clicked.connect(self.sig_calendar_requested)
        self.set_busy(False)
        self.set_entries([])

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt override)
        super().showEvent(event)
        self.sig_shown.emit()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt override)
        """Delete in the list unsaves the selected resource."""
        if (watched is self.table and event.type() == QEvent.Type.KeyPress
                and isinstance(event, QKeyEvent)
                and event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace)):
            self._unsave_selected()
            return True
        return super().eventFilter(watched, event)

    def _selected(self) -> SavedEntry | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.entry(rows[0].row()) if rows else None

    def _on_selection_changed(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        entry = self._selected()
        self.unsave_button.setEnabled(entry is not None)
        self.sig_selected.emit(entry)

    def _unsave_selected(self) -> None:
        entry = self._selected()
        if entry is not None:
            self.sig_unsave_requested.emit(entry)

    # --- setters --------------------------------------------------------------------------------

    def set_entries(self, entries: Sequence[SavedEntry],
                    statuses: Mapping[str, RsvpStatus] | None = None) -> None:
        """Show these entries (with the RSVP status of those that take RSVPs), keeping the
        selection on the same resource where it still is."""
        selected = self._selected()
        self.model.set_entries(entries, statuses)
        self.stack.setCurrentWidget(self.table if entries else self.empty_page)
        self.calendar_button.setEnabled(bool(entries))
        upcoming = sum(1 for e in entries if not (e.past or e.removed))
        self.count_label.setText(
            f"{len(entries)} saved, {upcoming} still to come" if entries else "")
        row = self.model.row_of(selected.key) if selected is not None else -1
        if row >= 0:
            self.table.selectRow(row)
        self.unsave_button.setEnabled(row >= 0)

    def set_calendar_available(self, available: bool) -> None:
        """A kiosk writes no files: it offers no calendar."""
        self.calendar_button.setVisible(available)

    def set_busy(self, busy: bool) -> None:
        self._busy_bar.setVisible(busy)

    def clear(self) -> None:
        self.table.clearSelection()
        self.set_entries([])
