"""Kiosk mode: full screen, no way out from the keyboard, and logout after idle time.

An application-wide event filter notes every key, click, touch and wheel turn. When the kiosk has
been idle for all but the last few seconds of its timeout, a countdown offers "I'm still here";
any input cancels it; at zero the session ends through the same path as logging out. Without a
session, a half-typed login or registration is wiped the same way. The clock is the feature
context's, and `tick()` is what the one-second timer calls, so tests need no sleeping.
"""

from __future__ import annotations

import math
from datetime import timedelta

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication

from studentres_desktop.domain.models import Role, Student
from studentres_desktop.ui.feature import Feature, FeatureContext
from studentres_desktop.ui.views.idle_countdown import IdleCountdown
from studentres_desktop.ui.views.main_window import MainWindow

WARNING = timedelta(seconds=15)
TICK_MS = 1000
INPUT_EVENTS = frozenset({
    QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.MouseMove,
    QEvent.Type.Wheel, QEvent.Type.TouchBegin, QEvent.Type.TouchUpdate,
    QEvent.Type.TabletPress, QEvent.Type.InputMethod,
})


def idle_logout_message(timeout: timedelta) -> str:
    seconds = int(timeout.total_seconds())
    span = (f"{seconds // 60} minute{'s' if seconds // 60 != 1 else ''}" if seconds % 60 == 0
            else f"{seconds} seconds")
    return f"You were logged out after {span} without activity, so the next person starts fresh."


class KioskController(Feature):
    def __init__(self, context: FeatureContext, window: MainWindow, countdown: IdleCountdown,
                 idle_timeout: timedelta) -> None:
        super().__init__(context)
        self._window = window
        self._countdown = countdown
        self._timeout = idle_timeout
        # The warning takes the last 15 seconds, or the last half of a shorter timeout.
        self._warning = min(WARNING, idle_timeout / 2)
        self._last_input = self._clock()
        self._typed_without_session = False
        self._timer = QTimer(self)
        self._timer.setInterval(TICK_MS)
        self._connect()

    def _connect(self) -> None:
        self._timer.timeout.connect(self.tick)
        self._session.sig_started.connect(self._on_session_started)
        self._countdown.sig_still_here.connect(self._on_input)
        self._window.sig_exit_kiosk_requested.connect(self._on_exit_requested)

    def start(self) -> None:
        """Fill the screen, lock the window, and start watching for input."""
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)
        self._window.set_kiosk(True)
        self._last_input = self._clock()
        self._timer.start()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt override)
        if event.type() in INPUT_EVENTS:
            self._on_input()
        return False

    def _on_input(self) -> None:
        self._last_input = self._clock()
        if not self._session.active:
            self._typed_without_session = True
        if self._countdown.isVisible():
            self._countdown.hide()

    def tick(self) -> None:
        """Compare the idle time with the timeout: warn, end the session, or wipe the forms."""
        remaining = self._timeout - (self._clock() - self._last_input)
        if not self._session.active:
            if remaining <= timedelta(0) and self._typed_without_session:
                self._typed_without_session = False
                self._session.end("")  # the features clear the half-typed forms
            return
        if remaining <= timedelta(0):
            self._session.end(idle_logout_message(self._timeout))
        elif remaining <= self._warning:
            self._countdown.set_seconds_left(math.ceil(remaining.total_seconds()))
            if not self._countdown.isVisible():
                self.own(self._countdown).show()
        elif self._countdown.isVisible():
            self._countdown.hide()

    def countdown_visible(self) -> bool:
        return self._countdown.isVisible()

    def _on_session_started(self, student: Student) -> None:
        self._last_input = self._clock()
        self._typed_without_session = False
        self._window.set_exit_kiosk_available(student.role is Role.ADVISOR)

    def _on_exit_requested(self) -> None:
        student = self._session.student
        if student is not None and student.role is Role.ADVISOR and self._session.check():
            self._window.unlock_and_close()

    def clear(self) -> None:
        self._window.set_exit_kiosk_available(False)
        self._countdown.set_seconds_left(0)
