"""GUI fixtures: the real app controller on a fresh SQLite or MariaDB database, driven by qtbot."""

from __future__ import annotations

import gc
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QSettings, Qt
from PySide6.QtWidgets import QApplication
from sqlalchemy.engine import make_url

from studentres_desktop.bootstrap import Services, build_desktop, build_gateway, build_services
from studentres_desktop.domain.models import ResourceDraft, ResourceKind
from studentres_desktop.persistence.engine import DatabaseSettings
from studentres_desktop.persistence.schema import ensure_schema
from studentres_desktop.services.auth import ThrottlePolicy
from studentres_desktop.ui.loader import stylesheet
from studentres_desktop.ui.shell import Shell
from tests.conftest import FakeClock, apply_schema_sql
from tests.support.embedders import HashingEmbedder
from tests.support.tcp_proxy import TcpProxy

PASSWORD = "correct horse battery"
START = datetime(2026, 12, 1, 10, 0)
# What a student interested in AI sees in the browser, soonest first, with catalogue() below.
AI_TITLES = ["Neural networks lab", "AI ethics panel", "Self-paced Python for machine learning"]


def small_event() -> ResourceDraft:
    """An event with two places, for the tests that RSVP while the database fails over."""
    return ResourceDraft(ResourceKind.EVENT, "Robotics demo day", "Two places.", ("AI",),
                         START + timedelta(days=5), START + timedelta(days=5, hours=2),
                         "Main hall", "", 2)


def catalogue() -> list[ResourceDraft]:
    def item(title, kind, tags, day, description):
        starts = START + timedelta(days=day) if day is not None else None
        return ResourceDraft(kind, title, description, tuple(tags), starts,
                             starts + timedelta(hours=2) if starts else None,
                             "Innovation Hub", "https://events.example.edu/x", 30)

    return [
        item("Neural networks lab", ResourceKind.WORKSHOP, ["AI"], 1,
             "Build a small neural network with NumPy and train it."),
        item("Robot arm soldering", ResourceKind.TRAINING, ["Robotics"], 2,
             "Solder the controller board of a robot arm."),
        item("AI ethics panel", ResourceKind.EVENT, ["AI"], 3,
             "Who is accountable when a model is wrong?"),
        item("Cyber range night", ResourceKind.EVENT, ["Cybersecurity"], 4,
             "Attack and defend a practice network."),
        item("Self-paced Python for machine learning", ResourceKind.TRAINING, ["AI"], None,
             "An online course with notebooks and quizzes."),
    ]


class DatabaseOutage:
    """Take the database away and bring it back: a closed proxy (MySQL) or a moved folder."""

    def __init__(self, services_ref: list[Services], folder: Path | None,
                 proxy: TcpProxy | None) -> None:
        self._services = services_ref
        self._folder = folder
        self._proxy = proxy

    def begin(self) -> None:
        if self._proxy is not None:
            self._proxy.cut()
        else:
            assert self._folder is not None
            self._services[0].engine.dispose()
            shutil.move(self._folder, self._folder.with_name("away"))

    def end(self) -> None:
        if self._proxy is not None:
            self._proxy.restore()
        else:
            assert self._folder is not None
            shutil.move(self._folder.with_name("away"), self._folder)


