"""The resource list as a Qt table model that fetches its rows page by page on demand."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)

from studentres_desktop.domain.models import Resource, ResourcePage, SortOrder
from studentres_desktop.ui import formatting
from studentres_desktop.ui.icons import kind_icon

Index = QModelIndex | QPersistentModelIndex


class ResourceTableModel(QAbstractTableModel):
    """Rows arrive in pages; when a view scrolls to the end, `sig_fetch_requested` asks for more.

    Each load has a generation number, so a page that arrives after the filter changed is dropped.
    """

    KIND, TITLE, INTERESTS, WHEN, WHERE = range(5)
    HEADERS = ("Kind", "Title", "Interests", "When", "Where")

    sig_fetch_requested = Signal(int, int)  # generation, offset
    sig_sort_requested = Signal(object)  # SortOrder

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[Resource] = []
        self._has_more = False
        self._loading = False
        self._generation = 0
        self._labels: Mapping[str, str] = {}
        self._sort = SortOrder.RELEVANCE

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
        return True

    def load_failed(self, generation: int) -> None:
        if generation == self._generation:
            self._loading = False

    def set_interest_labels(self, labels: Mapping[str, str]) -> None:
        self._labels = dict(labels)

    def set_sort_order(self, order: SortOrder) -> None:
        self._sort = order

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
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.HEADERS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        resource = self.resource(index.row()) if index.isValid() else None
        if resource is None:
            return None
        column = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
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
            return f"{resource.kind.label}: {resource.title}, {formatting.when(resource)}"
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Only title and date sort (in the database); other columns keep the current order."""
        wanted = {self.TITLE: SortOrder.TITLE, self.WHEN: SortOrder.DATE}.get(column)
        if wanted is not None and wanted is not self._sort:
            self._sort = wanted
            self.sig_sort_requested.emit(wanted)
