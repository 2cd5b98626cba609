"""The 'Recommended for you' tab: a ranked list with a reason under every item."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QItemSelection, Qt, Signal
from PySide6.QtWidgets import QLabel, QListView, QProgressBar, QPushButton, QWidget

from studentres_desktop.domain.models import Recommendation
from studentres_desktop.ui.loader import child, load_ui_into
from studentres_desktop.ui.models.recommendation_list_model import RecommendationListModel
from studentres_desktop.ui.views._common import set_message
from studentres_desktop.ui.views.delegates import TwoLineDelegate

DEFAULT_HEADING = "Ranked for your interests and what you want to learn"


class RecommendationsView(QWidget):
    sig_selected = Signal(object)  # Recommendation or None
    sig_back_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        load_ui_into(self, "recommendations.ui")
        self.list_view = child(self, QListView, "recommendationList")
        self.heading_label = child(self, QLabel, "headingLabel")
        self.status_label = child(self, QLabel, "statusLabel")
        self.engine_label = child(self, QLabel, "engineLabel")
        self.back_button = child(self, QPushButton, "backButton")
        self._busy_bar = child(self, QProgressBar, "busyBar")
        for label in (self.heading_label, self.engine_label):
            label.setTextFormat(Qt.TextFormat.PlainText)
        self.model = RecommendationListModel(self)
        self.list_view.setModel(self.model)
        self.list_view.setItemDelegate(TwoLineDelegate(self.list_view))
        self.list_view.setWordWrap(True)
        self.list_view.selectionModel().selectionChanged.connect(self._on_selection_changed)
        self.back_button.clicked.connect(self.sig_back_requested)
        self.clear()

    def _on_selection_changed(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        rows = self.list_view.selectionModel().selectedRows()
        self.sig_selected.emit(self.model.item(rows[0].row()) if rows else None)

    def set_heading(self, text: str, *, showing_similar: bool) -> None:
        self.heading_label.setText(text)
        self.back_button.setVisible(showing_similar)

    def set_status(self, text: str, busy: bool = False) -> None:
        set_message(self.status_label, text)
        self._busy_bar.setVisible(busy)

    def set_engine(self, label: str, note: str = "") -> None:
        self.engine_label.setText(f"Ranked by: {label}" + (f". {note}" if note else ""))

    def set_items(self, items: Sequence[Recommendation]) -> None:
        self.model.set_items(items)

    def clear(self) -> None:
        self.model.clear()
        self.set_heading(DEFAULT_HEADING, showing_similar=False)
        self.set_status("")
        self.engine_label.clear()
