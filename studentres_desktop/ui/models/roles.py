"""Item data roles the list models share with the two-line delegate."""

from PySide6.QtCore import Qt

DescriptionRole = Qt.ItemDataRole.UserRole + 1  # the second line under the title
PrimaryRole = Qt.ItemDataRole.UserRole + 2  # marks the primary interest with a star
