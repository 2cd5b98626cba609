"""The advisors' audit log: who changed which resource and when, with filters."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from PySide6.QtCore import QDate, Signal
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QWidget,
)

from studentres_desktop.domain.models import AuditAction, AuditEntry
from studentres_desktop.ui.loader import child, load_ui_into
from studentres_desktop.ui.views._common import set_enabled, set_message

ACTION_LABELS = {
    AuditAction.RESOURCE_CREATED: "Resource created",
    AuditAction.RESOURCE_UPDATED: "Resource edited",
    AuditAction.RESOURCE_DELETED: "Resource deleted",
    AuditAction.CATALOGUE_IMPORTED: "Catalogue imported",
    AuditAction.RSVP_ADDED: "RSVP added at the desk",
    AuditAction.RSVP_CANCELLED: "RSVP cancelled at the desk",
}
HEADERS = ["When", "Who", "Action", "Resource", "Before → after"]
VALUE_MAX = 60


@dataclass(frozen=True)
class AuditFilterValues:
    """The filters as typed: the controller turns them into an AuditFilter."""

    action: AuditAction | None = None
    advisor: str = ""
    resource: str = ""
    since: date | None = None  # inclusive, local dates
    until: date | None = None  # inclusive


class AuditLogDialog(QDialog):
    sig_filter_requested = Signal(object)  # AuditFilterValues

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        load_ui_into(self, "audit_log.ui")
        self.action_combo = child(self, QComboBox, "actionCombo")
        self.advisor_edit = child(self, QLineEdit, "advisorEdit")
        self.resource_edit = child(self, QLineEdit, "resourceEdit")
        self.dates_check = child(self, QCheckBox, "datesCheck")
        self.since_edit = child(self, QDateEdit, "sinceEdit")
        self.until_edit = child(self, QDateEdit, "untilEdit")
        self.filter_button = child(self, QPushButton, "filterButton")
        self.reset_button = child(self, QPushButton, "resetButton")
        self.error_label = child(self, QLabel, "errorLabel")
        self.count_label = child(self, QLabel, "countLabel")
        self.table = child(self, QTableView, "auditTable")
        self.buttons = child(self, QDialogButtonBox, "buttons")
        self.action_combo.addItem("All actions", None)
        for action, label in ACTION_LABELS.items():
            self.action_combo.addItem(label, action.value)
        self.model = QStandardItemModel(self)
        self.table.setModel(self.model)
        self._connect()
        self.clear()

    def _connect(self) -> None:
        self.filter_button.clicked.connect(self._submit)
        self.reset_button.clicked.connect(self._reset)
        self.advisor_edit.returnPressed.connect(self._submit)
        self.resource_edit.returnPressed.connect(self._submit)
        self.action_combo.activated.connect(lambda _index: self._submit())
        self.dates_check.toggled.connect(self._on_dates_toggled)
        self.buttons.rejected.connect(self.reject)

    def _on_dates_toggled(self, checked: bool) -> None:
        set_enabled(checked, self.since_edit, self.until_edit)

    def _submit(self) -> None:
        self.sig_filter_requested.emit(self.values())

    def _reset(self) -> None:
        self.action_combo.setCurrentIndex(0)
        self.advisor_edit.clear()
        self.resource_edit.clear()
        self.dates_check.setChecked(False)
        self._submit()

    # --- getters and setters --------------------------------------------------------------------

    def values(self) -> AuditFilterValues:
        dated = self.dates_check.isChecked()
        action = self.action_combo.currentData()
        return AuditFilterValues(
            action=AuditAction(action) if action else None,
            advisor=self.advisor_edit.text().strip(),
            resource=self.resource_edit.text().strip(),
            since=_pydate(self.since_edit.date()) if dated else None,
            until=_pydate(self.until_edit.date()) if dated else None,
        )

    def set_filters(self, values: AuditFilterValues) -> None:
        self.action_combo.setCurrentIndex(max(0, self.action_combo.findData(
            values.action.value if values.action else None)))
        self.advisor_edit.setText(values.advisor)
        self.resource_edit.setText(values.resource)
        self.dates_check.setChecked(values.since is not None or values.until is not None)
        if values.since is not None:
            self.since_edit.setDate(_qdate(values.since))
        if values.until is not None:
            self.until_edit.setDate(_qdate(values.until))

    def set_today(self, today: date) -> None:
        """The date range starts as the last week, until it is changed."""
        self.until_edit.setDate(_qdate(today))
        self.since_edit.setDate(_qdate(today).addDays(-7))

    def set_entries(self, entries: Sequence[AuditEntry], *, more: bool = False) -> None:
        self.model.clear()
        self.model.setHorizontalHeaderLabels(HEADERS)
        for entry in entries:
            cells = [_local(entry.occurred_at), entry.advisor_email or "studentres-admin",
                     ACTION_LABELS.get(entry.action, str(entry.action)),
                     _resource(entry), change_text(entry)]
            items = [QStandardItem(text) for text in cells]
            for item in items:
                item.setEditable(False)
            items[-1].setToolTip(change_text(entry, limit=None))
            self.model.appendRow(items)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.resizeColumnsToContents()
        for section in range(self.model.columnCount() - 1):
            self.table.setColumnWidth(section, min(self.table.columnWidth(section), 240))
        self.table.resizeRowsToContents()  # long titles and changes wrap instead of hiding
        count = len(entries)
        self.count_label.setText(
            "No entries match these filters." if not count else
            f"{count} {'entry' if count == 1 else 'entries'}, newest first"
            + (" (the newest shown; narrow the filters to see older ones)." if more else "."))

    def set_error(self, text: str) -> None:
        set_message(self.error_label, text)

    def set_busy(self, busy: bool) -> None:
        self.filter_button.setEnabled(not busy)

    def clear(self) -> None:
        """Close, and forget every entry and filter: they name people."""
        self.reject()
        self.model.clear()
        self.advisor_edit.clear()
        self.resource_edit.clear()
        self.action_combo.setCurrentIndex(0)
        self.dates_check.setChecked(False)
        self._on_dates_toggled(False)
        self.count_label.clear()
        set_message(self.error_label, "")
        self.set_busy(False)


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _pydate(day: QDate) -> date:
    return date(day.year(), day.month(), day.day())


def _local(moment: datetime) -> str:
    return f"{moment.replace(tzinfo=UTC).astimezone():%a %d %b %Y %H:%M}"


def _resource(entry: AuditEntry) -> str:
    if not entry.resource_title:
        return entry.resource_key or "—"
    return entry.resource_title + (f" ({entry.resource_key})" if entry.resource_key else "")


def _shown(value: Any, limit: int | None) -> str:
    if value is None or value == "" or value == []:
        text = "—"
    elif isinstance(value, list | tuple):
        text = ", ".join(str(v) for v in value)
    else:
        text = str(value)
    text = " ".join(text.split())
    return text if limit is None or len(text) <= limit else text[:limit - 1] + "…"


def change_text(entry: AuditEntry, limit: int | None = VALUE_MAX) -> str:
    """What changed: 'location: Hub → Library' for an edit, the detail for the rest."""
    before: Mapping[str, Any] = entry.before or {}
    after: Mapping[str, Any] = entry.after or {}
    parts: list[str] = []
    if before and after:
        parts = [f"{key}: {_shown(before.get(key), limit)} → {_shown(after.get(key), limit)}"
                 for key in dict.fromkeys([*before, *after])
                 if before.get(key) != after.get(key) and key != "version"]
    elif after and entry.action is AuditAction.RESOURCE_CREATED:
        parts = [f"new: {_shown(after.get('title'), limit)}"]
    elif before and entry.action is AuditAction.RESOURCE_DELETED:
        parts = [f"was: {_shown(before.get('title'), limit)}"]
    if entry.detail:
        parts.append(entry.detail)
    return "; ".join(parts) or "—"
