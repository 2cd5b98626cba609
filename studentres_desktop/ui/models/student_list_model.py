"""The students an advisor's search found: name over email, role noted for advisors."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt

from studentres_desktop.domain.models import Role, StudentSummary
from studentres_desktop.ui.models.item_list_model import ItemListModel


class StudentListModel(ItemListModel[StudentSummary]):
    def item_data(self, item: StudentSummary, role: int) -> Any:
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            advisor = " (advisor)" if item.role is Role.ADVISOR else ""
            return f"{item.name}{advisor}\n{item.email}"
        if role == Qt.ItemDataRole.ToolTipRole:
            return item.email
        return None
