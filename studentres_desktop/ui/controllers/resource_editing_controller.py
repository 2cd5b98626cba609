"""Advisors keep the catalogue current: new, edit and delete resources from the browser."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QMessageBox

from studentres_desktop.domain.errors import EditConflict, ValidationError
from studentres_desktop.domain.models import (
    DeleteImpact,
    Interest,
    Resource,
    ResourceDraft,
    ResourceKind,
    Role,
    Student,
)
from studentres_desktop.ui.controllers.errors import field_message
from studentres_desktop.ui.feature import Feature, FeatureContext
from studentres_desktop.ui.ops import Change
from studentres_desktop.ui.views.browser_view import BrowserView
from studentres_desktop.ui.views.main_window import MainWindow
from studentres_desktop.ui.views.resource_editor import ResourceEditor

if TYPE_CHECKING:
    from studentres_desktop.services.session_api import SessionApi


class ResourceEditingController(Feature):
    def __init__(self, context: FeatureContext, window: MainWindow, browser: BrowserView,
                 editor: ResourceEditor) -> None:
        super().__init__(context)
        self._window = window
        self._browser = browser
        self.editor = editor
        self._editing: Resource | None = None
        self._vocabulary: list[Interest] = []
        self.confirmation: QMessageBox | None = None  # the open delete question, if any
        self._connect()
        self._show_actions(None)

    def _connect(self) -> None:
        self._window.sig_new_resource_requested.connect(lambda: self.open_editor(None))
        self._browser.sig_edit_requested.connect(self.open_editor)
        self._browser.sig_delete_requested.connect(self.confirm_delete)
        self.editor.sig_save_requested.connect(self._on_save_requested)
        self._session.sig_started.connect(self._show_actions)

    def _show_actions(self, student: Student | None) -> None:
        advisor = student is not None and student.role is Role.ADVISOR
        self._window.set_catalogue_actions(advisor)
        self._browser.set_editing_allowed(advisor)

    # --- editing --------------------------------------------------------------------------------

    def open_editor(self, resource: Resource | None) -> None:
        """Load the vocabulary on a worker, then show the form (empty for a new resource)."""
        self._editing = resource

        def loaded(vocabulary: list[Interest]) -> None:
            self._vocabulary = vocabulary
            self.editor.load(vocabulary, resource, self._clock())
            self.own(self.editor).open()

        self._ops.query(lambda api: api.vocabulary(), loaded)

    def _on_save_requested(self, values: dict[str, Any]) -> None:
        draft = ResourceDraft(kind=ResourceKind(values["kind"]), **{
            key: value for key, value in values.items() if key != "kind"})
        editing = self._editing
        self.editor.clear_errors()

        def save(api: SessionApi) -> Resource:
            if editing is None:
                return api.create_resource(draft)
            return api.update_resource(editing, draft)

        self._ops.write(save, self._on_saved,
                        change=Change(resources=True, note=f"Saved '{draft.title.strip()}'."),
                        on_failure=self._on_save_failed, busy=self.editor.set_busy)

    def _on_saved(self, _resource: Resource) -> None:
        self.editor.accept()
        self._editing = None

    def _on_save_failed(self, error: Exception) -> bool:
        if isinstance(error, ValidationError):
            self.editor.set_field_error(error.field, field_message(error))
            return True
        if isinstance(error, EditConflict):
            # Another advisor saved first: show what is stored now, and say what changed.
            self._editing = error.current
            self.editor.load(self._vocabulary, error.current, self._clock())
            self.editor.set_form_error(str(error))
            return True
        return False

    # --- deleting -------------------------------------------------------------------------------

    def confirm_delete(self, resource: Resource) -> None:
        """Ask first; a resource with RSVPs asks again, saying how many students it touches."""
        self._ops.query(lambda api: api.delete_impact(resource),
                        lambda impact: self._ask(resource, impact, first=True))

    def _ask(self, resource: Resource, impact: DeleteImpact, *, first: bool) -> None:
        if first:
            text = f"Delete '{resource.title}'? Students will no longer see it."
            if impact.saved:
                text += (f" {impact.saved} saved it; they will see it as removed.")
        else:
            text = (f"'{resource.title}' has RSVPs: {impact.going} going and "
                    f"{impact.waitlisted} on the waitlist, {impact.students} "
                    f"{'student' if impact.students == 1 else 'students'} in all. Deleting "
                    "cancels their places; their saved entries will show it as removed. "
                    "Delete it anyway?")
        box = QMessageBox(QMessageBox.Icon.Question if first else QMessageBox.Icon.Warning,
                          "Delete resource", text, QMessageBox.StandardButton.Cancel,
                          self._dialog_parent)
        box.setObjectName("deleteConfirmation" if first else "deleteWithRsvpsConfirmation")
        delete = box.addButton("Delete" if first else "Delete anyway",
                               QMessageBox.ButtonRole.DestructiveRole)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.setWindowModality(Qt.WindowModality.WindowModal)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        again = first and impact.going + impact.waitlisted > 0

        def on_clicked(button: object) -> None:
            if button is not delete:
                return
            if again:
                QTimer.singleShot(0, lambda: self._ask(resource, impact, first=False))
            else:
                self.delete(resource)

        box.buttonClicked.connect(on_clicked)
        self.confirmation = box
        box.destroyed.connect(lambda _obj=None, b=box: self._forget_confirmation(b))
        self.own(box).open()

    def _forget_confirmation(self, box: QMessageBox) -> None:
        if self.confirmation is box:
            self.confirmation = None

    def delete(self, resource: Resource) -> None:
        self._ops.write(lambda api: api.delete_resource(resource), lambda _none: None,
                        change=Change(resources=True, note=f"Deleted '{resource.title}'."))

    def clear(self) -> None:
        self._editing = None
        self.editor.clear()
        self._show_actions(None)
