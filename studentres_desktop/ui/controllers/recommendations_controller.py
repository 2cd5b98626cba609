"""'Recommended for you' and 'More like this': the engine loads once, off the UI thread."""

from __future__ import annotations

from studentres_desktop.domain.models import (
    EngineStatus,
    Recommendation,
    Recommendations,
    Resource,
)
from studentres_desktop.ui.feature import Feature, FeatureContext
from studentres_desktop.ui.ops import Change
from studentres_desktop.ui.views.browser_view import BrowserView
from studentres_desktop.ui.views.recommendations_view import DEFAULT_HEADING, RecommendationsView

LIMIT = 30
PREPARING = ("Preparing recommendations… The first time on this computer this can take up to "
             "a minute.")
NOTHING = ("Nothing to recommend yet. Choose interests or say what you want to learn "
           "(Change interests).")


class RecommendationsController(Feature):
    def __init__(self, context: FeatureContext, browser: BrowserView,
                 view: RecommendationsView) -> None:
        super().__init__(context)
        self._browser = browser
        self._view = view
        self._ready = False
        self._preparing = False
        self._stale = True
        self._similar_to: Resource | None = None
        self._connect()

    def _connect(self) -> None:
        self._browser.sig_recommendations_shown.connect(self._on_shown)
        self._browser.sig_more_like_requested.connect(self.more_like)
        self._view.sig_selected.connect(self._on_selected)
        self._view.sig_back_requested.connect(self._back_to_mine)
        self._changes.sig_changed.connect(self._on_changed)

    @property
    def ready(self) -> bool:
        return self._ready

    # --- preparing the engine -------------------------------------------------------------------

    def warm_up(self) -> None:
        """Load the model and embed what is missing, on its own thread; the UI says so meanwhile.

        Loading takes seconds and cannot be interrupted, so it does not hold up quitting.
        """
        if self._ready or self._preparing:
            return
        self._preparing = True
        self._view.set_status(PREPARING, busy=True)
        self._ops.public(lambda gateway: gateway.prepare_recommendations(), self._on_prepared,
                         on_failure=self._on_prepare_failed, background=True)

    def _on_prepared(self, status: EngineStatus) -> None:
        self._preparing = False
        self._ready = True
        self._view.set_status("")
        self._view.set_engine(status.label, status.note)
        if self._session.active and self._browser.recommendations_visible():
            self._reload()

    def _on_prepare_failed(self, _error: Exception) -> bool:
        self._preparing = False
        self._view.set_status("Recommendations are not available right now.")
        return False

    # --- loading --------------------------------------------------------------------------------

    def _on_changed(self, change: Change) -> None:
        """Interests, the learning goal or the catalogue changed: rank again when seen."""
        if not (change.student or change.resources):
            return
        self._stale = True
        if self._browser.recommendations_visible() and self._similar_to is None:
            self._reload()

    def _on_shown(self) -> None:
        if not self._ready:
            self.warm_up()
        elif self._stale and self._similar_to is None:
            self._reload()

    def _reload(self) -> None:
        if self._similar_to is not None:
            self.more_like(self._similar_to)
            return
        if not self._ready or not self._session.active:
            return
        self._stale = False
        self._view.set_heading(DEFAULT_HEADING, showing_similar=False)
        self._view.set_status("Ranking…", busy=True)
        self._ops.query(lambda api: api.recommendations(LIMIT), self._on_loaded,
                        on_failure=self._on_failed)

    def more_like(self, resource: Resource) -> None:
        """Rank the catalogue by similarity to one resource, in the recommendations tab."""
        if not self._session.active:
            return
        self._similar_to = resource
        self._browser.show_recommendations_tab()
        self._view.set_heading(f"More like '{resource.title}'", showing_similar=True)
        if not self._ready:
            self.warm_up()
            return
        self._view.set_status("Ranking…", busy=True)
        self._ops.query(lambda api: api.more_like(resource, LIMIT), self._on_loaded,
                        on_failure=self._on_failed)

    def _back_to_mine(self) -> None:
        self._similar_to = None
        self._reload()

    def _on_loaded(self, result: Recommendations) -> None:
        self._view.set_items(result.items)
        self._view.set_engine(result.engine_label, result.note)
        self._view.set_status("" if result.items else NOTHING)

    def _on_failed(self, _error: Exception) -> bool:
        self._view.set_status("")
        self._stale = True
        return False

    def _on_selected(self, item: Recommendation | None) -> None:
        if item is not None:
            self._browser.show_detail(item.resource, reason=item.reason)

    def clear(self) -> None:
        """Forget the student's recommendations (logout, expiry); the loaded model stays."""
        self._similar_to = None
        self._stale = True
        self._view.clear()
        if self._preparing:
            self._view.set_status(PREPARING, busy=True)
