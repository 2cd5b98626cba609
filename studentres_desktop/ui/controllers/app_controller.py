"""Navigation, the session's lifetime and the one place errors are shown."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, QSettings, Qt, QTimer, Signal
from PySide6.QtWidgets import QMessageBox, QWidget

from studentres_desktop.domain.errors import (
    DatabaseUnavailable,
    DomainError,
    InvalidToken,
    SchemaNotReady,
)
from studentres_desktop.domain.models import Student
from studentres_desktop.services.clock import Clock, utc_now
from studentres_desktop.services.container import Services
from studentres_desktop.ui.controllers.browser_controller import BrowserController
from studentres_desktop.ui.controllers.catalogue_controller import CatalogueController
from studentres_desktop.ui.controllers.interests_controller import InterestsController
from studentres_desktop.ui.controllers.login_controller import LoginController
from studentres_desktop.ui.controllers.recommendations_controller import (
    RecommendationsController,
)
from studentres_desktop.ui.controllers.register_controller import RegisterController
from studentres_desktop.ui.session import SESSION_EXPIRED, SessionState
from studentres_desktop.ui.views.browser_view import BrowserView
from studentres_desktop.ui.views.interests_view import InterestsView
from studentres_desktop.ui.views.login_view import LoginView
from studentres_desktop.ui.views.main_window import MainWindow
from studentres_desktop.ui.views.register_view import RegisterView
from studentres_desktop.ui.workers import TaskRunner

log = logging.getLogger(__name__)
SESSION_CHECK_MS = 15_000
LOGGED_OUT = "You have logged out. The next person can log in now."


class AppController(QObject):
    """Builds the views and their controllers, and moves between them."""

    sig_ready = Signal()  # the database answered and the login form is enabled
    sig_prepare_failed = Signal(str)  # the database could not be reached or prepared

    def __init__(
        self,
        services: Services,
        prepare_database: Callable[[], object],
        settings: QSettings,
        runner: TaskRunner | None = None,
        log_file: Path | None = None,
        clock: Clock = utc_now,
    ) -> None:
        super().__init__()
        self.services = services
        self._prepare_database = prepare_database
        self._settings = settings
        self._log_file = log_file
        self.runner = runner or TaskRunner(parent=self)
        self.background = TaskRunner(parent=self, threads=1)
        self.session = SessionState(services.auth, self)
        self.window = MainWindow()
        self.login_view = LoginView()
        self.register_view = RegisterView()
        self.interests_view = InterestsView()
        self.browser_view = BrowserView()
        for page in (self.login_view, self.register_view, self.interests_view,
                     self.browser_view):
            self.window.add_page(page)
        self.login = LoginController(self.login_view, services.auth, self.runner, self.session,
                                     self.report_error, self.show_registration)
        self.register = RegisterController(self.register_view, services.auth, self.runner,
                                           self.session, self.report_error, self.show_login)
        self.interests = InterestsController(
            self.interests_view, services.interests, services.auth, self.runner, self.session,
            self.report_error, on_saved=self._on_interests_saved, on_cancel=self.show_browser)
        self.browser = BrowserController(
            self.browser_view, services.resources, services.interests, self.runner,
            self.session, self.report_error, choose_interests=self.show_interests)
        self.recommendations = RecommendationsController(
            self.browser_view, services.recommendations, self.runner, self.session,
            self.report_error, interest_labels=lambda: self.browser.interest_labels,
            background=self.background)
        self.catalogue = CatalogueController(
            self.window, self.browser_view, services.resources, services.interests, self.runner,
            self.session, self.report_error, clock, on_changed=self._on_catalogue_changed)
        # Everything that failed for want of the database, retried together from the banner.
        self._retries: list[Callable[[], None]] = []
        self._ready = False
        self._session_timer = QTimer(self)
        self._session_timer.setInterval(SESSION_CHECK_MS)
        self._connect()

    def _connect(self) -> None:
        self.session.sig_started.connect(self._on_session_started)
        self.session.sig_student_changed.connect(self._show_user)
        self.session.sig_ended.connect(self._on_session_ended)
        self.window.sig_logout_requested.connect(self.logout)
        self.window.sig_change_interests_requested.connect(self.show_interests)
        self.window.sig_retry_requested.connect(self._on_retry)
        self.window.sig_refresh_requested.connect(self._on_refresh)
        self.window.sig_search_focus_requested.connect(self._on_focus_search)
        self.window.sig_closing.connect(self._on_closing)
        self._session_timer.timeout.connect(self.session.check)

    # --- start-up -------------------------------------------------------------------------------

    def start(self) -> None:
        """Show the login window at once; the database is prepared off the UI thread after it."""
        self.window.restore_geometry(self._settings)
        self.show_login()
        self.window.show()
        self._session_timer.start()
        QTimer.singleShot(0, self._prepare)

    def _prepare(self) -> None:
        self.login_view.set_ready(False)
        self.runner.run(self._prepare_database, self._on_prepared, self._on_prepare_failed)

    def _on_prepare_failed(self, error: Exception) -> None:
        self.report_error(error, self._prepare)
        self.sig_prepare_failed.emit(str(error))

    def _on_prepared(self, _result: object) -> None:
        self._ready = True
        self.window.hide_banner()
        self.login_view.set_ready(True)
        self.runner.run(self.services.auth.warm_up, lambda _none: None,
                        lambda error: log.warning("could not warm up the hasher: %s", error))
        self.recommendations.warm_up()
        self.sig_ready.emit()

    @property
    def ready(self) -> bool:
        return self._ready

    # --- navigation -----------------------------------------------------------------------------

    def show_login(self, email: str = "", notice: str = "") -> None:
        self.window.show_page(self.login_view)
        self.window.setWindowTitle("StudentRes — Log in")
        if email or notice:
            self.login.prefill(email, notice)
        self.login_view.focus_first_empty()

    def show_registration(self) -> None:
        self.register.clear()
        self.register_view.edits["email"].setText(self.login_view.email_edit.text().strip())
        self.window.show_page(self.register_view)
        self.window.setWindowTitle("StudentRes — Create an account")
        self.register_view.focus_field("name")

    def show_interests(self) -> None:
        if not self.session.check():
            return
        self.window.show_page(self.interests_view)
        self.window.set_browsing_actions(False)
        self.window.setWindowTitle("StudentRes — Your interests")
        self.interests.load()

    def show_browser(self) -> None:
        if not self.session.check():
            return
        self.window.show_page(self.browser_view)
        self.window.set_browsing_actions(True)
        self.window.setWindowTitle("StudentRes — Resources")
        self.browser.open()

    def logout(self) -> None:
        if self.session.active:
            self.session.end(LOGGED_OUT)

    # --- session --------------------------------------------------------------------------------

    def _on_session_started(self, student: Student) -> None:
        self._show_user(student)
        if student.interests:
            self.show_browser()
        else:
            self.show_interests()

    def _show_user(self, student: Student) -> None:
        self.window.set_user(f"{student.name} · {student.email}")

    def _on_session_ended(self, message: str) -> None:
        """Clear every widget and model that held the student's data, then show the login."""
        self.browser.clear()
        self.recommendations.clear()
        self.interests.clear()
        self.register.clear()
        self.login_view.clear()
        self.window.set_user(None)
        self.window.hide_banner()
        self.window.statusBar().clearMessage()
        self._retries.clear()
        self.show_login(notice=message)

    def _on_interests_saved(self, _student: Student) -> None:
        self.window.show_status("Your interests are saved. Here is what matches them.")
        self.show_browser()

    def _on_catalogue_changed(self, message: str) -> None:
        self.window.show_status(message)
        self.recommendations.mark_stale()
        if self.window.current_page() is self.browser_view:
            self.browser.reload()

    def _on_refresh(self) -> None:
        if self.window.current_page() is self.browser_view and self.session.check():
            self.browser.reload()

    def _on_focus_search(self) -> None:
        if self.window.current_page() is self.browser_view:
            self.browser_view.focus_search()

    def _on_closing(self) -> None:
        self.window.save_geometry(self._settings)
        if self.session.active:
            self.session.end("")

    # --- errors ---------------------------------------------------------------------------------

    def report_error(self, error: Exception, retry: Callable[[], None] | None = None) -> None:
        """Show an error in words: a session problem, a banner with Retry, or a short dialog."""
        if isinstance(error, InvalidToken):
            if self.session.active:
                self.session.end(SESSION_EXPIRED)
            return
        if isinstance(error, DatabaseUnavailable | SchemaNotReady):
            if retry is not None:
                self._retries.append(retry)
            self.window.show_banner(
                f"{error} What you typed is kept; try again when the connection is back.",
                retry=bool(self._retries))
            return
        if isinstance(error, DomainError):
            self.window.show_status(str(error), 10_000)
            return
        self.report_unexpected(error)

    def report_unexpected(self, error: BaseException) -> None:
        log.error("unexpected error", exc_info=(type(error), error, error.__traceback__))
        where = f"\n\nThe details are in the log file:\n{self._log_file}" if self._log_file else ""
        box = QMessageBox(QMessageBox.Icon.Warning, "Something went wrong",
                          "Something unexpected went wrong. StudentRes keeps running, and you "
                          f"can try again.{where}", QMessageBox.StandardButton.Ok,
                          self._dialog_parent())
        box.setWindowModality(Qt.WindowModality.WindowModal)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()

    def _dialog_parent(self) -> QWidget:
        return self.window

    def _on_retry(self) -> None:
        retries, self._retries = self._retries, []
        self.window.hide_banner()
        for retry in retries:
            retry()
