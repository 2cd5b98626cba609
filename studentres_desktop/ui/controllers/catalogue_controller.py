"""Advisors keep the catalogue current: new, edit and delete, from the browser."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QMessageBox, QWidget

from studentres_desktop.domain.errors import ValidationError
from studentres_desktop.domain.models import (
    Interest,
    Resource,
    ResourceDraft,
    ResourceKind,
    Role,
    Student,
)
from studentres_desktop.services.clock import Clock
from studentres_desktop.services.interests import InterestService
from studentres_desktop.services.resources import ResourceService
from studentres_desktop.ui.controllers.errors import ErrorReporter, field_message
from studentres_desktop.ui.session import SessionState
from studentres_desktop.ui.views.browser_view import BrowserView
from studentres_desktop.ui.views.main_window import MainWindow
from studentres_desktop.ui.views.resource_editor import ResourceEditor
from studentres_desktop.ui.workers import TaskRunner


class CatalogueController(QObject):
    def __init__(
        self,
        window: MainWindow,
        browser: BrowserView,
        resources: ResourceService,
        interests: InterestService,
        runner: TaskRunner,
        session: SessionState,
        report_error: ErrorReporter,
        clock: Clock,
        on_changed: Callable[[str], None],
    ) -> None:
        super().__init__(window)
        self._window = window
        self._browser = browser
        self._resources = resources
        self._interests = interests
        self._runner = runner
        self._session = session
        self._report_error = report_error
        self._clock = clock
        self._on_changed = on_changed
        self.editor = ResourceEditor(window)
        self._editing: Resource | None = None
        self.confirmation: QMessageBox | None = None  # the open delete question, if any
        self._connect()
        self._show_actions(None)

    def _connect(self) -> None:
        self._window.action_new_resource.triggered.connect(lambda: self.open_editor(None))
        self._browser.edit_button.clicked.connect(self._on_edit_clicked)
        self._browser.delete_button.clicked.connect(self._on_delete_clicked)
        self.editor.sig_save_requested.connect(self._on_save_requested)
        self._session.sig_started.connect(self._show_actions)
        self._session.sig_ended.connect(lambda _message: self._show_actions(None))

    def _show_actions(self, student: Student | None) -> None:
        advisor = student is not None and student.role is Role.ADVISOR
        self._window.set_catalogue_actions(advisor)
        self._browser.set_editing_allowed(advisor)
        if not advisor:
            self.editor.reject()

    # --- editing --------------------------------------------------------------------------------

    def _on_edit_clicked(self) -> None:
        shown = self._browser.shown_resource()
        if shown is not None:
            self.open_editor(shown)

    def open_editor(self, resource: Resource | None) -> None:
        """Load the vocabulary on a worker, then show the form (empty for a new resource)."""
        try:
            self._session.require()
        except Exception as error:  # noqa: BLE001 - an ended session goes to the reporter
            self._report_error(error)
            return
        self._editing = resource

        def loaded(vocabulary: list[Interest]) -> None:
            self.editor.load(vocabulary, resource, self._clock())
            self.editor.open()

        self._runner.run(self._interests.vocabulary, self._session.guard(loaded),
                         self._session.guard(lambda e: self._report_error(
                             e, lambda: self.open_editor(resource))))

    def _on_save_requested(self, values: dict[str, Any]) -> None:
        try:
            token = self._session.require()
            draft = ResourceDraft(kind=ResourceKind(values["kind"]), **{
                key: value for key, value in values.items() if key != "kind"})
        except Exception as error:  # noqa: BLE001
            self._report_error(error)
            return
        editing = self._editing
        self.editor.clear_errors()
        self.editor.set_busy(True)

        def save() -> Resource:
            if editing is None:
                return self._resources.create(token, draft)
            return self._resources.update(token, editing.row_id, editing.kind, draft)

        self._runner.run(save, self._session.guard(self._on_saved),
                         self._session.guard(lambda e: self._on_save_failed(e, values)))

    def _on_saved(self, resource: Resource) -> None:
        self.editor.set_busy(False)
        self.editor.accept()
        self._editing = None
        self._on_changed(f"Saved '{resource.title}'.")

    def _on_save_failed(self, error: Exception, values: dict[str, Any]) -> None:
        self.editor.set_busy(False)
        if isinstance(error, ValidationError):
            self.editor.set_field_error(error.field, field_message(error))
        else:
            self._report_error(error, lambda: self._on_save_requested(values))

    # --- deleting -------------------------------------------------------------------------------

    def _on_delete_clicked(self) -> None:
        resource = self._browser.shown_resource()
        if resource is None:
            return
        box = QMessageBox(QMessageBox.Icon.Question, "Delete resource",
                          f"Delete '{resource.title}'? Students will no longer see it.",
                          QMessageBox.StandardButton.Cancel, self._parent())
        delete = box.addButton("Delete", QMessageBox.ButtonRole.DestructiveRole)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.setWindowModality(Qt.WindowModality.WindowModal)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.buttonClicked.connect(
            lambda button: self.delete(resource) if button is delete else None)
        box.open()
        self.confirmation = box

    def delete(self, resource: Resource) -> None:
        try:
            token = self._session.require()
        except Exception as error:  # noqa: BLE001
            self._report_error(error)
            return
        self._runner.run(
            lambda: self._resources.delete(token, resource.row_id, resource.kind),
            self._session.guard(lambda _none: self._on_changed(f"Deleted '{resource.title}'.")),
            self._session.guard(lambda e: self._report_error(e, lambda: self.delete(resource))),
        )

    def _parent(self) -> QWidget:
        return self._window
