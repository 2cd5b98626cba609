"""The interest picker: load the vocabulary and the student's choice, save, go on."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal

from studentres_desktop.domain.errors import ValidationError
from studentres_desktop.domain.models import Interest, Student
from studentres_desktop.ui.controllers.errors import field_message
from studentres_desktop.ui.feature import Feature, FeatureContext
from studentres_desktop.ui.ops import Change
from studentres_desktop.ui.views.interests_view import InterestsView

if TYPE_CHECKING:
    from studentres_desktop.services.session_api import SessionApi

SAVED = "Your interests are saved. Here is what matches them."


@dataclass(frozen=True)
class _Loaded:
    vocabulary: list[Interest]
    student: Student


class InterestsController(Feature):
    sig_saved = Signal()
    sig_cancelled = Signal()

    def __init__(self, context: FeatureContext, view: InterestsView) -> None:
        super().__init__(context)
        self._view = view
        self._connect()

    def _connect(self) -> None:
        self._view.sig_save_requested.connect(self._on_save_requested)
        self._view.sig_cancel_requested.connect(self.sig_cancelled)

    def load(self) -> None:
        """Fill the picker from the database (the vocabulary and the student's current choice)."""
        self._view.set_error("")

        def fetch(api: SessionApi) -> _Loaded:
            return _Loaded(api.vocabulary(), api.current_student())

        self._ops.query(fetch, self._on_loaded, busy=self._view.set_busy)

    def _on_loaded(self, loaded: _Loaded) -> None:
        student = loaded.student
        self._view.set_choices(loaded.vocabulary, student.interests, student.primary_interest)
        self._view.set_goal(student.learning_goal)
        self._view.set_can_cancel(bool(student.interests))
        self._view.focus_list()

    def _on_save_requested(self, tags: list[str], primary: str, goal: str) -> None:
        if not tags:
            self._view.set_error("Choose at least one interest, then save.")
            return
        self._view.set_error("")
        self._ops.write(lambda api: api.save_interests(tags, primary or None, goal.strip()),
                        self._on_saved, change=Change(student=True, note=SAVED),
                        on_failure=self._on_failed, busy=self._view.set_busy)

    def _on_saved(self, student: Student) -> None:
        self._session.update_student(student)
        self.sig_saved.emit()

    def _on_failed(self, error: Exception) -> bool:
        if isinstance(error, ValidationError):
            self._view.set_error(field_message(error))
            return True
        return False

    def clear(self) -> None:
        self._view.clear()
