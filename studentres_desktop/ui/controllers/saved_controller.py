"""The 'Saved' tab: the student's saved resources, soonest first, with unsave."""

from __future__ import annotations

from typing import TYPE_CHECKING

from studentres_desktop.domain.models import (
    Resource,
    RsvpStatus,
    SavedEntry,
    parse_resource_key,
)
from studentres_desktop.ui.feature import Feature, FeatureContext
from studentres_desktop.ui.ops import Change
from studentres_desktop.ui.views.browser_view import BrowserView
from studentres_desktop.ui.views.saved_view import SavedView

if TYPE_CHECKING:
    from studentres_desktop.services.session_api import SessionApi

MAX_STATUSES = 500  # the service's limit of keys per call


def read_saved(api: SessionApi) -> tuple[tuple[SavedEntry, ...], dict[str, RsvpStatus]]:
    """The saved entries, and the RSVP status of the upcoming ones that take RSVPs."""
    entries = api.saved()
    live = [e.resource for e in entries if e.resource is not None and not e.past
            and e.resource.capacity is not None][:MAX_STATUSES]
    return entries, (api.rsvp_statuses(live) if live else {})


class SavedController(Feature):
    def __init__(self, context: FeatureContext, browser: BrowserView, view: SavedView) -> None:
        super().__init__(context)
        self._browser = browser
        self._view = view
        view.sig_shown.connect(self.load)
        view.sig_selected.connect(self._on_selected)
        view.sig_unsave_requested.connect(self.unsave)
        self._changes.sig_changed.connect(self._on_changed)

    def load(self) -> None:
        if self._session.active:
            self._ops.query(read_saved, lambda found: self._view.set_entries(*found),
                            busy=self._view.set_busy)

    def _on_selected(self, entry: SavedEntry | None) -> None:
        # A removed resource has nothing left to show but its line in the list.
        self._browser.show_detail(entry.resource if entry is not None else None)

    def unsave(self, entry: SavedEntry) -> None:
        resource = entry.resource or Resource(*parse_resource_key(entry.key), title=entry.title)
        self._ops.write(lambda api: api.unsave(resource), lambda _removed: None,
                        change=Change(plan=True,
                                      note=f"Removed '{entry.title}' from Saved."))

    def _on_changed(self, change: Change) -> None:
        """Saved or unsaved anywhere, or the catalogue changed: the list as it is now."""
        if (change.plan or change.resources) and self._view.isVisible():
            self.load()

    def clear(self) -> None:
        self._view.clear()
