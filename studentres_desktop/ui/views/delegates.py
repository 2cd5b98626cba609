"""A list item in two lines: a bold title (with an icon or a check box) over a muted line."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QFont, QFontMetrics, QIcon, QPainter
from PySide6.QtWidgets import (
    QApplication,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionButton,
    QStyleOptionViewItem,
    QWidget,
)

from studentres_desktop.ui.models.roles import DescriptionRole, PrimaryRole

Index = QModelIndex | QPersistentModelIndex
PADDING = 8
MARK = 20  # check box or icon


class TwoLineDelegate(QStyledItemDelegate):
    def __init__(self, parent: QWidget, *, checkable: bool = False) -> None:
        super().__init__(parent)
        self._checkable = checkable

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:  # noqa: N802
        width = max(option.rect.width(), 300) - MARK - 3 * PADDING
        second = str(index.data(DescriptionRole) or "")
        text_height = QFontMetrics(option.font).boundingRect(
            QRect(0, 0, width, 10_000), Qt.TextFlag.TextWordWrap, second
        ).height() if second else 0
        return QSize(width, QFontMetrics(self._bold(option)).height() + text_height + 3 * PADDING)

    def editorEvent(self, *_args: object) -> bool:  # noqa: N802
        return False  # views toggle on click and Space; the default would toggle twice

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        style = option.widget.style() if option.widget else QApplication.style()
        style.drawPrimitive(QStyle.PrimitiveElement.PE_PanelItemViewItem, option, painter,
                            option.widget)
        rect = option.rect.adjusted(PADDING, PADDING, -PADDING, -PADDING)
        mark = QRect(rect.left(), rect.top() + 1, MARK, MARK)
        if self._checkable:
            box = QStyleOptionButton()
            box.rect = mark
            checked = index.data(Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Checked
            box.state = QStyle.StateFlag.State_Enabled | (
                QStyle.StateFlag.State_On if checked else QStyle.StateFlag.State_Off)
            style.drawPrimitive(QStyle.PrimitiveElement.PE_IndicatorCheckBox, box, painter,
                                option.widget)
        else:
            icon = index.data(Qt.ItemDataRole.DecorationRole)
            if isinstance(icon, QIcon):
                icon.paint(painter, mark)
        text_rect = rect.adjusted(MARK + PADDING, 0, 0, 0)
        title = str(index.data(Qt.ItemDataRole.DisplayRole) or "")
        if index.data(PrimaryRole):
            title = f"★ {title}  (primary)"
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        painter.save()
        roles = option.palette.ColorRole
        painter.setPen(option.palette.color(roles.HighlightedText if selected else roles.Text))
        bold = self._bold(option)
        painter.setFont(bold)
        title_height = QFontMetrics(bold).height()
        title = QFontMetrics(bold).elidedText(title, Qt.TextElideMode.ElideRight, text_rect.width())
        painter.drawText(QRect(text_rect.left(), text_rect.top(), text_rect.width(), title_height),
                         Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, title)
        painter.setFont(option.font)
        if not selected:
            painter.setPen(option.palette.color(option.palette.ColorRole.PlaceholderText))
        painter.drawText(
            text_rect.adjusted(0, title_height + PADDING // 2, 0, 0),
            int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
            | int(Qt.TextFlag.TextWordWrap),
            str(index.data(DescriptionRole) or ""),
        )
        painter.restore()

    @staticmethod
    def _bold(option: QStyleOptionViewItem) -> QFont:
        font = QFont(option.font)
        font.setBold(True)
        return font
