"""The resource browser: filters become one service query per change, pages load on demand."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace

from PySide6.QtCore import QTimer, Signal

from studentres_desktop.domain.errors import ValidationError
from studentres_desktop.domain.models import (
    Interest,
    Resource,
    ResourceCount,
    ResourceFilter,
    ResourceKind,
    ResourcePage,
    SortOrder,
)
from studentres_desktop.ui.controllers.errors import field_message
from studentres_desktop.ui.feature import Feature, FeatureContext
from studentres_desktop.ui.ops import Change
from studentres_desktop.ui.views.browser_view import ALL, WHOLE_CATALOGUE, BrowserView

log = logging.getLogger(__name__)
PAGE_SIZE = 100
SEARCH_DELAY_MS = 250
NEWEST_FIRST_NOTE = ("Many matches, so the newest are shown first. "
                     "Type more words to see the best matches first.")


@dataclass(frozen=True)
class BrowseState:
    text: str = ""
    kind: str = ALL
    interest: str = ALL  # a tag, ALL (the student's interests) or WHOLE_CATALOGUE
    sort: SortOrder = SortOrder.RELEVANCE


class BrowserController(Feature):
    sig_choose_interests_requested = Signal()

    def __init__(self, context: FeatureContext, view: BrowserView) -> None:
        super().__init__(context)
        self._view = view
        self._model = view.model
        self._state = BrowseState()
        self._typed = ""
        self._labels: dict[str, str] = {}
        self._empty_action: Callable[[], None] | None = None
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(SEARCH_DELAY_MS)
        self._connect()

    def _connect(self) -> None:
        self._view.sig_search_edited.connect(self._on_search_edited)
        self._debounce.timeout.connect(self._on_search_settled)
        self._view.sig_kind_changed.connect(lambda kind: self._change(kind=kind))
        self._view.sig_interest_changed.connect(lambda tag: self._change(interest=tag))
        self._view.sig_sort_changed.connect(lambda order: self._change(sort=order))
        self._view.sig_resource_selected.connect(self._on_selected)
        self._view.sig_empty_action.connect(self._on_empty_action)
        self._model.sig_fetch_requested.connect(self._fetch)
        self._changes.sig_changed.connect(self._on_changed)

    @property
    def state(self) -> BrowseState:
        return self._state

    # --- opening and filtering ------------------------------------------------------------------

    def open(self) -> None:
        """Show the student's interests as filter options and load the first page."""
        student = self._session.student
        if student is None:
            return
        if not self._labels:
            self._load_labels()
        self._view.set_interest_options([(self._labels.get(t, t), t) for t in student.interests])
        if self._state.interest not in (ALL, WHOLE_CATALOGUE, *student.interests):
            self._state = replace(self._state, interest=ALL)
        self._view.set_filters(self._state.text, self._state.kind, self._state.interest,
                               self._state.sort)
        self.reload()

    def _load_labels(self) -> None:
        def done(vocabulary: list[Interest]) -> None:
            self._labels = {i.tag: i.label for i in vocabulary}
            self._view.set_interest_labels(self._labels)
            student = self._session.student
            if student is not None:
                self._view.set_interest_options(
                    [(self._labels.get(t, t), t) for t in student.interests])
                self._view.set_filters(self._state.text, self._state.kind, self._state.interest,
                                       self._state.sort)
                self._model.layoutChanged.emit()

        self._ops.query(lambda api: api.vocabulary(), done,
                        on_failure=lambda error: _quietly("interest labels not loaded", error))

    def _on_search_edited(self, text: str) -> None:
        self._typed = text
        self._debounce.start()

    def _on_search_settled(self) -> None:
        self._change(text=self._typed)

    def _change(self, **changes: object) -> None:
        updated = replace(self._state, **changes)  # type: ignore[arg-type]
        if updated != self._state:
            self._state = updated
            self._view.set_filters(updated.text, updated.kind, updated.interest, updated.sort)
            self.reload()

    def reload(self) -> None:
        """Start over from the first page of the current filter."""
        self._debounce.stop()
        student = self._session.student
        if student is None:
            return
        self._view.show_detail(None)
        self._view.set_search_note("")
        if not student.interests and self._state.interest != WHOLE_CATALOGUE:
            self._model.clear()
            self._view.set_count("")
            self._show_empty("Pick an interest to see resources.", "Choose interests",
                             self.sig_choose_interests_requested.emit)
            return
        generation = self._model.restart()
        self._fetch(generation, 0)

    def _filter(self, offset: int) -> ResourceFilter:
        state = self._state
        interests = None if state.interest in (ALL, WHOLE_CATALOGUE) else (state.interest,)
        kinds = frozenset() if state.kind == ALL else frozenset({ResourceKind(state.kind)})
        return ResourceFilter(interests=interests, kinds=kinds, text=state.text, sort=state.sort,
                              offset=offset, limit=PAGE_SIZE)

    def _fetch(self, generation: int, offset: int) -> None:
        flt = self._filter(offset)
        whole = self._state.interest == WHOLE_CATALOGUE
        self._view.set_busy(True)
        self._ops.query(
            lambda api: api.browse(flt, whole_catalogue=whole),
            lambda page: self._on_page(generation, page, flt, whole),
            on_failure=lambda error: self._on_failed(generation, error),
            retry=self.reload if offset == 0 else (lambda: self._fetch(generation, offset)),
        )

    def _on_page(self, generation: int, page: ResourcePage, flt: ResourceFilter,
                 whole: bool) -> None:
        if not self._model.add_page(generation, page):
            return
        self._view.set_busy(False)
        if page.offset == 0:
            self._view.set_search_note(NEWEST_FIRST_NOTE if page.newest_first else "")
        if page.offset == 0 and not page.has_more:
            self._show_count(generation, ResourceCount(len(page.items)))
        elif page.offset == 0:  # counting every match takes longer than a page: do it after
            self._view.set_count("")
            self._ops.query(lambda api: api.count(flt, whole_catalogue=whole),
                            lambda total: self._show_count(generation, total),
                            on_failure=lambda error: _quietly("resources not counted", error))
        if self._model.rowCount():
            self._view.show_results()
        elif page.offset == 0:
            self._show_nothing_found()

    def _show_count(self, generation: int, count: ResourceCount) -> None:
        if generation == self._model.generation and self._model.rowCount():
            self._view.set_count(count.label)

    def _on_failed(self, generation: int, error: Exception) -> bool:
        """A page did not load: a refused search is shown in place, the rest the standard way."""
        self._model.load_failed(generation)
        if generation != self._model.generation:
            return True  # the filter changed meanwhile; nobody waits for this page
        self._view.set_busy(False)
        if isinstance(error, ValidationError):
            self._model.clear()
            self._show_empty(field_message(error), "Clear search", self._clear_search)
            return True
        return False

    def _on_changed(self, change: Change) -> None:
        """Another feature wrote: show the catalogue as it is now, if it is on screen."""
        if change.resources and self._session.active and self._view.isVisible():
            self.reload()

    # --- empty states ---------------------------------------------------------------------------

    def _show_nothing_found(self) -> None:
        state = self._state
        self._view.set_count("")
        if state.text:
            self._show_empty(f"No resources match '{state.text}'.", "Clear search",
                             self._clear_search)
        elif state.kind != ALL or state.interest not in (ALL, WHOLE_CATALOGUE):
            self._show_empty("No resources match these filters.", "Show all kinds and interests",
                             self._clear_filters)
        elif state.interest == ALL:
            self._show_empty(
                "Nothing is listed for your interests yet. Add more interests, or browse the "
                "whole catalogue.", "Browse the whole catalogue",
                lambda: self._change(interest=WHOLE_CATALOGUE))
        else:
            self._show_empty("The catalogue is empty.")

    def _show_empty(self, message: str, action: str = "",
                    callback: Callable[[], None] | None = None) -> None:
        self._empty_action = callback
        self._view.show_empty(message, action)

    def _on_empty_action(self) -> None:
        if self._empty_action is not None:
            self._empty_action()

    def _clear_search(self) -> None:
        self._change(text="")

    def _clear_filters(self) -> None:
        self._change(kind=ALL, interest=ALL)

    # --- detail and clean-up --------------------------------------------------------------------

    def _on_selected(self, resource: Resource | None) -> None:
        self._view.show_detail(resource)

    def clear(self) -> None:
        """Forget everything shown for the student (logout, expiry)."""
        self._debounce.stop()
        self._state = BrowseState()
        self._typed = ""
        self._labels = {}
        self._empty_action = None
        self._view.clear()


def _quietly(what: str, error: Exception) -> bool:
    """For extras the page works without (labels, counts): a line in the log, nothing shown."""
    log.warning("%s: %s", what, error)
    return True
