"""A ranked list of recommendations: title and kind badge over the one-line reason."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt

from studentres_desktop.domain.models import Recommendation
from studentres_desktop.ui import formatting
from studentres_desktop.ui.icons import kind_icon
from studentres_desktop.ui.models.item_list_model import ItemListModel
from studentres_desktop.ui.models.roles import DescriptionRole


class RecommendationListModel(ItemListModel[Recommendation]):
    def item_data(self, item: Recommendation, role: int) -> Any:
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