@dataclass
class GuiApp:
    controller: Shell
    services: Services
    clock: FakeClock
    outage: DatabaseOutage
    qtbot: object

    @property
    def window(self):
        return self.controller.window

    def page(self):
        return self.window.current_page()

    def wait_for_page(self, view, timeout: int = 10_000) -> None:
        self.qtbot.waitUntil(lambda: self.page() is view, timeout=timeout)

    def wait_idle(self, timeout: int = 10_000) -> None:
        self.qtbot.waitUntil(lambda: not self.controller.runner.busy, timeout=timeout)

    def type_into(self, widget, text: str) -> None:
        widget.setFocus()
        widget.clear()
        if text.isprintable():
            self.qtbot.keyClicks(widget, text)
        else:  # control characters cannot be typed; they arrive by pasting
            widget.insert(text)
            widget.textEdited.emit(widget.text())

    def click(self, button) -> None:
        self.qtbot.mouseClick(button, Qt.MouseButton.LeftButton)

    def register(self, name="Ada Lovelace", email="ada@example.edu", password=PASSWORD) -> None:
        self.click(self.controller.login_view.register_link)
        view = self.controller.register_view
        self.wait_for_page(view)
        for field, value in (("name", name), ("email", email), ("password", password),
                             ("confirm", password)):
            self.type_into(view.edits[field], value)
        self.click(view.register_button)

    def log_in(self, email="ada@example.edu", password=PASSWORD) -> None:
        view = self.controller.login_view
        self.type_into(view.email_edit, email)
        self.type_into(view.password_edit, password)
        self.qtbot.keyClick(view.password_edit, Qt.Key.Key_Return)

    def pick_interests(self, *labels: str, goal: str = "") -> None:
        view = self.controller.interests_view
        self.wait_for_page(view)
        # The picker reloads the student's current choice when it opens.
        self.qtbot.waitUntil(lambda: not view.busy)
        self.qtbot.waitUntil(lambda: view.model.rowCount() > 0)
        for row in range(view.model.rowCount()):
            index = view.model.index(row)
            ticked = index.data(Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Checked
            if ticked != (index.data() in labels):
                view.list_view.setCurrentIndex(index)
                self.qtbot.keyClick(view.list_view, Qt.Key.Key_Space)
        if goal:
            self.type_into(view.goal_edit, goal)
        self.click(view.save_button)

    def browser_titles(self) -> list[str]:
        model = self.controller.browser_view.model
        return [model.resource(row).title for row in range(model.rowCount())]

    def wait_for_titles(self, expected: list[str], timeout: int = 10_000) -> None:
        self.qtbot.waitUntil(lambda: self.browser_titles() == expected and not
                             self.controller.browser_view.model.loading, timeout=timeout)


@pytest.fixture
def gui_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[
        tuple[str, Path | None, TcpProxy | None]]:
    """The database URL the app uses, with the means to take it away during the test."""
    backend = request.param if hasattr(request, "param") else "sqlite"
    if backend == "sqlite":
        folder = tmp_path / "database"
        yield f"sqlite:///{folder / 'studentres.sqlite3'}", folder, None
        return
    url = request.getfixturevalue("mysql_url")
    apply_schema_sql(url)
    parsed = make_url(url)
    proxy = TcpProxy(parsed.host or "127.0.0.1", parsed.port or 3306)
    try:
        yield parsed.set(port=proxy.port).render_as_string(hide_password=False), None, proxy
    finally:
        proxy.cut()


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "gui" in metafunc.fixturenames:
        metafunc.parametrize(
            "gui_database", ["sqlite", pytest.param("mysql", marks=pytest.mark.mysql)],
            indirect=True,
        )


@pytest.fixture
def embedder_loader():
    """How the app gets its sentence model; tests may override this fixture."""
    return HashingEmbedder


@pytest.fixture
def kiosk_idle_timeout() -> timedelta | None:
    """None: an ordinary workstation; a kiosk test overrides this fixture with its timeout."""
    return None


@pytest.fixture
def gui(gui_database, qtbot, tmp_path, clock, embedder_loader,
        kiosk_idle_timeout) -> Iterator[GuiApp]:
    url, folder, proxy = gui_database
    services = build_services(DatabaseSettings(url, connect_timeout=3, read_timeout=5),
                              bcrypt_cost=4, clock=clock, throttle=ThrottlePolicy(),
                              embedder_loader=embedder_loader, multilingual_model=None)
    ensure_schema(services.engine)
    services.catalogue.seed_interests()
    services.catalogue.add(catalogue())
    QApplication.instance().setStyleSheet(stylesheet())
    with running_desktop(services, DatabaseOutage([services], folder, proxy), qtbot, tmp_path,
                         clock, kiosk_idle_timeout=kiosk_idle_timeout) as app:
        yield app


@contextmanager
def running_desktop(services: Services, outage: DatabaseOutage, qtbot, tmp_path: Path,
                    clock: FakeClock, *, kiosk_idle_timeout: timedelta | None = None,
                    wait_ms: int = 15_000) -> Iterator[GuiApp]:
    """The desktop over `services`, started and ready; afterwards its workers are waited for,
    its Qt objects destroyed on the UI thread and the services disposed."""
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    controller = build_desktop(build_gateway(services, embedded=False), settings, clock=clock,
                               kiosk_idle_timeout=kiosk_idle_timeout)
    controller.start()
    qtbot.waitUntil(lambda: controller.ready, timeout=10_000)
    try:
        yield GuiApp(controller, services, clock, outage, qtbot)
    finally:
        controller.runner.wait_for_done(wait_ms)
        controller.background.wait_for_done(wait_ms)
        qtbot.waitUntil(lambda: not controller.runner.busy and not controller.background.busy,
                        timeout=wait_ms)
        # Destroy the Qt objects here, after the workers finished and on the UI thread; left to
        # the garbage collector they may be freed on a pool thread, where Qt refuses to stop
        # timers.
        if controller.kiosk is not None:
            QApplication.instance().removeEventFilter(controller.kiosk)
        controller.window.unlock_and_close()
        controller.window.deleteLater()
        controller.deleteLater()
        QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        gc.collect()
        services.dispose()


@pytest.fixture(autouse=True)
def _offscreen() -> None:
    assert os.environ.get("QT_QPA_PLATFORM") == "offscreen"
