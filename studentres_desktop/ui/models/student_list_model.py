"""The students an advisor's search found: name over email, role noted for advisors."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt

from studentres_desktop.domain.models import Role, StudentSummary

Index = QModelIndex | QPersistentModelIndex


class StudentListModel(QAbstractListModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._items: list[StudentSummary] = []

    def set_items(self, items: Sequence[StudentSummary]) -> None:
        self.beginResetModel()
        self._items = list(items)
        self.endResetModel()

    def clear(self) -> None:
        self.set_items([])

    def item(self, row: int) -> StudentSummary | None:
        return self._items[row] if 0 <= row < len(self._items) else None

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self._items)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        item = self.item(index.row()) if index.isValid() else None
        if item is None:
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            advisor = " (advisor)" if item.role is Role.ADVISOR else ""
            return f"{item.name}{advisor}\n{item.email}"
        if role == Qt.ItemDataRole.ToolTipRole:
            return item.email
        return None
