"""Small badges drawn in code, so kinds read at a glance without image files."""

from __future__ import annotations

from functools import cache

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QIcon, QPainter, QPixmap

from studentres_desktop.domain.models import ResourceKind
from studentres_desktop.ui.formatting import KIND_COLOURS


@cache
def kind_icon(kind: ResourceKind) -> QIcon:
    """A rounded square in the kind's colour with its initial (W, T or E)."""
    size = 32
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(KIND_COLOURS[kind]))
    painter.drawRoundedRect(QRectF(1, 1, size - 2, size - 2), 7, 7)
    font = QFont()
    font.setBold(True)
    font.setPixelSize(18)
    painter.setFont(font)
    painter.setPen(QColor("white"))
    painter.drawText(QRectF(0, 0, size, size), Qt.AlignmentFlag.AlignCenter, kind.value[0].upper())
    painter.end()
    return QIcon(pixmap)
