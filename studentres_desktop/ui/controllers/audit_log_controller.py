"""Advisors read the audit log: who changed which resource, and when; it follows every change."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from studentres_desktop.domain.errors import ValidationError
from studentres_desktop.domain.models import AuditEntry, AuditFilter
from studentres_desktop.ui.feature import Feature, FeatureContext
from studentres_desktop.ui.ops import Change
from studentres_desktop.ui.views.audit_log import AuditFilterValues, AuditLogDialog
from studentres_desktop.ui.views.main_window import MainWindow

FETCH = 500  # the newest entries; the filters narrow what is fetched
FIELD_NAMES = {"advisor": "Advisor", "until": "The 'to' date", "since": "The 'from' date"}


class AuditLogController(Feature):
    def __init__(self, context: FeatureContext, window: MainWindow,
                 dialog: AuditLogDialog) -> None:
        super().__init__(context)
        self._window = window
        self.dialog = dialog
        self._filters = AuditFilterValues()
        self._connect()

    def _connect(self) -> None:
        self._window.sig_audit_log_requested.connect(self.open)
        self.dialog.sig_filter_requested.connect(self._on_filter_requested)
        self._changes.sig_changed.connect(self._on_changed)

    def open(self) -> None:
        """Show the newest entries; the window stays open beside the browser."""
        if not self.dialog.isVisible():
            self._filters = AuditFilterValues()
            self.dialog.clear()
            self.dialog.set_today(self._clock().date())
            self.own(self.dialog).show()
        self.load()

    def _on_filter_requested(self, values: AuditFilterValues) -> None:
        self._filters = values
        self.load()

    def load(self) -> None:
        values = self._filters
        resource_id = int(values.resource) if values.resource.isdigit() else None
        flt = AuditFilter(
            action=values.action, advisor=values.advisor, resource_id=resource_id,
            since=_utc_start(values.since) if values.since else None,
            until=_utc_start(values.until + timedelta(days=1)) if values.until else None,
            limit=FETCH)
        title = "" if resource_id is not None else values.resource.casefold()
        self.dialog.set_error("")
        self._ops.query(lambda api: api.audit_log(flt),
                        lambda entries: self._show(entries, title),
                        on_failure=self._on_failed, busy=self.dialog.set_busy)

    def _show(self, entries: tuple[AuditEntry, ...], title: str) -> None:
        shown = [e for e in entries if title in e.resource_title.casefold()] if title else entries
        self.dialog.set_entries(shown, more=len(entries) == FETCH)

    def _on_failed(self, error: Exception) -> bool:
        if isinstance(error, ValidationError):
            name = FIELD_NAMES.get(error.field, error.field.capitalize())
            self.dialog.set_error(f"{name} {error.message}")
            return True
        return False

    def _on_changed(self, _change: Change) -> None:
        if self.dialog.isVisible():
            self.load()

    def clear(self) -> None:
        self._filters = AuditFilterValues()
        self.dialog.clear()


def _utc_start(day: date) -> datetime:
    """Local midnight of `day`, as the naive UTC time the log is kept in."""
    return datetime.combine(day, time()).astimezone(UTC).replace(tzinfo=None)
