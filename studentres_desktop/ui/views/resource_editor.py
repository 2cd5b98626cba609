"""The advisor's form for one workshop, training or event, with a message under each field."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from PySide6.QtCore import QDateTime, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QListView,
    QPlainTextEdit,
    QSpinBox,
    QWidget,
)

from studentres_desktop.domain.models import Interest, Resource, ResourceKind
from studentres_desktop.ui.loader import child, load_ui_into
from studentres_desktop.ui.models.interest_list_model import InterestListModel
from studentres_desktop.ui.views._common import set_enabled, set_message

# Service field names, and the error label that shows each.
ERROR_LABELS = {
    "title": "titleError",
    "description": "descriptionError",
    "interest_tags": "interest_tagsError",
    "starts_at": "timesError",
    "ends_at": "timesError",
    "location": "locationError",
    "url": "urlError",
}


class ResourceEditor(QDialog):
    sig_save_requested = Signal(dict)  # the form's values, see values()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        load_ui_into(self, "resource_editor.ui")
        self.kind_combo = child(self, QComboBox, "kindCombo")
        self.title_edit = child(self, QLineEdit, "titleEdit")
        self.description_edit = child(self, QPlainTextEdit, "descriptionEdit")
        self.interest_list = child(self, QListView, "interestList")
        self.dated_check = child(self, QCheckBox, "datedCheck")
        self.starts_edit = child(self, QDateTimeEdit, "startsEdit")
        self.ends_edit = child(self, QDateTimeEdit, "endsEdit")
        self.location_edit = child(self, QLineEdit, "locationEdit")
        self.url_edit = child(self, QLineEdit, "urlEdit")
        self.capacity_spin = child(self, QSpinBox, "capacitySpin")
        self.form_error = child(self, QLabel, "formError")
        self.buttons = child(self, QDialogButtonBox, "buttons")
        self.errors = {field: child(self, QLabel, name) for field, name in ERROR_LABELS.items()}
        self.interests = InterestListModel(self)
        self.interest_list.setModel(self.interests)
        for kind in ResourceKind:
            self.kind_combo.addItem(kind.label, kind.value)
        self._busy = False
        self._connect()

    def _connect(self) -> None:
        self.buttons.accepted.connect(self._submit)
        self.buttons.rejected.connect(self.reject)
        self.dated_check.toggled.connect(self._on_dated_toggled)
        self.starts_edit.dateTimeChanged.connect(self._keep_end_after_start)

    def _on_dated_toggled(self, dated: bool) -> None:
        set_enabled(dated, self.starts_edit, self.ends_edit)

    def _keep_end_after_start(self, start: QDateTime) -> None:
        if self.ends_edit.dateTime() < start:
            self.ends_edit.setDateTime(start.addSecs(2 * 3600))

    def _submit(self) -> None:
        if not self._busy:
            self.sig_save_requested.emit(self.values())

    # --- getters and setters --------------------------------------------------------------------

    def values(self) -> dict[str, Any]:
        dated = self.dated_check.isChecked()
        chosen = [i.tag for i in self.interests.checked()]
        main = self.interests.primary
        tags = ([main] if main else []) + [t for t in chosen if t != main]
        return {
            "kind": self.kind_combo.currentData(),
            "title": self.title_edit.text(),
            "description": self.description_edit.toPlainText(),
            "interest_tags": tuple(tags),
            "starts_at": _python(self.starts_edit.dateTime()) if dated else None,
            "ends_at": _python(self.ends_edit.dateTime()) if dated else None,
            "location": self.location_edit.text(),
            "url": self.url_edit.text().strip(),
            "capacity": self.capacity_spin.value() or None,
        }

    def load(self, vocabulary: Sequence[Interest], resource: Resource | None,
             now: datetime) -> None:
        """Fill the form from a resource, or empty for a new one starting next week."""
        self.setWindowTitle(f"Edit '{resource.title}'" if resource else "New resource")
        self.interests.set_vocabulary(vocabulary)
        start = (resource.starts_at if resource and resource.starts_at else
                 (now + timedelta(days=7)).replace(hour=14, minute=0, second=0, microsecond=0))
        end = resource.ends_at if resource and resource.ends_at else start + timedelta(hours=2)
        self.kind_combo.setCurrentIndex(self.kind_combo.findData(
            (resource.kind if resource else ResourceKind.WORKSHOP).value))
        self.title_edit.setText(resource.title if resource else "")
        self.description_edit.setPlainText(resource.description if resource else "")
        tags = resource.interest_tags if resource else ()
        self.interests.set_selection(tags, tags[0] if tags else None)
        self.dated_check.setChecked(resource is None or resource.starts_at is not None)
        self._on_dated_toggled(self.dated_check.isChecked())
        self.starts_edit.setDateTime(_qt(start))
        self.ends_edit.setDateTime(_qt(end))
        self.location_edit.setText(resource.location if resource else "")
        self.url_edit.setText(resource.url if resource else "")
        self.capacity_spin.setValue((resource.capacity or 0) if resource else 0)
        self.clear_errors()
        self.set_busy(False)
        self.title_edit.setFocus()

    def clear(self) -> None:
        """Close and empty the form: nothing of the resource stays in a widget."""
        self.reject()
        self.setWindowTitle("Resource")
        self.interests.clear()
        for edit in (self.title_edit, self.location_edit, self.url_edit):
            edit.clear()
        self.description_edit.clear()
        self.capacity_spin.setValue(0)
        self.clear_errors()
        self.set_busy(False)

    def clear_errors(self) -> None:
        for label in self.errors.values():
            set_message(label, "")
        set_message(self.form_error, "")

    def set_field_error(self, field: str, text: str) -> None:
        label = self.errors.get(field)
        set_message(label if label is not None else self.form_error, text)

    def set_form_error(self, text: str) -> None:
        set_message(self.form_error, text)

    def set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.buttons.setEnabled(not busy)


def _qt(moment: datetime) -> QDateTime:
    return QDateTime(moment.year, moment.month, moment.day, moment.hour, moment.minute, 0)


def _python(moment: QDateTime) -> datetime:
    date, time = moment.date(), moment.time()
    return datetime(date.year(), date.month(), date.day(), time.hour(), time.minute())
