"""The seam every feature controller is built on: its context, and what it owns.

A feature opens dialogs and message boxes through `own()`; when the session ends (logout,
expiry, closing the window, the kiosk's idle timeout) it closes every one of them and `clear()`
empties every model and field that held the person's data.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QDialog, QWidget

from studentres_desktop.services.clock import Clock
from studentres_desktop.ui.ops import ChangeBus, Ops
from studentres_desktop.ui.session import SessionState


@dataclass(frozen=True)
class FeatureContext:
    """What a feature may use: the op helper, the session, the change broadcast, a clock."""

    ops: Ops
    session: SessionState
    changes: ChangeBus
    dialog_parent: QWidget  # the window dialogs are modal to
    clock: Clock


class Feature(QObject):
    """Base of the feature controllers: owns its dialogs and forgets the person at session end."""

    def __init__(self, context: FeatureContext) -> None:
        super().__init__(context.dialog_parent)
        self._ops = context.ops
        self._session = context.session
        self._changes = context.changes
        self._dialog_parent = context.dialog_parent
        self._clock = context.clock
        self._owned: list[QDialog] = []
        context.session.sig_ended.connect(self._on_session_ended)

    def own(self, dialog: QDialog) -> QDialog:
        """Track a dialog this feature opened, until it closes or the session ends."""
        if dialog not in self._owned:
            self._owned.append(dialog)
            dialog.finished.connect(lambda _result, d=dialog: self._disown(d))
            dialog.destroyed.connect(lambda _obj=None, d=dialog: self._disown(d))
        return dialog

    def owned_dialogs(self) -> list[QDialog]:
        return list(self._owned)

    def _disown(self, dialog: QDialog) -> None:
        if dialog in self._owned:
            self._owned.remove(dialog)

    def _on_session_ended(self, _message: str) -> None:
        for dialog in list(self._owned):
            dialog.reject()
        self._owned.clear()
        self.clear()

    def clear(self) -> None:
        """Forget everything shown for the person (override in each feature)."""
