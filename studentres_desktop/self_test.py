"""`studentres-desktop --self-test [--db URL]`: prove that an installation works, offscreen.

It loads every Designer file and the icon, opens and closes every window, connects to the
database (a new temporary SQLite file unless `--db` names one) and checks its schema. One line
per check; the exit code is 0 only if every check passed. It never loads the recommendation
model.
"""

from __future__ import annotations

import logging
import os
import sys
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, TextIO, TypeVar

from studentres_desktop.domain.errors import DomainError

if TYPE_CHECKING:
    from studentres_desktop.bootstrap import Services

log = logging.getLogger(__name__)
T = TypeVar("T")


class CheckFailed(Exception):
    """A check found something wrong; the message says what, for the person reading."""


def run_self_test(db_url: str | None = None, out: TextIO | None = None) -> int:
    """Run every check, print one line each to `out` (stdout); 0 if all passed, else 1."""
    report = _Report(out if out is not None else sys.stdout)
    app = _offscreen_application()
    report.run("designer files", _load_designer_files)
    report.run("windows", lambda: _open_and_close_windows(app))
    with _database(db_url) as (url, temporary):
        services = report.run("database", lambda: _connect(url, temporary))
        if services is None:
            report.skip("schema", "needs the database")
        else:
            try:
                report.run("schema", lambda: _check_schema(services))
            finally:
                services.dispose()
    return report.finish()


class _Report:
    def __init__(self, out: TextIO | None) -> None:
        self._out = out  # None in a windowed Windows program: then only the log has it
        self.failed: list[str] = []

    def run(self, name: str, check: Callable[[], tuple[str, T]]) -> T | None:
        try:
            detail, result = check()
        except Exception as error:  # every failure becomes a line, never a traceback
            log.info("self-test %s failed", name, exc_info=True)
            self._line("FAIL", name, _reason(error))
            self.failed.append(name)
            return None
        self._line("ok", name, detail)
        return result

    def skip(self, name: str, why: str) -> None:
        self._line("skip", name, why)
        self.failed.append(name)

    def finish(self) -> int:
        if self.failed:
            self._write(f"self-test FAILED: {', '.join(self.failed)}")
            return 1
        self._write("self-test passed")
        return 0

    def _line(self, status: str, name: str, detail: str) -> None:
        self._write(f"{status:<4} {name}: {detail}")

    def _write(self, line: str) -> None:
        log.info("self-test: %s", line)
        if self._out is not None:
            print(line, file=self._out, flush=True)


def _reason(error: BaseException) -> str:
    if isinstance(error, CheckFailed | DomainError):
        return str(error)
    return f"{type(error).__name__}: {error}"


# --- the user interface ---------------------------------------------------------------------------


def _offscreen_application() -> object:
    from PySide6.QtWidgets import QApplication

    existing = QApplication.instance()
    if existing is not None:
        return existing
    from studentres_desktop.ui.qt_logging import route_qt_messages_to_logging

    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    route_qt_messages_to_logging()  # offscreen notes go to the log, not between the lines
    return QApplication(sys.argv[:1])


def _designer_files() -> list[Path]:
    from studentres_desktop.paths import resources_dir

    found = sorted((resources_dir() / "ui").glob("*.ui"))
    if not found:
        raise CheckFailed(f"no .ui files in {resources_dir() / 'ui'}")
    return found


def _root_widget(path: Path) -> tuple[str, str]:
    """The class and object name of a Designer file's top-level widget."""
    root = ET.parse(path).getroot().find("widget")
    if root is None:
        raise CheckFailed(f"{path.name} has no top-level widget")
    return root.get("class", ""), root.get("name", "")


