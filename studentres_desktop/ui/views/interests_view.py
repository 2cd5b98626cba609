"""The interest picker: a checkable list with descriptions, the primary one starred."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QComboBox,
    QLabel,
    QLineEdit,
    QListView,
    QProgressBar,
    QPushButton,
    QWidget,
)

from studentres_desktop.domain.models import Interest
from studentres_desktop.ui.loader import child, load_ui_into
from studentres_desktop.ui.models.interest_list_model import InterestListModel
from studentres_desktop.ui.views._common import set_enabled, set_message
from studentres_desktop.ui.views.delegates import TwoLineDelegate


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
        self.list_view.setItemDelegate(TwoLineDelegate(self.list_view, checkable=True))
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

    @property
    def busy(self) -> bool:
        return self._busy

    def set_busy(self, busy: bool) -> None:
        self._busy = busy
        self._busy_bar.setVisible(busy)
        set_enabled(not busy, self.save_button, self.list_view, self.primary_combo,
                    self.goal_edit)

    def set_error(self, text: str) -> None:
        set_message(self.error_label, text)

    def set_can_cancel(self, can_cancel: bool) -> None:
        self.cancel_button.setVisible(can_cancel)

    def set_choices(self, vocabulary: Sequence[Interest], chosen: Sequence[str],
                    primary: str | None) -> None:
        """Every interest a student can pick, with the student's current choice ticked."""
        self.model.set_vocabulary(vocabulary)
        self.model.set_selection(chosen, primary)

    def focus_list(self) -> None:
        self.list_view.setFocus()
        if self.model.rowCount():
            self.list_view.setCurrentIndex(self.model.index(0, 0))

    def set_goal(self, goal: str) -> None:
        self.goal_edit.setText(goal)

    def clear(self) -> None:
        self.model.clear()
        self.goal_edit.clear()
        self.set_error("")
        self.set_busy(False)
