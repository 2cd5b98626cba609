"""A ranked list of recommendations: title and kind badge over the one-line reason."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt

from studentres_desktop.domain.models import Recommendation
from studentres_desktop.ui import formatting
from studentres_desktop.ui.icons import kind_icon
from studentres_desktop.ui.models.roles import DescriptionRole

Index = QModelIndex | QPersistentModelIndex


class RecommendationListModel(QAbstractListModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._items: list[Recommendation] = []

    def set_items(self, items: Sequence[Recommendation]) -> None:
        self.beginResetModel()
        self._items = list(items)
        self.endResetModel()

    def clear(self) -> None:
        self.set_items([])

    def item(self, row: int) -> Recommendation | None:
        return self._items[row] if 0 <= row < len(self._items) else None

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self._items)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        item = self.item(index.row()) if index.isValid() else None
        if item is None:
            return None
        resource = item.resource
        if role == Qt.ItemDataRole.DisplayRole:
            return resource.title
        if role == DescriptionRole:
            when = formatting.short_date(resource.starts_at)
            return f"{item.reason}  ·  {resource.kind.label}, {when}"
        if role == Qt.ItemDataRole.DecorationRole:
            return kind_icon(resource.kind)
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{resource.title}\n{item.reason}"
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{resource.kind.label}: {resource.title}. {item.reason}"
        return None
