"""The interest vocabulary as a checkable list model; the primary interest carries a star."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt, Signal

from studentres_desktop.domain.models import Interest
from studentres_desktop.ui.models.roles import DescriptionRole, PrimaryRole

Index = QModelIndex | QPersistentModelIndex


class InterestListModel(QAbstractListModel):
    sig_selection_changed = Signal()

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._interests: list[Interest] = []
        self._checked: set[str] = set()
        self._primary: str | None = None

    def set_vocabulary(self, interests: Sequence[Interest]) -> None:
        self.beginResetModel()
        self._interests = list(interests)
        known = {i.tag for i in self._interests}
        self._checked &= known
        if self._primary not in self._checked:
            self._primary = None
        self.endResetModel()
        self.sig_selection_changed.emit()

    def set_selection(self, tags: Iterable[str], primary: str | None) -> None:
        known = {i.tag for i in self._interests}
        self._checked = {t for t in tags if t in known}
        self._primary = primary if primary in self._checked else None
        self._ensure_primary()
        self._refresh()

    def clear(self) -> None:
        self.beginResetModel()
        self._interests, self._checked, self._primary = [], set(), None
        self.endResetModel()
        self.sig_selection_changed.emit()

    def checked(self) -> list[Interest]:
        """The ticked interests, in vocabulary order."""
        return [i for i in self._interests if i.tag in self._checked]

    @property
    def primary(self) -> str | None:
        return self._primary

    def set_primary(self, tag: str) -> None:
        if tag in self._checked and tag != self._primary:
            self._primary = tag
            self._refresh()

    def toggle(self, row: int) -> None:
        if 0 <= row < len(self._interests):
            tag = self._interests[row].tag
            self._set_checked(tag, tag not in self._checked)

    # --- Qt model interface ---------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self._interests)

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return (Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
                | Qt.ItemFlag.ItemIsUserCheckable)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._interests):
            return None
        interest = self._interests[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return interest.label
        if role == Qt.ItemDataRole.CheckStateRole:
            return (Qt.CheckState.Checked if interest.tag in self._checked
                    else Qt.CheckState.Unchecked)
        if role in (DescriptionRole, Qt.ItemDataRole.ToolTipRole):
            return interest.description
        if role == PrimaryRole:
            return interest.tag == self._primary
        if role == Qt.ItemDataRole.AccessibleTextRole:
            state = "primary, ticked" if interest.tag == self._primary else (
                "ticked" if interest.tag in self._checked else "not ticked")
            return f"{interest.label}, {state}. {interest.description}"
        if role == Qt.ItemDataRole.UserRole:
            return interest.tag
        return None

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:  # noqa: N802
        if role != Qt.ItemDataRole.CheckStateRole or not index.isValid():
            return False
        checked = Qt.CheckState(value) == Qt.CheckState.Checked
        self._set_checked(self._interests[index.row()].tag, checked)
        return True

    # --- helpers --------------------------------------------------------------------------------

    def _set_checked(self, tag: str, checked: bool) -> None:
        if checked:
            self._checked.add(tag)
        else:
            self._checked.discard(tag)
            if self._primary == tag:
                self._primary = None
        self._ensure_primary()
        self._refresh()

    def _ensure_primary(self) -> None:
        if self._primary is None:
            first = next((i.tag for i in self._interests if i.tag in self._checked), None)
            self._primary = first

    def _refresh(self) -> None:
        if self._interests:
            self.dataChanged.emit(self.index(0), self.index(len(self._interests) - 1))
        self.sig_selection_changed.emit()
