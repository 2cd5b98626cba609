"""The main window: a header with who is logged in, a connection banner and the page stack."""

from __future__ import annotations

from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent
from PySide6.QtWidgets import (
    QFrame,
    QLabel,
    QMainWindow,
    QMenu,
    QPushButton,
    QStackedWidget,
    QToolButton,
    QWidget,
)

from studentres_desktop.ui.loader import child, load_ui_into

GEOMETRY_KEY = "mainWindow/geometry"


class MainWindow(QMainWindow):
    sig_logout_requested = Signal()
    sig_change_interests_requested = Signal()
    sig_retry_requested = Signal()
    sig_refresh_requested = Signal()
    sig_search_focus_requested = Signal()
    sig_new_resource_requested = Signal()
    sig_help_student_requested = Signal()
    sig_attendance_requested = Signal()
    sig_import_requested = Signal()
    sig_export_requested = Signal()
    sig_audit_log_requested = Signal()
    sig_exit_kiosk_requested = Signal()
    sig_database_connection_requested = Signal()
    sig_closing = Signal()
    sig_close_refused = Signal()  # a kiosk window stays open

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        load_ui_into(self, "main_window.ui")
        self.stack = child(self, QStackedWidget, "stack")
        self.header = child(self, QFrame, "header")
        self.user_label = child(self, QLabel, "userLabel")
        self.user_label.setTextFormat(Qt.TextFormat.PlainText)
        self.banner = child(self, QFrame, "banner")
        self.banner_label = child(self, QLabel, "bannerLabel")
        self.banner_label.setTextFormat(Qt.TextFormat.PlainText)
        self.retry_button = child(self, QPushButton, "retryButton")
        self.action_change_interests = child(self, QAction, "actionChangeInterests")
        self.action_logout = child(self, QAction, "actionLogout")
        self.action_quit = child(self, QAction, "actionQuit")
        self.action_database_connection = child(self, QAction, "actionDatabaseConnection")
        self.action_focus_search = child(self, QAction, "actionFocusSearch")
        self.action_refresh = child(self, QAction, "actionRefresh")
        self.action_new_resource = child(self, QAction, "actionNewResource")
        self.action_exit_kiosk = child(self, QAction, "actionExitKiosk")
        self.action_help_student = child(self, QAction, "actionHelpStudent")
        self.action_attendance = child(self, QAction, "actionAttendance")
        self.action_import = child(self, QAction, "actionImportResources")
        self.action_export = child(self, QAction, "actionExportResources")
        self.action_audit_log = child(self, QAction, "actionAuditLog")
        self.desk_actions = (self.action_attendance, self.action_import, self.action_export,
                             self.action_audit_log)
        self.catalogue_menu = child(self, QMenu, "catalogueMenu")
        self.interests_button = child(self, QToolButton, "interestsButton")
        self.logout_button = child(self, QToolButton, "logoutButton")
        self.interests_button.setDefaultAction(self.action_change_interests)
        self.logout_button.setDefaultAction(self.action_logout)
        self._locked = False
        self._connect()
        self.hide_banner()
        self.set_user(None)
        self.set_kiosk(False)

    def _connect(self) -> None:
        self.action_logout.triggered.connect(self.sig_logout_requested)
        self.action_change_interests.triggered.connect(self.sig_change_interests_requested)
        self.action_quit.triggered.connect(self.close)
        self.action_database_connection.triggered.connect(self.sig_database_connection_requested)
        self.action_focus_search.triggered.connect(self.sig_search_focus_requested)
        self.action_refresh.triggered.connect(self.sig_refresh_requested)
        self.action_new_resource.triggered.connect(self.sig_new_resource_requested)
        self.action_exit_kiosk.triggered.connect(self.sig_exit_kiosk_requested)
        self.action_help_student.triggered.connect(self.sig_help_student_requested)
        self.action_attendance.triggered.connect(self.sig_attendance_requested)
        self.action_import.triggered.connect(self.sig_import_requested)
        self.action_export.triggered.connect(self.sig_export_requested)
        self.action_audit_log.triggered.connect(self.sig_audit_log_requested)
        self.retry_button.clicked.connect(self.sig_retry_requested)

    # --- setters --------------------------------------------------------------------------------

    def add_page(self, page: QWidget) -> None:
        # The login page is added before the others, to be shown while they are built.
        if self.stack.indexOf(page) < 0:
            self.stack.addWidget(page)

    def show_page(self, page: QWidget) -> None:
        self.stack.setCurrentWidget(page)

    def current_page(self) -> QWidget | None:
        return self.stack.currentWidget()

    def set_user(self, description: str | None) -> None:
        """Show who is logged in; None hides the account actions (nobody is)."""
        logged_in = description is not None
        self.user_label.setText(description or "")
        for action in (self.action_change_interests, self.action_logout,
                       self.action_focus_search, self.action_refresh):
            action.setEnabled(logged_in)
        self.action_database_connection.setEnabled(not logged_in)  # IT's, from the login screen
        for widget in (self.user_label, self.interests_button, self.logout_button):
            widget.setVisible(logged_in)

    def set_catalogue_actions(self, enabled: bool) -> None:
        """Advisors edit the catalogue; for everyone else the menu is not there."""
        self.action_new_resource.setEnabled(enabled)
        for action in self.desk_actions:
            action.setEnabled(enabled)
        self.catalogue_menu.menuAction().setVisible(enabled)

    def set_help_student_available(self, available: bool) -> None:
        """The desk look-up is for advisors; nobody else sees or reaches it."""
        self.action_help_student.setEnabled(available)
        self.action_help_student.setVisible(available)

    def set_kiosk(self, locked: bool) -> None:
        """A kiosk window fills the screen and refuses to close (Alt+F4, Ctrl+Q, the title bar)."""
        self._locked = locked
        self.action_quit.setVisible(not locked)
        self.action_quit.setEnabled(not locked)
        self.set_exit_kiosk_available(False)
        if locked:
            self.showFullScreen()

    def set_exit_kiosk_available(self, available: bool) -> None:
        self.action_exit_kiosk.setVisible(available and self._locked)
        self.action_exit_kiosk.setEnabled(available and self._locked)

    def unlock_and_close(self) -> None:
        self._locked = False
        self.close()

    def set_browsing_actions(self, enabled: bool) -> None:
        self.action_focus_search.setEnabled(enabled)
        self.action_refresh.setEnabled(enabled)

    def show_banner(self, text: str, retry: bool = True) -> None:
        self.banner_label.setText(text)
        self.retry_button.setVisible(retry)
        self.retry_button.setEnabled(True)
        self.banner.setVisible(True)

    def hide_banner(self) -> None:
        self.banner.setVisible(False)
        self.banner_label.clear()

    def show_status(self, text: str, milliseconds: int = 5000) -> None:
        self.statusBar().showMessage(text, milliseconds)

    def clear_status(self) -> None:
        self.statusBar().clearMessage()

    def restore_geometry(self, settings: QSettings) -> None:
        saved = settings.value(GEOMETRY_KEY)
        if saved is None or not self.restoreGeometry(saved):
            self.resize(1200, 780)

    def save_geometry(self, settings: QSettings) -> None:
        settings.setValue(GEOMETRY_KEY, self.saveGeometry())

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        if self._locked:
            event.ignore()
            self.sig_close_refused.emit()
            return
        self.sig_closing.emit()
        super().closeEvent(event)
