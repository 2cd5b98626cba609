"""'Recommended for you' and 'More like this': the model loads once, off the UI thread."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from PySide6.QtCore import QObject

from studentres_desktop.domain.models import Resource
from studentres_desktop.services.recommendations import (
    EngineStatus,
    Recommendation,
    Recommendations,
    RecommendationService,
)
from studentres_desktop.ui.controllers.errors import ErrorReporter
from studentres_desktop.ui.session import SessionState
from studentres_desktop.ui.views.browser_view import BrowserView
from studentres_desktop.ui.views.recommendations_view import DEFAULT_HEADING
from studentres_desktop.ui.workers import TaskRunner

LIMIT = 30
PREPARING = "Preparing recommendations… This takes a few seconds the first time."
NOTHING = ("Nothing to recommend yet. Choose interests or say what you want to learn "
           "(Change interests).")


class RecommendationsController(QObject):
    def __init__(
        self,
        view: BrowserView,
        recommender: RecommendationService,
        runner: TaskRunner,
        session: SessionState,
        report_error: ErrorReporter,
        interest_labels: Callable[[], Mapping[str, str]],
        background: TaskRunner | None = None,
    ) -> None:
        super().__init__(view)
        self._browser = view
        self._view = view.recommendations
        self._recommender = recommender
        self._runner = runner
        # Loading the model takes seconds and cannot be interrupted: it gets its own thread so
        # that quitting need not wait for it (see app.main).
        self._background = background or runner
        self._session = session
        self._report_error = report_error
        self._labels = interest_labels
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
        self._session.sig_student_changed.connect(lambda _student: self.mark_stale())

    @property
    def ready(self) -> bool:
        return self._ready

    # --- preparing the engine -------------------------------------------------------------------

    def warm_up(self) -> None:
        """Load the model and embed what is missing, on a worker; the UI says so meanwhile."""
        if self._ready or self._preparing:
            return
        self._preparing = True
        self._view.set_status(PREPARING, busy=True)
        self._background.run(self._recommender.prepare, self._on_prepared,
                             self._on_prepare_failed)

    def _on_prepared(self, status: EngineStatus) -> None:
        self._preparing = False
        self._ready = True
        self._view.set_status("")
        self._view.set_engine(status.label, status.note)
        if self._session.active and self._browser.recommendations_visible():
            self._reload()

    def _on_prepare_failed(self, error: Exception) -> None:
        self._preparing = False
        self._view.set_status("Recommendations are not available right now.")
        self._report_error(error, self.warm_up)

    # --- loading --------------------------------------------------------------------------------

    def mark_stale(self) -> None:
        """Interests or the learning goal changed: rank again when the tab is next seen."""
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
        try:
            token = self._session.require()
        except Exception as error:  # noqa: BLE001 - an ended session goes to the reporter
            self._report_error(error)
            return
        self._stale = False
        self._view.set_heading(DEFAULT_HEADING, showing_similar=False)
        self._view.set_status("Ranking…", busy=True)
        self._runner.run(
            lambda: self._recommender.for_student(token, limit=LIMIT),
            self._session.guard(self._on_loaded),
            self._session.guard(lambda error: self._on_failed(error, self._reload)),
        )

    def more_like(self, resource: Resource) -> None:
        """Rank the catalogue by similarity to one resource, in the recommendations tab."""
        try:
            token = self._session.require()
        except Exception as error:  # noqa: BLE001
            self._report_error(error)
            return
        self._similar_to = resource
        self._browser.show_recommendations_tab()
        self._view.set_heading(f"More like '{resource.title}'", showing_similar=True)
        if not self._ready:
            self.warm_up()
            return
        self._view.set_status("Ranking…", busy=True)
        self._runner.run(
            lambda: self._recommender.more_like(token, resource.row_id, resource.kind,
                                                limit=LIMIT),
            self._session.guard(self._on_loaded),
            self._session.guard(lambda error: self._on_failed(error,
                                                              lambda: self.more_like(resource))),
        )

    def _back_to_mine(self) -> None:
        self._similar_to = None
        self._reload()

    def _on_loaded(self, result: Recommendations) -> None:
        self._view.model.set_items(result.items)
        self._view.set_engine(result.engine_label, result.note)
        self._view.set_status("" if result.items else NOTHING)

    def _on_failed(self, error: Exception, retry: Callable[[], None]) -> None:
        self._view.set_status("")
        self._stale = True
        self._report_error(error, retry)

    def _on_selected(self, item: Recommendation | None) -> None:
        if item is None:
            return
        self._browser.show_detail(item.resource, dict(self._labels()), reason=item.reason)

    def clear(self) -> None:
        """Forget the student's recommendations (logout, expiry); the loaded model stays."""
        self._similar_to = None
        self._stale = True
        self._view.model.clear()
        if self._ready:
            self._view.set_status("")
        elif self._preparing:
            self._view.set_status(PREPARING, busy=True)
