"""The resource browser: filters, the resource table or an empty state, and a detail pane."""

from __future__ import annotations

import html
import itertools
from collections.abc import Mapping, Sequence

from PySide6.QtCore import (
    QEvent,
    QItemSelection,
    QModelIndex,
    QObject,
    Qt,
    Signal,
    SignalInstance,
)
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFrame,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTableView,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from studentres_desktop.domain.models import Resource, ResourceKind, SortOrder
from studentres_desktop.ui import formatting
from studentres_desktop.ui.loader import child, load_ui_into
from studentres_desktop.ui.models.resource_table_model import ResourceTableModel
from studentres_desktop.ui.views._common import set_message
from studentres_desktop.ui.views.plan_actions_view import PlanActionsView
from studentres_desktop.ui.views.recommendations_view import RecommendationsView
from studentres_desktop.ui.views.saved_view import SavedView

ALL = ""  # the "no filter" value of the kind and interest filters
WHOLE_CATALOGUE = "*"  # the interest filter's "everything, untagged included" value


class BrowserView(QWidget):
    sig_search_edited = Signal(str)
    sig_kind_changed = Signal(str)  # "" for all kinds
    sig_interest_changed = Signal(str)  # "" for all my interests, "*" for the whole catalogue
    sig_sort_changed = Signal(object)  # SortOrder
    sig_resource_selected = Signal(object)  # Resource or None
    sig_empty_action = Signal()
    sig_more_like_requested = Signal(object)  # Resource
    sig_recommendations_shown = Signal()
    sig_edit_requested = Signal(object)  # the Resource in the detail pane
    sig_delete_requested = Signal(object)  # the Resource in the detail pane
    sig_detail_shown = Signal(object)  # the Resource the detail pane now shows, or None
    sig_star_toggled = Signal(object)  # the Resource whose star was clicked in the table

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        load_ui_into(self, "browser.ui")
        self.tabs = child(self, QTabWidget, "tabs")
        self.splitter = child(self, QSplitter, "splitter")
        self.search_edit = child(self, QLineEdit, "searchEdit")
        self.kind_combo = child(self, QComboBox, "kindCombo")
        self.interest_combo = child(self, QComboBox, "interestCombo")
        self.sort_combo = child(self, QComboBox, "sortCombo")
        self.table = child(self, QTableView, "resourceTable")
        self.results_stack = child(self, QStackedWidget, "resultsStack")
        self.empty_page = child(self, QWidget, "emptyPage")
        self.empty_label = child(self, QLabel, "emptyLabel")
        self.empty_button = child(self, QPushButton, "emptyActionButton")
        self.count_label = child(self, QLabel, "countLabel")
        self.search_note_label = child(self, QLabel, "searchNoteLabel")
        self._busy_bar = child(self, QProgressBar, "busyBar")
        self.detail_kind = child(self, QLabel, "detailKind")
        self.detail_title = child(self, QLabel, "detailTitle")
        self.detail_when = child(self, QLabel, "detailWhen")
        self.detail_where = child(self, QLabel, "detailWhere")
        self.detail_tags = child(self, QLabel, "detailTags")
        self.detail_description = child(self, QTextBrowser, "detailDescription")
        self.detail_link = child(self, QLabel, "detailLink")
        self.detail_reason = child(self, QLabel, "detailReason")
        self.more_like_button = child(self, QPushButton, "moreLikeButton")
        self.edit_button = child(self, QPushButton, "editButton")
        self.delete_button = child(self, QPushButton, "deleteButton")
        self._editing_allowed = False
        self.recommendations = RecommendationsView()
        self.tabs.addTab(self.recommendations, "&Recommended for you")
        self.saved = SavedView()
        self.tabs.addTab(self.saved, "Saved")
        # The student's plan for the resource shown: save, RSVP, add to calendar.
        self.plan_actions = PlanActionsView()
        detail_layout = child(self, QFrame, "detailPane").layout()
        assert isinstance(detail_layout, QVBoxLayout)
        detail_layout.insertWidget(detail_layout.indexOf(self.detail_description),
                                   self.plan_actions)
        self._shown: Resource | None = None
        self._labels: dict[str, str] = {}
        for label in (self.detail_kind, self.detail_title, self.detail_when, self.detail_where,
                      self.detail_tags, self.detail_reason, self.count_label,
                      self.search_note_label, self.empty_label):
            label.setTextFormat(Qt.TextFormat.PlainText)
        self.model = ResourceTableModel(self)
        self._fill_fixed_options()
        self._setup_table()
        self.splitter.setStretchFactor(0, 5)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setSizes([820, 340])
        self._connect()
        self.set_busy(False)
        self.set_search_note("")
        self.show_detail(None)

    def _fill_fixed_options(self) -> None:
        self.kind_combo.addItem("All kinds", ALL)
        for kind in ResourceKind:
            self.kind_combo.addItem(formatting.KIND_PLURALS[kind], kind.value)
        # Best match ranks by the search text; with none it is the same as soonest first.
        self.sort_combo.addItem("Best match", SortOrder.RELEVANCE)
        self.sort_combo.addItem("Soonest first", SortOrder.DATE)
        self.sort_combo.addItem("Title A–Z", SortOrder.TITLE)

    def _setup_table(self) -> None:
        self.table.setModel(self.model)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(ResourceTableModel.TITLE, QHeaderView.ResizeMode.Stretch)
        header.setSortIndicatorShown(True)
        header.setSortIndicator(ResourceTableModel.WHEN, Qt.SortOrder.AscendingOrder)
        header.setSectionResizeMode(ResourceTableModel.SAVED, QHeaderView.ResizeMode.Fixed)
        for column, width in ((ResourceTableModel.SAVED, 34), (ResourceTableModel.KIND, 100),
                              (ResourceTableModel.INTERESTS, 125), (ResourceTableModel.WHEN, 168),
                              (ResourceTableModel.WHERE, 125), (ResourceTableModel.PLACES, 110)):
            self.table.setColumnWidth(column, width)
        self.table.verticalHeader().setDefaultSectionSize(30)
        self.table.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)

    def _connect(self) -> None:
        self.search_edit.textEdited.connect(self.sig_search_edited)
        self.kind_combo.activated.connect(
            lambda i: self.sig_kind_changed.emit(str(self.kind_combo.itemData(i))))
        self.interest_combo.activated.connect(
            lambda i: self.sig_interest_changed.emit(str(self.interest_combo.itemData(i))))
        self.sort_combo.activated.connect(self._on_sort_chosen)
        self.model.sig_sort_requested.connect(self._on_header_sort)
        self.table.selectionModel().selectionChanged.connect(self._on_selection_changed)
        self.empty_button.clicked.connect(self.sig_empty_action)
        self.more_like_button.clicked.connect(lambda: self._emit_for_shown(
            self.sig_more_like_requested))
        self.edit_button.clicked.connect(lambda: self._emit_for_shown(self.sig_edit_requested))
        self.delete_button.clicked.connect(lambda: self._emit_for_shown(
            self.sig_delete_requested))
        self.tabs.currentChanged.connect(self._on_tab_changed)
        self.search_edit.installEventFilter(self)
        # By keyboard, Ctrl+S (the detail pane's Save) saves the selected row.
        self.table.clicked.connect(self._on_table_clicked)
        chain = (self.empty_button, *self.plan_actions.focus_chain(), self.detail_description)
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt override)
        """Escape in a search field that holds text clears it, as in every search box."""
        if (watched is self.search_edit and event.type() == QEvent.Type.KeyPress
                and isinstance(event, QKeyEvent) and event.key() == Qt.Key.Key_Escape
                and self.search_edit.text()):
            self.search_edit.clear()
            self.sig_search_edited.emit("")
            return True
        return super().eventFilter(watched, event)

    def _on_table_clicked(self, index: QModelIndex) -> None:
        resource = self.model.resource(index.row())
        if index.column() == ResourceTableModel.SAVED and resource is not None:
            self.sig_star_toggled.emit(resource)

    def _emit_for_shown(self, signal: SignalInstance) -> None:
        if self._shown is not None:
            signal.emit(self._shown)

    def _on_tab_changed(self, index: int) -> None:
        if self.tabs.widget(index) is self.recommendations:
            self.sig_recommendations_shown.emit()

    def show_recommendations_tab(self) -> None:
        self.tabs.setCurrentWidget(self.recommendations)

    def recommendations_visible(self) -> bool:
        return self.tabs.currentWidget() is self.recommendations

    def show_saved_tab(self) -> None:
        self.tabs.setCurrentWidget(self.saved)

    def _on_sort_chosen(self, position: int) -> None:
        order = self.sort_combo.itemData(position)
        self.model.set_sort_order(order)
        column = ResourceTableModel.TITLE if order is SortOrder.TITLE else ResourceTableModel.WHEN
        self.table.horizontalHeader().setSortIndicator(column, Qt.SortOrder.AscendingOrder)
        self.sig_sort_changed.emit(order)

    def _on_header_sort(self, order: SortOrder) -> None:
        self.sort_combo.setCurrentIndex(self.sort_combo.findData(order))
        self.sig_sort_changed.emit(order)

    def _on_selection_changed(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        rows = self.table.selectionModel().selectedRows()
        self.sig_resource_selected.emit(self.model.resource(rows[0].row()) if rows else None)

    # --- setters --------------------------------------------------------------------------------

    def set_interest_options(self, options: Sequence[tuple[str, str]]) -> None:
        """(label, tag) pairs of the student's interests; 'all' and 'whole catalogue' are added."""
        current = self.interest_combo.currentData()
        self.interest_combo.clear()
        self.interest_combo.addItem("All my interests", ALL)
        for label, tag in options:
            self.interest_combo.addItem(label, tag)
        self.interest_combo.addItem("Whole catalogue", WHOLE_CATALOGUE)
        found = self.interest_combo.findData(current)
        self.interest_combo.setCurrentIndex(max(found, 0))

    def set_filters(self, text: str, kind: str, interest: str, sort: SortOrder) -> None:
        if self.search_edit.text() != text:
            self.search_edit.setText(text)
        self.kind_combo.setCurrentIndex(max(self.kind_combo.findData(kind), 0))
        self.interest_combo.setCurrentIndex(max(self.interest_combo.findData(interest), 0))
        self.sort_combo.setCurrentIndex(self.sort_combo.findData(sort))
        self.model.set_sort_order(sort)

    def show_results(self) -> None:
        self.results_stack.setCurrentWidget(self.table)

    def show_empty(self, message: str, action: str = "") -> None:
        self.empty_label.setText(message)
        self.empty_button.setText(action)
        self.empty_button.setVisible(bool(action))
        self.results_stack.setCurrentWidget(self.empty_page)

    def set_count(self, text: str) -> None:
        self.count_label.setText(text)

    def set_search_note(self, text: str) -> None:
        """A word on how the results are ordered, when it is not the order chosen; "" hides it."""
        self.search_note_label.setText(text)
        self.search_note_label.setVisible(bool(text))

    def set_busy(self, busy: bool) -> None:
        self._busy_bar.setVisible(busy)

    def set_interest_labels(self, labels: Mapping[str, str]) -> None:
        """How interest tags read for people, in the table and the detail pane."""
        self._labels = dict(labels)
        self.model.set_interest_labels(self._labels)

    def show_detail(self, resource: Resource | None, reason: str = "") -> None:
        """Fill the detail pane; None shows the hint to select something."""
        self._shown = resource
        self.sig_detail_shown.emit(resource)
        self._set_role(self.detail_title, "detailTitle" if resource else "hint")
        set_message(self.detail_reason, reason if resource else "")
        self.more_like_button.setVisible(resource is not None)
        for button in (self.edit_button, self.delete_button):
            button.setVisible(resource is not None and self._editing_allowed)
        if resource is None:
            self.detail_kind.setVisible(False)
            self.detail_title.setText("Select a resource to see its details.")
            for label in (self.detail_when, self.detail_where, self.detail_tags):
                set_message(label, "")
            self.detail_description.clear()
            self.detail_description.setVisible(False)
            self.detail_link.setVisible(False)
            return
        self.detail_kind.setVisible(True)
        self.detail_kind.setText(resource.kind.label.upper())
        self.detail_kind.setStyleSheet(
            f"background: {formatting.KIND_COLOURS[resource.kind]}; color: white;")
        self.detail_title.setText(resource.title)
        set_message(self.detail_when, f"When: {formatting.when(resource)}")
        where = resource.location or "Not given"
        if resource.capacity:
            where += f"  ·  {resource.capacity} places"
        set_message(self.detail_where, f"Where: {where}")
        tags = formatting.interests(resource, self._labels)
        set_message(self.detail_tags, f"Interests: {tags}")
        self.detail_description.setPlainText(resource.description or "No description yet.")
        self.detail_description.setVisible(True)
        if resource.url:
            safe = html.escape(resource.url, quote=True)
            self.detail_link.setText(f'<a href="{safe}">Open the event page</a>')
            self.detail_link.setToolTip(resource.url)
        self.detail_link.setVisible(bool(resource.url))

    @staticmethod
    def _set_role(label: QLabel, role: str) -> None:
        if label.property("role") != role:
            label.setProperty("role", role)
            label.style().unpolish(label)
            label.style().polish(label)

    def set_editing_allowed(self, allowed: bool) -> None:
        self._editing_allowed = allowed
        self.show_detail(self._shown)

    def focus_search(self) -> None:
        self.tabs.setCurrentIndex(0)
        self.search_edit.setFocus()
        self.search_edit.selectAll()

    def clear(self) -> None:
        self.model.clear()
        self.set_interest_labels({})
        self.search_edit.clear()
        self.kind_combo.setCurrentIndex(0)
        self.interest_combo.clear()
        self.sort_combo.setCurrentIndex(0)
        self.set_count("")
        self.set_search_note("")
        self.show_detail(None)
        self.show_empty("")
        self.recommendations.clear()
        self.tabs.setCurrentIndex(0)
