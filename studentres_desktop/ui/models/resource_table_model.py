"""The resource list as a Qt table model that fetches its rows page by page on demand."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor

from studentres_desktop.domain.models import Resource, ResourcePage, RsvpStatus, SortOrder
from studentres_desktop.ui import formatting
from studentres_desktop.ui.icons import kind_icon

Index = QModelIndex | QPersistentModelIndex


class ResourceTableModel(QAbstractTableModel):
    """Rows arrive in pages; when a view scrolls to the end, `sig_fetch_requested` asks for more.

    Each load has a generation number, so a page that arrives after the filter changed is dropped.
    The student's marks (saved or not, RSVP status) arrive separately, for a page at a time.
    """

    SAVED, KIND, TITLE, INTERESTS, WHEN, WHERE, PLACES = range(7)
    HEADERS = ("★", "Kind", "Title", "Interests", "When", "Where", "Places")
    SAVED_STAR, UNSAVED_STAR = "★", "☆"

    sig_fetch_requested = Signal(int, int)  # generation, offset
    sig_sort_requested = Signal(object)  # SortOrder
    sig_page_added = Signal(object)  # the tuple of Resources just added

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[Resource] = []
        self._has_more = False
        self._loading = False
        self._generation = 0
        self._labels: Mapping[str, str] = {}
        self._sort = SortOrder.RELEVANCE
        self._saved: set[str] = set()
        self._statuses: dict[str, RsvpStatus] = {}

    # --- loading --------------------------------------------------------------------------------

    @property
    def generation(self) -> int:
        return self._generation

    def restart(self) -> int:
        """Forget every row; returns the generation the next pages must carry."""
        self.beginResetModel()
        self._rows = []
        self._has_more = False
        self._loading = True
        self._generation += 1
        self.endResetModel()
        return self._generation

    def clear(self) -> None:
        self.restart()
        self._loading = False
        self._saved.clear()
        self._statuses.clear()

    def add_page(self, generation: int, page: ResourcePage) -> bool:
        """Append a page of the current generation; False (and nothing changes) for a stale one."""
        if generation != self._generation or page.offset != len(self._rows):
            return False
        self._loading = False
        self._has_more = page.has_more
        if page.items:
            first = len(self._rows)
            self.beginInsertRows(QModelIndex(), first, first + len(page.items) - 1)
            self._rows.extend(page.items)
            self.endInsertRows()
            self.sig_page_added.emit(page.items)
        return True

    def load_failed(self, generation: int) -> None:
        if generation == self._generation:
            self._loading = False

    def set_interest_labels(self, labels: Mapping[str, str]) -> None:
        self._labels = dict(labels)

    def set_sort_order(self, order: SortOrder) -> None:
        self._sort = order

    # --- the student's marks ----------------------------------------------------------------------

    def set_marks(self, keys: Iterable[str], saved: Iterable[str],
                  statuses: Mapping[str, RsvpStatus]) -> None:
        """What the student saved and their RSVP status, for the resources with these keys."""
        keys = set(keys)
        self._saved = (self._saved - keys) | (set(saved) & keys)
        for key in keys:
            self._statuses.pop(key, None)
        self._statuses.update({k: v for k, v in statuses.items() if k in keys})
        self._marks_changed()

    def set_saved(self, key: str, saved: bool) -> None:
        if saved:
            self._saved.add(key)
        else:
            self._saved.discard(key)
        self._marks_changed()

    def set_status(self, status: RsvpStatus) -> None:
        self._statuses[status.key] = status
        self._marks_changed()

    def is_saved(self, key: str) -> bool:
        return key in self._saved

    def status(self, key: str) -> RsvpStatus | None:
        return self._statuses.get(key)

    def _marks_changed(self) -> None:
        if self._rows:
            self.dataChanged.emit(self.index(0, self.SAVED),
                                  self.index(len(self._rows) - 1, self.PLACES))

    def resource(self, row: int) -> Resource | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    @property
    def resources(self) -> tuple[Resource, ...]:
        return tuple(self._rows)

    @property
    def loading(self) -> bool:
        return self._loading

    # --- Qt model interface ---------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def canFetchMore(self, parent: Index) -> bool:  # noqa: N802
        return not parent.isValid() and self._has_more and not self._loading

    def fetchMore(self, parent: Index) -> None:  # noqa: N802
        if self.canFetchMore(parent):
            self._loading = True
            self.sig_fetch_requested.emit(self._generation, len(self._rows))

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.HEADERS[section]
        if section == self.SAVED and role in (Qt.ItemDataRole.ToolTipRole,
                                              Qt.ItemDataRole.AccessibleTextRole):
            return "Saved (click a star, or select a row and press Ctrl+S, to save or unsave)"
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        resource = self.resource(index.row()) if index.isValid() else None
        if resource is None:
            return None
        column = index.column()
        saved = resource.key in self._saved
        status = self._statuses.get(resource.key)
        if column == self.SAVED:
            return self._star(saved, role)
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            if column == self.PLACES:
                return status.label if status is not None else ""
            if column == self.KIND:
                return resource.kind.label
            if column == self.TITLE:
                return resource.title
            if column == self.INTERESTS:
                return formatting.interests(resource, self._labels)
            if column == self.WHEN:
                return formatting.short_date(resource.starts_at)
            if column == self.WHERE:
                return resource.location or "—"
        if role == Qt.ItemDataRole.DecorationRole and column == self.KIND:
            return kind_icon(resource.kind)
        if role == Qt.ItemDataRole.AccessibleTextRole:
            marks = "".join(f", {mark}" for mark in (
                "saved" if saved else "", status.label if status is not None else "") if mark)
            return f"{resource.kind.label}: {resource.title}, {formatting.when(resource)}{marks}"
        return None

    def _star(self, saved: bool, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            return self.SAVED_STAR if saved else self.UNSAVED_STAR
        if role == Qt.ItemDataRole.ToolTipRole:
            return ("Saved: click, or press Ctrl+S, to unsave" if saved
                    else "Click, or press Ctrl+S, to save")
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return "Saved" if saved else "Not saved"
        if role == Qt.ItemDataRole.ForegroundRole:
            return QColor("#c98a00" if saved else "#8a93a3")
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return Qt.AlignmentFlag.AlignCenter
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Only title and date sort (in the database); other columns keep the current order."""
        wanted = {self.TITLE: SortOrder.TITLE, self.WHEN: SortOrder.DATE}.get(column)
        if wanted is not None and wanted is not self._sort:
            self._sort = wanted
            self.sig_sort_requested.emit(wanted)
