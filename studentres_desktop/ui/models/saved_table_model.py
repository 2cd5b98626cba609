"""The student's saved resources: upcoming first, then undated, past (greyed) and removed ones."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QFont

from studentres_desktop.domain.models import RsvpStatus, SavedEntry
from studentres_desktop.ui import formatting
from studentres_desktop.ui.icons import kind_icon

Index = QModelIndex | QPersistentModelIndex
GREY = "#7a8394"


def note(entry: SavedEntry, status: RsvpStatus | None = None) -> str:
    """'Removed from the catalogue', 'Past', or the student's RSVP ('Going', 'Full', …)."""
    if entry.removed:
        return "Removed from the catalogue"
    if entry.past:
        return "Past"
    return status.label if status is not None else ""


class SavedTableModel(QAbstractTableModel):
    WHEN, TITLE, NOTE = range(3)
    HEADERS = ("When", "Title", "Your RSVP")

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._entries: list[SavedEntry] = []
        self._statuses: dict[str, RsvpStatus] = {}

    def set_entries(self, entries: Sequence[SavedEntry],
                    statuses: Mapping[str, RsvpStatus] | None = None) -> None:
        self.beginResetModel()
        self._entries = list(entries)
        self._statuses = dict(statuses or {})
        self.endResetModel()

    def clear(self) -> None:
        self.set_entries([])

    def entry(self, row: int) -> SavedEntry | None:
        return self._entries[row] if 0 <= row < len(self._entries) else None

    @property
    def entries(self) -> tuple[SavedEntry, ...]:
        return tuple(self._entries)

    def row_of(self, key: str) -> int:
        return next((row for row, e in enumerate(self._entries) if e.key == key), -1)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self._entries)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.HEADERS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        entry = self.entry(index.row()) if index.isValid() else None
        if entry is None:
            return None
        column = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            if column == self.WHEN:
                return formatting.short_date(entry.starts_at)
            if column == self.TITLE:
                return entry.title
            return note(entry, self._statuses.get(entry.key))
        if role == Qt.ItemDataRole.DecorationRole and column == self.TITLE and entry.resource:
            return kind_icon(entry.resource.kind)
        if role == Qt.ItemDataRole.ForegroundRole and (entry.past or entry.removed):
            return QColor(GREY)
        if role == Qt.ItemDataRole.FontRole and entry.removed and column == self.TITLE:
            font = QFont()
            font.setStrikeOut(True)
            return font
        if role == Qt.ItemDataRole.AccessibleTextRole:
            extra = note(entry, self._statuses.get(entry.key))
            return (f"{entry.title}, {formatting.short_date(entry.starts_at)}"
                    + (f", {extra.lower()}" if extra else ""))
        return None
