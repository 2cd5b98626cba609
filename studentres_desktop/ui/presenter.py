"""The one standard way an error reaches a person: a session message, a banner, a line, a box."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QMessageBox

from studentres_desktop.domain.errors import (
    DatabaseUnavailable,
    DomainError,
    InvalidToken,
    SchemaNotReady,
    ValidationError,
)
from studentres_desktop.ui.controllers.errors import field_message
from studentres_desktop.ui.views.main_window import MainWindow

log = logging.getLogger(__name__)
KEPT = "What you typed is kept; try again when the connection is back."


class StandardErrors(QObject):
    """Database trouble: a banner whose Retry reruns everything that failed; other domain
    errors: the status bar; anything else: a short dialog pointing at the log, never a trace."""

    def __init__(self, window: MainWindow, log_file: Path | None = None) -> None:
        super().__init__(window)
        self._window = window
        self._log_file = log_file
        self._retries: list[Callable[[], None]] = []
        self._boxes: list[QMessageBox] = []
        window.sig_retry_requested.connect(self._on_retry)

    def present(self, error: Exception, retry: Callable[[], None] | None = None) -> None:
        if isinstance(error, InvalidToken):
            return  # the op helper has ended the session; the login page says why
        if isinstance(error, DatabaseUnavailable | SchemaNotReady):
            if retry is not None:
                self._retries.append(retry)
            self._window.show_banner(f"{error} {KEPT}", retry=bool(self._retries))
            return
        if isinstance(error, ValidationError):
            self._window.show_status(field_message(error), 10_000)
            return
        if isinstance(error, DomainError):
            self._window.show_status(str(error), 10_000)
            return
        self.present_unexpected(error)

    def present_blocking(self, error: Exception, retry: Callable[[], None]) -> None:
        """Nothing works until this is solved (the start-up): always the banner, with Retry."""
        if isinstance(error, ValidationError):
            self._retries.append(retry)
            self._window.show_banner(f"The settings have a problem: {field_message(error)} Ask "
                                     "IT to correct them, then press Retry.", retry=True)
        elif isinstance(error, DomainError):
            self.present(error, retry)
        else:
            self._retries.append(retry)
            self._window.show_banner("StudentRes could not start its database. The details are "
                                     "in the log file.", retry=True)
            log.error("start-up failed", exc_info=(type(error), error, error.__traceback__))

    def present_unexpected(self, error: BaseException) -> None:
        log.error("unexpected error", exc_info=(type(error), error, error.__traceback__))
        where = f"\n\nThe details are in the log file:\n{self._log_file}" if self._log_file else ""
        box = QMessageBox(QMessageBox.Icon.Warning, "Something went wrong",
                          "Something unexpected went wrong. StudentRes keeps running, and you "
                          f"can try again.{where}", QMessageBox.StandardButton.Ok, self._window)
        box.setObjectName("unexpectedErrorBox")
        box.setWindowModality(Qt.WindowModality.WindowModal)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.finished.connect(lambda _result, b=box: self._boxes.remove(b))
        self._boxes.append(box)
        box.open()

    def clear(self) -> None:
        """The session ended: close the boxes, forget the retries, hide the banner."""
        for box in list(self._boxes):
            box.reject()
        self._retries.clear()
        self._window.hide_banner()

    def _on_retry(self) -> None:
        retries, self._retries = self._retries, []
        self._window.hide_banner()
        for retry in retries:
            retry()
