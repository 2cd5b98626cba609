"""The interest picker: a checkable list with descriptions, the primary one starred."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt, Signal
from PySide6.QtGui import QFont, QFontMetrics, QKeyEvent, QPainter
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QLabel,
    QLineEdit,
    QListView,
    QProgressBar,
    QPushButton,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionButton,
    QStyleOptionViewItem,
    QWidget,
)

from studentres_desktop.ui.loader import child, load_ui_into
from studentres_desktop.ui.models.interest_list_model import (
    DescriptionRole,
    InterestListModel,
    PrimaryRole,
)
from studentres_desktop.ui.views._common import set_enabled, set_message

Index = QModelIndex | QPersistentModelIndex
_PADDING = 8
_CHECK = 20


class InterestDelegate(QStyledItemDelegate):
    """A check box, the label in bold (with a star when primary) and the description below."""

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:  # noqa: N802
        width = max(option.rect.width(), 300) - _CHECK - 3 * _PADDING
        bold = QFont(option.font)
        bold.setBold(True)
        description = str(index.data(DescriptionRole) or "")
        text_height = QFontMetrics(option.font).boundingRect(
            QRect(0, 0, width, 10_000), Qt.TextFlag.TextWordWrap, description
        ).height()
        return QSize(width, QFontMetrics(bold).height() + text_height + 3 * _PADDING)

    def editorEvent(self, *_args: object) -> bool:  # noqa: N802
        return False  # the view toggles on click and Space; the default would toggle twice

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        style = option.widget.style() if option.widget else QApplication.style()
        style.drawPrimitive(QStyle.PrimitiveElement.PE_PanelItemViewItem, option, painter,
                            option.widget)
        rect = option.rect.adjusted(_PADDING, _PADDING, -_PADDING, -_PADDING)
        box = QStyleOptionButton()
        box.rect = QRect(rect.left(), rect.top() + 1, _CHECK, _CHECK)
        checked = index.data(Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Checked
        box.state = QStyle.StateFlag.State_Enabled | (
            QStyle.StateFlag.State_On if checked else QStyle.StateFlag.State_Off)
        style.drawPrimitive(QStyle.PrimitiveElement.PE_IndicatorCheckBox, box, painter,
                            option.widget)
        text_rect = rect.adjusted(_CHECK + _PADDING, 0, 0, 0)
        bold = QFont(option.font)
        bold.setBold(True)
        label = str(index.data(Qt.ItemDataRole.DisplayRole) or "")
        if index.data(PrimaryRole):
            label = f"★ {label}  (primary)"
        painter.save()
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        role = option.palette.ColorRole.HighlightedText if selected else (
            option.palette.ColorRole.Text)
        painter.setPen(option.palette.color(role))
        painter.setFont(bold)
        title_height = QFontMetrics(bold).height()
        painter.drawText(QRect(text_rect.left(), text_rect.top(), text_rect.width(), title_height),
                         Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, label)
        painter.setFont(option.font)
        if not selected:
            painter.setPen(option.palette.color(option.palette.ColorRole.PlaceholderText))
        painter.drawText(
            text_rect.adjusted(0, title_height + _PADDING // 2, 0, 0),
            int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop) | int(
                Qt.TextFlag.TextWordWrap),
            str(index.data(DescriptionRole) or ""),
        )
        painter.restore()


class InterestsView(QWidget):
    sig_save_requested = Signal(list, str, str)  # tags, primary tag, learning goal
    sig_cancel_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        load_ui_into(self, "interests.ui")
        self.list_view = child(self, QListView, "interestList")
        self.primary_combo = child(self, QComboBox, "primaryCombo")
        self.goal_edit = child(self, QLineEdit, "goalEdit")
        self.save_button = child(self, QPushButton, "saveButton")
        self.cancel_button = child(self, QPushButton, "cancelButton")
        self.error_label = child(self, QLabel, "errorLabel")
        self.selection_label = child(self, QLabel, "selectionLabel")
        self._busy_bar = child(self, QProgressBar, "busyBar")
        self.model = InterestListModel(self)
        self.list_view.setModel(self.model)
        self.list_view.setItemDelegate(InterestDelegate(self.list_view))
        self.list_view.setWordWrap(True)
        self.list_view.installEventFilter(self)
        self._busy = False
        self._connect()
        self.set_busy(False)
        self.set_error("")
        self._on_selection_changed()

    def _connect(self) -> None:
        self.list_view.clicked.connect(lambda index: self.model.toggle(index.row()))
        self.model.sig_selection_changed.connect(self._on_selection_changed)
        self.primary_combo.activated.connect(self._on_primary_chosen)
        self.save_button.clicked.connect(self._submit)
        self.goal_edit.returnPressed.connect(self._submit)
        self.cancel_button.clicked.connect(self.sig_cancel_requested)

    def eventFilter(self, watched: object, event: object) -> bool:  # noqa: N802
        if (watched is self.list_view and isinstance(event, QKeyEvent)
                and event.type() == QKeyEvent.Type.KeyPress
                and event.key() == Qt.Key.Key_Space):
            self.model.toggle(self.list_view.currentIndex().row())
            return True
        return False

    def _on_selection_changed(self) -> None:
        checked = self.model.checked()
        self.primary_combo.clear()
        for interest in checked:
            self.primary_combo.addItem(interest.label, interest.tag)
        primary = self.model.primary
        if primary is not None:
            self.primary_combo.setCurrentIndex(self.primary_combo.findData(primary))
        self.primary_combo.setEnabled(len(checked) > 1)
        count = len(checked)
        self.selection_label.setText(
            "Nothing chosen yet" if not count else f"{count} chosen"
        )
        if count:
            self.set_error("")

    def _on_primary_chosen(self, position: int) -> None:
        tag = self.primary_combo.itemData(position)
        if tag:
            self.model.set_primary(str(tag))

    def _submit(self) -> None:
        if self._busy:
            return
        tags = [i.tag for i in self.model.checked()]
        self.sig_save_requested.emit(tags, self.model.primary or "", self.goal_edit.text())

    # --- setters --------------------------------------------------------------------------------

    def set_busy(self, busy: bool) -> None:
        self._busy = busy
        self._busy_bar.setVisible(busy)
        set_enabled(not busy, self.save_button, self.list_view, self.primary_combo,
                    self.goal_edit)

    def set_error(self, text: str) -> None:
        set_message(self.error_label, text)

    def set_can_cancel(self, can_cancel: bool) -> None:
        self.cancel_button.setVisible(can_cancel)

    def set_goal(self, goal: str) -> None:
        self.goal_edit.setText(goal)

    def clear(self) -> None:
        self.model.clear()
        self.goal_edit.clear()
        self.set_error("")
        self.set_busy(False)
