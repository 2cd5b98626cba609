"""The student's plan where resources are shown: save, unsave and RSVP from the detail pane
and the table, whose star and places columns show the student's marks for the loaded rows."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING

from studentres_desktop.domain.errors import NotFound, RsvpUnavailable
from studentres_desktop.domain.models import Resource, RsvpStatus
from studentres_desktop.ui.feature import Feature, FeatureContext
from studentres_desktop.ui.ops import Change
from studentres_desktop.ui.views.browser_view import BrowserView
from studentres_desktop.ui.views.plan_actions_view import PlanActionsView

if TYPE_CHECKING:
    from studentres_desktop.services.session_api import SessionApi

log = logging.getLogger(__name__)
MARKS_AT_ONCE = 500  # the service's limit of keys per call

Marks = tuple[frozenset[str], dict[str, RsvpStatus]]


def read_marks(api: SessionApi, resources: Sequence[Resource]) -> Marks:
    """Saved keys and RSVP statuses for these resources: a few queries per 500, not per row."""
    saved: set[str] = set()
    statuses: dict[str, RsvpStatus] = {}
    for start in range(0, len(resources), MARKS_AT_ONCE):
        chunk = resources[start:start + MARKS_AT_ONCE]
        saved |= api.saved_keys(chunk)
        statuses.update(api.rsvp_statuses(chunk))
    return frozenset(saved), statuses


class PlanController(Feature):
    def __init__(self, context: FeatureContext, browser: BrowserView,
                 actions: PlanActionsView) -> None:
        super().__init__(context)
        self._browser = browser
        self._model = browser.model
        self._actions = actions
        self._shown: Resource | None = None
        # Raised by every change of the plan: a read that started before one may have missed
        # it, and must not paint over what the change showed (fresh reads follow the change).
        self._plan_version = 0
        self._detail_reads = 0
        self._connect()

    def _connect(self) -> None:
        self._browser.sig_detail_shown.connect(self._on_detail_shown)
        self._browser.sig_star_toggled.connect(self._on_star_toggled)
        self._model.sig_page_added.connect(self._mark)
        self._actions.sig_save_requested.connect(lambda r: self.set_saved(r, True))
        self._actions.sig_unsave_requested.connect(lambda r: self.set_saved(r, False))
        self._actions.sig_rsvp_requested.connect(self.rsvp)
        self._actions.sig_cancel_rsvp_requested.connect(self.cancel_rsvp)
        self._changes.sig_changed.connect(self._on_changed)

    # --- what the student sees ------------------------------------------------------------------

    def _on_detail_shown(self, resource: Resource | None) -> None:
        self._shown = resource
        self._actions.show_resource(resource)
        if resource is not None:
            self._load_detail(resource)

    def _load_detail(self, resource: Resource) -> None:
        self._detail_reads += 1
        read_number, version = self._detail_reads, self._plan_version

        def read(api: SessionApi) -> tuple[bool, RsvpStatus | None]:
            saved = bool(api.saved_keys([resource]))
            if resource.capacity is None:
                return saved, None
            return saved, api.rsvp_statuses([resource]).get(resource.key)

        def loaded(found: tuple[bool, RsvpStatus | None]) -> None:
            # Another resource was selected, or the plan changed, meanwhile: a newer read follows.
            if (read_number, version) == (self._detail_reads, self._plan_version):
                self._on_detail_loaded(resource, *found)

        self._ops.query(read, loaded, exclusive=False, on_failure=self._on_detail_failed)

    def _on_detail_loaded(self, resource: Resource, saved: bool,
                          status: RsvpStatus | None) -> None:
        if not self._showing(resource):
            return
        self._actions.set_saved(saved)
        self._actions.set_rsvp(status)

    def _on_detail_failed(self, error: Exception) -> bool:
        if isinstance(error, NotFound):  # deleted since the list loaded: the list will follow
            self._actions.set_rsvp_refused(str(error))
            return True
        return False

    def _mark(self, resources: Sequence[Resource]) -> None:
        """Stars and places for rows just loaded (or all loaded rows, after a change)."""
        resources = tuple(resources)
        if not resources:
            return
        keys = [r.key for r in resources]
        version = self._plan_version

        def marked(marks: Marks) -> None:
            if version == self._plan_version:
                self._model.set_marks(keys, *marks)

        self._ops.query(lambda api: read_marks(api, resources), marked, exclusive=False,
                        on_failure=lambda error: _quietly("plan marks not loaded", error))

    def _showing(self, resource: Resource) -> bool:
        return self._shown is not None and self._shown.key == resource.key

    # --- save and unsave ------------------------------------------------------------------------

    def _on_star_toggled(self, resource: Resource) -> None:
        self.set_saved(resource, not self._model.is_saved(resource.key))

    def set_saved(self, resource: Resource, saved: bool) -> None:
        def done(_changed: bool) -> None:
            self._model.set_saved(resource.key, saved)
            if self._showing(resource):
                self._actions.set_saved(saved)

        note = (f"Saved '{resource.title}'." if saved
                else f"Removed '{resource.title}' from Saved.")
        self._ops.write(lambda api: api.save(resource) if saved else api.unsave(resource), done,
                        change=Change(plan=True, note=note))

    # --- RSVP -----------------------------------------------------------------------------------

    def rsvp(self, resource: Resource) -> None:
        """Take a place, or join the waitlist when it is full."""
        self._ops.write(lambda api: api.rsvp(resource),
                        lambda status: self._on_rsvp_changed(resource, status),
                        change=Change(plan=True, note=f"RSVP sent for '{resource.title}'."),
                        on_failure=self._on_rsvp_failed, busy=self._actions.set_busy)

    def cancel_rsvp(self, resource: Resource) -> None:
        """Give up the place (the first on the waitlist takes it) or the waitlist spot."""
        self._ops.write(lambda api: api.cancel_rsvp(resource),
                        lambda status: self._on_rsvp_changed(resource, status),
                        change=Change(plan=True,
                                      note=f"Cancelled your RSVP for '{resource.title}'."),
                        on_failure=self._on_rsvp_failed, busy=self._actions.set_busy)

    def _on_rsvp_changed(self, resource: Resource, status: RsvpStatus) -> None:
        self._model.set_status(status)
        if self._showing(resource):
            self._actions.set_rsvp(status)

    def _on_rsvp_failed(self, error: Exception) -> bool:
        if isinstance(error, RsvpUnavailable | NotFound):
            self._actions.set_rsvp_refused(str(error))
            return True
        return False

    # --- changes and the end of the session -----------------------------------------------------

    def _on_changed(self, change: Change) -> None:
        """The plan changed (here, in the Saved tab, or an RSVP moved the numbers): mark again."""
        if not change.plan:
            return
        self._plan_version += 1
        if not self._session.active or not self._browser.isVisible():
            return
        self._mark(self._model.resources)
        if self._shown is not None:
            self._load_detail(self._shown)

    def clear(self) -> None:
        self._shown = None
        self._actions.clear()


def _quietly(what: str, error: Exception) -> bool:
    """The list works without its marks: a line in the log, nothing shown."""
    log.warning("%s: %s", what, error)
    return True
