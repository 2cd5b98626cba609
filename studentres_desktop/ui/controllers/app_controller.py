"""Navigation between the logged-out pages (login, registration) and the logged-in ones."""

from __future__ import annotations

from PySide6.QtCore import QObject

from studentres_desktop.domain.models import Student
from studentres_desktop.ui.controllers.browser_controller import BrowserController
from studentres_desktop.ui.controllers.interests_controller import InterestsController
from studentres_desktop.ui.controllers.login_controller import LoginController
from studentres_desktop.ui.controllers.register_controller import RegisterController
from studentres_desktop.ui.session import SessionState
from studentres_desktop.ui.views.browser_view import BrowserView
from studentres_desktop.ui.views.interests_view import InterestsView
from studentres_desktop.ui.views.login_view import LoginView
from studentres_desktop.ui.views.main_window import MainWindow
from studentres_desktop.ui.views.register_view import RegisterView

LOGGED_OUT = "You have logged out. The next person can log in now."


class AppController(QObject):
    """Which page shows: login and registration while nobody is logged in, then interests and
    the browser. Features ask for a page with signals; none calls another."""

    def __init__(self, window: MainWindow, session: SessionState, *,
                 login: tuple[LoginView, LoginController],
                 register: tuple[RegisterView, RegisterController],
                 interests: tuple[InterestsView, InterestsController],
                 browser: tuple[BrowserView, BrowserController]) -> None:
        super().__init__(window)
        self._window = window
        self._session = session
        self._login_view, self._login = login
        self._register_view, self._register = register
        self._interests_view, self._interests = interests
        self._browser_view, self._browser = browser
        for page in (self._login_view, self._register_view, self._interests_view,
                     self._browser_view):
            window.add_page(page)
        self._connect()

    def _connect(self) -> None:
        self._session.sig_started.connect(self._on_session_started)
        self._session.sig_student_changed.connect(self._show_user)
        self._session.sig_ended.connect(self._on_session_ended)
        self._login.sig_registration_requested.connect(self.show_registration)
        self._register.sig_back_requested.connect(self.show_login)
        self._interests.sig_saved.connect(self.show_browser)
        self._interests.sig_cancelled.connect(self.show_browser)
        self._browser.sig_choose_interests_requested.connect(self.show_interests)
        self._window.sig_logout_requested.connect(self.logout)
        self._window.sig_change_interests_requested.connect(self.show_interests)
        self._window.sig_refresh_requested.connect(self._on_refresh)
        self._window.sig_search_focus_requested.connect(self._on_focus_search)

    # --- pages ----------------------------------------------------------------------------------

    def show_login(self, email: str = "", notice: str = "") -> None:
        self._window.show_page(self._login_view)
        self._window.setWindowTitle("StudentRes — Log in")
        self._login.prefill(email, notice)

    def show_registration(self, email: str = "") -> None:
        self._window.show_page(self._register_view)
        self._window.setWindowTitle("StudentRes — Create an account")
        self._register.start(email)

    def show_interests(self) -> None:
        if not self._session.check():
            return
        self._window.show_page(self._interests_view)
        self._window.set_browsing_actions(False)
        self._window.setWindowTitle("StudentRes — Your interests")
        self._interests.load()

    def show_browser(self) -> None:
        if not self._session.check():
            return
        self._window.show_page(self._browser_view)
        self._window.set_browsing_actions(True)
        self._window.setWindowTitle("StudentRes — Resources")
        self._browser.open()

    def logout(self) -> None:
        if self._session.active:
            self._session.end(LOGGED_OUT)

    # --- the session's start and end ------------------------------------------------------------

    def _on_session_started(self, student: Student) -> None:
        self._show_user(student)
        if student.interests:
            self.show_browser()
        else:
            self.show_interests()

    def _show_user(self, student: Student) -> None:
        self._window.set_user(f"{student.name} · {student.email}")

    def _on_session_ended(self, message: str) -> None:
        """Every feature has forgotten the person by now (they listen too): show the login."""
        self._window.set_user(None)
        self._window.clear_status()
        self.show_login(notice=message)

    def _on_refresh(self) -> None:
        if self._window.current_page() is self._browser_view and self._session.check():
            self._browser.reload()

    def _on_focus_search(self) -> None:
        if self._window.current_page() is self._browser_view:
            self._browser_view.focus_search()
