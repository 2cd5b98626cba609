"""The interest picker: load the vocabulary and the student's choice, save, go on."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QObject

from studentres_desktop.domain.errors import ValidationError
from studentres_desktop.domain.models import Interest, Student
from studentres_desktop.services.auth import AuthService
from studentres_desktop.services.interests import InterestService
from studentres_desktop.ui.controllers.errors import ErrorReporter, field_message
from studentres_desktop.ui.session import SessionState
from studentres_desktop.ui.views.interests_view import InterestsView
from studentres_desktop.ui.workers import TaskRunner


@dataclass(frozen=True)
class _Loaded:
    vocabulary: list[Interest]
    student: Student


class InterestsController(QObject):
    def __init__(
        self,
        view: InterestsView,
        interests: InterestService,
        auth: AuthService,
        runner: TaskRunner,
        session: SessionState,
        report_error: ErrorReporter,
        on_saved: Callable[[Student], None],
        on_cancel: Callable[[], None],
    ) -> None:
        super().__init__(view)
        self._view = view
        self._interests = interests
        self._auth = auth
        self._runner = runner
        self._session = session
        self._report_error = report_error
        self._on_saved = on_saved
        self._on_cancel = on_cancel
        self._busy = False
        self._connect()

    def _connect(self) -> None:
        self._view.sig_save_requested.connect(self._on_save_requested)
        self._view.sig_cancel_requested.connect(self._on_cancel)

    def load(self) -> None:
        """Fill the picker from the database (the vocabulary and the student's current choice)."""
        try:
            token = self._session.require()
        except Exception as error:  # noqa: BLE001 - InvalidToken and kin go to the reporter
            self._report_error(error)
            return
        self._view.set_busy(True)
        self._view.set_error("")

        def fetch() -> _Loaded:
            return _Loaded(self._interests.vocabulary(), self._auth.current_student(token))

        self._runner.run(fetch, self._session.guard(self._on_loaded),
                         self._session.guard(lambda e: self._on_failed(e, self.load)))

    def _on_loaded(self, loaded: _Loaded) -> None:
        self._view.set_busy(False)
        self._view.model.set_vocabulary(loaded.vocabulary)
        self._view.model.set_selection(loaded.student.interests, loaded.student.primary_interest)
        self._view.set_goal(loaded.student.learning_goal)
        self._view.set_can_cancel(bool(loaded.student.interests))
        self._view.list_view.setFocus()
        if self._view.list_view.model().rowCount():
            self._view.list_view.setCurrentIndex(self._view.list_view.model().index(0, 0))

    def _on_save_requested(self, tags: list[str], primary: str, goal: str) -> None:
        if self._busy:
            return
        if not tags:
            self._view.set_error("Choose at least one interest, then save.")
            return
        try:
            token = self._session.require()
        except Exception as error:  # noqa: BLE001
            self._report_error(error)
            return
        self._busy = True
        self._view.set_busy(True)
        self._view.set_error("")

        def save() -> Student:
            self._interests.set_for_student(token, tags, primary or None)
            return self._auth.set_learning_goal(token, goal.strip())

        self._runner.run(
            save,
            self._session.guard(self._on_save_done),
            self._session.guard(
                lambda e: self._on_failed(e, lambda: self._on_save_requested(tags, primary, goal))),
        )

    def _on_save_done(self, student: Student) -> None:
        self._busy = False
        self._view.set_busy(False)
        self._session.update_student(student)
        self._on_saved(student)

    def _on_failed(self, error: Exception, retry: Callable[[], None]) -> None:
        self._busy = False
        self._view.set_busy(False)
        if isinstance(error, ValidationError):
            self._view.set_error(field_message(error))
        else:
            self._report_error(error, retry)

    def clear(self) -> None:
        self._busy = False
        self._view.clear()