def _load_designer_files() -> tuple[str, None]:
    from PySide6.QtWidgets import QMainWindow, QWidget

    from studentres_desktop.ui.loader import app_icon, load_ui_into

    files = _designer_files()
    for path in files:
        kind, name = _root_widget(path)
        base = QMainWindow() if kind == "QMainWindow" else QWidget()
        try:
            load_ui_into(base, path.name)
            if base.objectName() != name:
                raise CheckFailed(f"{path.name} did not load its {kind} {name!r}")
        finally:
            base.deleteLater()
    if app_icon().isNull():
        raise CheckFailed(f"the app icon is missing from {files[0].parent.parent / 'icons'}")
    return f"{len(files)} loaded from {files[0].parent}, and the app icon", None


def _window_classes() -> list[type]:
    """Every window and page of the app; the pages inside them come along."""
    from studentres_desktop.ui.views.attendance import AttendanceDialog
    from studentres_desktop.ui.views.audit_log import AuditLogDialog
    from studentres_desktop.ui.views.browser_view import BrowserView
    from studentres_desktop.ui.views.database_connection import DatabaseConnectionDialog
    from studentres_desktop.ui.views.idle_countdown import IdleCountdown
    from studentres_desktop.ui.views.import_preview import ImportPreviewDialog
    from studentres_desktop.ui.views.interests_view import InterestsView
    from studentres_desktop.ui.views.login_view import LoginView
    from studentres_desktop.ui.views.main_window import MainWindow
    from studentres_desktop.ui.views.register_view import RegisterView
    from studentres_desktop.ui.views.resource_editor import ResourceEditor
    from studentres_desktop.ui.views.student_lookup import StudentLookup

    return [MainWindow, LoginView, RegisterView, InterestsView, BrowserView, ResourceEditor,
            StudentLookup, ImportPreviewDialog, AuditLogDialog, AttendanceDialog, IdleCountdown,
            DatabaseConnectionDialog]


def _open_and_close_windows(app: object) -> tuple[str, None]:
    """Show and close each window; every Designer file must have been used by one of them."""
    from PySide6.QtWidgets import QApplication, QWidget

    assert isinstance(app, QApplication)
    unused = {_root_widget(path)[1]: path.name for path in _designer_files()}
    classes = _window_classes()
    for window_class in classes:
        window = window_class()
        assert isinstance(window, QWidget)
        try:
            window.show()
            app.processEvents()
            if not window.isVisible():
                raise CheckFailed(f"{window_class.__name__} did not open")
            for widget in (window, *window.findChildren(QWidget)):
                unused.pop(widget.objectName(), None)
            window.close()
            app.processEvents()
        finally:
            window.deleteLater()
    if unused:
        raise CheckFailed(f"no window shows {', '.join(sorted(unused.values()))}")
    return f"{len(classes)} opened and closed offscreen", None


# --- the database ---------------------------------------------------------------------------------


@contextmanager
def _database(db_url: str | None) -> Iterator[tuple[str, bool]]:
    """The URL to check (None: a temporary SQLite file, removed afterwards) and whether it is
    that temporary file."""
    if db_url:
        yield db_url, False
        return
    with tempfile.TemporaryDirectory(prefix="studentres-self-test-") as folder:
        yield f"sqlite:///{Path(folder) / 'self-test.sqlite3'}", True


def _connect(url: str, temporary: bool) -> tuple[str, Services]:
    """Build the services as the app does, connect, and (on the temporary file) create the
    tables."""
    from studentres_desktop.bootstrap import build_services
    from studentres_desktop.config import load_config
    from studentres_desktop.persistence.engine import DatabaseSettings, safe_url
    from studentres_desktop.persistence.schema import ensure_schema, inspect_schema

    settings = DatabaseSettings(url) if temporary else load_config(url).database
    services = build_services(settings)
    try:
        if temporary:
            ensure_schema(services.engine)
        server = inspect_schema(services.engine).server
    except BaseException:
        services.dispose()
        raise
    where = "a temporary file, tables created" if temporary else safe_url(settings.url)
    return f"{server} at {where}", services


def _check_schema(services: Services) -> tuple[str, None]:
    """The app's own start-up check of a configured database, and the version it found."""
    from studentres_desktop.bootstrap import check_database

    report = check_database(services)
    return f"revision {report.revision} is current", None

