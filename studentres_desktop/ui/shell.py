"""The desktop's UI, assembled: views, the feature controllers, the op helper and the session.

`bootstrap.build_desktop` creates it over the gateway. It starts the app (login window first, the
database prepared behind it), checks the session's token every few seconds, and when a session
ends makes sure nothing of the person is left on screen or on the clipboard.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QSettings, QTimer, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QToolTip, QWidget

from studentres_desktop.services.clock import Clock, utc_now
from studentres_desktop.ui.controllers.login_controller import LoginController
from studentres_desktop.ui.feature import Feature, FeatureContext
from studentres_desktop.ui.ops import Change, ChangeBus, Ops
from studentres_desktop.ui.presenter import StandardErrors
from studentres_desktop.ui.session import SessionState
from studentres_desktop.ui.views.login_view import LoginView
from studentres_desktop.ui.views.main_window import MainWindow
from studentres_desktop.ui.workers import TaskRunner

if TYPE_CHECKING:
    from studentres_desktop.services.session_api import Gateway
    from studentres_desktop.ui.controllers.kiosk_controller import KioskController

log = logging.getLogger(__name__)
SESSION_CHECK_MS = 15_000
PREPARE_AT_THE_LATEST_MS = 300


class Shell(QObject):
    """Owns the main window and every feature; `start()` shows the login window.

    Only what the login page needs is built before it is first painted; the other views, their
    dialogs and the feature controllers (and their modules) are built right after that paint, and
    the database is prepared only once they are, so a login never completes without them.
    """

    sig_ready = Signal()  # the database answered and the login form is enabled
    sig_prepare_failed = Signal(str)  # the database could not be reached or prepared

    def __init__(self, gateway: Callable[[], Gateway], settings: QSettings, *,
                 log_file: Path | None = None, clock: Clock = utc_now,
                 kiosk_idle_timeout: timedelta | None = None) -> None:
        """`gateway` gives the way in; it is first called on a worker, so that building the
        services (SQLAlchemy, the driver, numpy) happens after the login window is shown.
        `kiosk_idle_timeout` makes this a kiosk that logs out after that much idle time."""
        super().__init__()
        self._settings = settings
        self._kiosk_idle_timeout = kiosk_idle_timeout
        self.window = MainWindow()
        self.login_view = LoginView()
        self.window.add_page(self.login_view)
        self.session = SessionState(self)
        self.errors = StandardErrors(self.window, log_file)
        self.changes = ChangeBus(self)
        self.runner = TaskRunner(parent=self)
        # The recommendation model loads on its own thread: quitting need not wait for it.
        self.background = TaskRunner(parent=self, threads=1)
        self.ops = Ops(gateway, self.session, self.errors, self.runner, self.background,
                       self.changes, self)
        self._context = FeatureContext(self.ops, self.session, self.changes, self.window, clock)
        self.login = LoginController(self._context, self.login_view)
        self.kiosk: KioskController | None = None
        self.features: tuple[Feature, ...] = (self.login,)
        self._built = False
        self._ready = False
        self._preparing_started = False
        self._preparing = 0  # which attempt to prepare the database is the newest
        self._copied_in_session = False
        self._session_timer = QTimer(self)
        self._session_timer.setInterval(SESSION_CHECK_MS)

    def build_features(self) -> None:
        """Build the other pages, the dialogs and every feature controller (once).

        `start()` calls this right after the login window's first paint; their modules are
        imported here so that loading them does not delay that paint either."""
        if self._built:
            return
        self._built = True
        from studentres_desktop.ui.controllers.app_controller import AppController
        from studentres_desktop.ui.controllers.attendance_controller import (
            AttendanceController,
        )
        from studentres_desktop.ui.controllers.audit_log_controller import AuditLogController
        from studentres_desktop.ui.controllers.browser_controller import BrowserController
        from studentres_desktop.ui.controllers.calendar_controller import CalendarController
        from studentres_desktop.ui.controllers.catalogue_transfer_controller import (
            CatalogueTransferController,
        )
        from studentres_desktop.ui.controllers.database_connection_controller import (
            DatabaseConnectionController,
        )
        from studentres_desktop.ui.controllers.desk_lookup_controller import (
            DeskLookupController,
        )
        from studentres_desktop.ui.controllers.interests_controller import InterestsController
        from studentres_desktop.ui.controllers.kiosk_controller import KioskController
        from studentres_desktop.ui.controllers.plan_controller import PlanController
        from studentres_desktop.ui.controllers.recommendations_controller import (
            RecommendationsController,
        )
        from studentres_desktop.ui.controllers.register_controller import RegisterController
        from studentres_desktop.ui.controllers.resource_editing_controller import (
            ResourceEditingController,
        )
        from studentres_desktop.ui.controllers.saved_controller import SavedController
        from studentres_desktop.ui.views.attendance import AttendanceDialog
        from studentres_desktop.ui.views.audit_log import AuditLogDialog
        from studentres_desktop.ui.views.browser_view import BrowserView
        from studentres_desktop.ui.views.database_connection import DatabaseConnectionDialog
        from studentres_desktop.ui.views.idle_countdown import IdleCountdown
        from studentres_desktop.ui.views.import_preview import ImportPreviewDialog
        from studentres_desktop.ui.views.interests_view import InterestsView
        from studentres_desktop.ui.views.register_view import RegisterView
        from studentres_desktop.ui.views.resource_editor import ResourceEditor
        from studentres_desktop.ui.views.student_lookup import StudentLookup

        context = self._context
        kiosk_idle_timeout = self._kiosk_idle_timeout
        self.register_view = RegisterView()
        self.interests_view = InterestsView()
        self.browser_view = BrowserView()
        self.register = RegisterController(context, self.register_view)
        self.interests = InterestsController(context, self.interests_view)
        self.browser = BrowserController(context, self.browser_view)
        self.recommendations = RecommendationsController(
            context, self.browser_view, self.browser_view.recommendations)
        self.editing = ResourceEditingController(context, self.window, self.browser_view,
                                                 ResourceEditor(self.window))
        self.desk_lookup = DeskLookupController(context, self.window, StudentLookup(self.window))
        self.transfer = CatalogueTransferController(context, self.window,
                                                    ImportPreviewDialog(self.window))
        self.audit_log = AuditLogController(context, self.window, AuditLogDialog(self.window))
        self.attendance = AttendanceController(context, self.window, self.browser_view,
                                               AttendanceDialog(self.window))
        self.plan = PlanController(context, self.browser_view, self.browser_view.plan_actions)
        self.saved = SavedController(context, self.browser_view, self.browser_view.saved)
        self.calendar = CalendarController(context, self.browser_view.plan_actions,
                                           self.browser_view.saved,
                                           writes_files=kiosk_idle_timeout is None)
        self.connection = DatabaseConnectionController(
            context, self.window, DatabaseConnectionDialog(self.window),
            needs_advisor=kiosk_idle_timeout is not None)
        self.kiosk = (KioskController(context, self.window, IdleCountdown(self.window),
                                      kiosk_idle_timeout)
                      if kiosk_idle_timeout is not None else None)
        self.features = (
            self.login, self.register, self.interests, self.browser, self.recommendations,
            self.editing, self.plan, self.saved, self.calendar, self.desk_lookup, self.transfer,
            self.audit_log, self.attendance, self.connection,
            *([self.kiosk] if self.kiosk is not None else []))
        self.navigation = AppController(
            self.window, self.session, login=(self.login_view, self.login),
            register=(self.register_view, self.register),
            interests=(self.interests_view, self.interests),
            browser=(self.browser_view, self.browser))
        # Connected after every feature: at a session's end they close what they own first.
        self._connect()
        if self.kiosk is not None:
            self.kiosk.start()

    def _connect(self) -> None:
        self.session.sig_ended.connect(self._leave_nothing_behind)
        self.changes.sig_changed.connect(self._on_changed)
        self.window.sig_closing.connect(self._on_closing)
        self._session_timer.timeout.connect(self.session.check)
        self.connection.sig_connection_changed.connect(self._prepare)
        QGuiApplication.clipboard().dataChanged.connect(self._on_clipboard_changed)

    def _on_clipboard_changed(self) -> None:
        if self.session.active:
            self._copied_in_session = True

    # --- start-up -------------------------------------------------------------------------------

    def start(self) -> None:
        """Show the login window at once; the rest of the UI is built right after its first
        paint, and then the database is prepared off the UI thread."""
        self.window.restore_geometry(self._settings)
        # What AppController.show_login does, before AppController exists.
        self.window.show_page(self.login_view)
        self.window.setWindowTitle("StudentRes — Log in")
        self.login.prefill("", "")
        self._session_timer.start()
        # Building the rest and loading the services would compete with the first paint: both
        # wait until the window is on screen (or a moment, if it is never painted).
        self.window.installEventFilter(self)
        QTimer.singleShot(PREPARE_AT_THE_LATEST_MS, self._prepare_once)
        if self._kiosk_idle_timeout is not None:
            self.window.set_kiosk(True)  # full screen and locked from the first paint
        self.window.show()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt override)
        if watched is self.window and event.type() == QEvent.Type.Paint:
            self.window.removeEventFilter(self)
            QTimer.singleShot(0, self._prepare_once)
        return False

    def _prepare_once(self) -> None:
        if not self._preparing_started:
            self._preparing_started = True
            # Before the database is prepared, so the login form is enabled only once every
            # feature exists.
            self.build_features()
            self._prepare()

    def _prepare(self) -> None:
        """Connect (again, after the connection settings changed); only the newest attempt's
        outcome is shown, however late an older one answers."""
        self._preparing += 1
        attempt = self._preparing
        self._ready = False
        self.login_view.set_ready(False)
        self.ops.public(lambda gateway: gateway.prepare_database(),
                        lambda result: self._on_prepared(result, attempt),
                        on_failure=lambda error: self._on_prepare_failed(error, attempt))

    def _on_prepare_failed(self, error: Exception, attempt: int) -> bool:
        """No database, or settings IT must correct: the banner says which, Retry tries again."""
        if attempt != self._preparing:
            return True  # a newer attempt is under way
        self.errors.present_blocking(error, self._prepare)
        self.sig_prepare_failed.emit(str(error))
        return True

    def _on_prepared(self, _result: object, attempt: int) -> None:
        if attempt != self._preparing:
            return
        self._ready = True
        self.window.hide_banner()
        self.login_view.set_ready(True)
        self.ops.public(lambda gateway: gateway.warm_up(), lambda _none: None,
                        on_failure=lambda error: _logged("could not warm up the hasher", error))
        self.recommendations.warm_up()
        self.sig_ready.emit()

    @property
    def ready(self) -> bool:
        return self._ready

    # --- what every feature shares ---------------------------------------------------------------

    def _on_changed(self, change: Change) -> None:
        if change.note:
            self.window.show_status(change.note)

    def _leave_nothing_behind(self, _message: str) -> None:
        """After the features closed what they own: popups, tool tips, our clipboard, errors."""
        self.errors.clear()
        for _ in range(10):  # a popup can open another: a few rounds, never a loop forever
            popup = QApplication.activePopupWidget()
            if popup is None:
                break
            popup.close()
        QToolTip.hideText()
        # Whatever was copied while someone was logged in may be theirs: it goes with them.
        clipboard = QGuiApplication.clipboard()
        if self._copied_in_session or clipboard.ownsClipboard():
            clipboard.clear()
        self._copied_in_session = False
        for widget in QApplication.topLevelWidgets():
            if widget is not self.window and widget.isVisible() and _belongs_to(widget,
                                                                              self.window):
                log.warning("closing %s that no feature owned at the end of a session",
                            type(widget).__name__)
                widget.close()

    def _on_closing(self) -> None:
        if self.kiosk is None:
            self.window.save_geometry(self._settings)
        if self.session.active:
            self.session.end("")


def _belongs_to(widget: QWidget, window: QWidget) -> bool:
    parent = widget.parentWidget()
    while parent is not None:
        if parent is window:
            return True
        parent = parent.parentWidget()
    return False


def _logged(what: str, error: Exception) -> bool:
    log.warning("%s: %s", what, error)
    return True
