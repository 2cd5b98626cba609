"""IT's "Database connection" dialog, driven through the app's real backend and config file:
reached from the login screen, each bad field named, each failed test explained, saved to the
config file and the keyring, the app reconnected without a restart, an advisor's sign-in on a
kiosk, and nothing typed left behind when a session ends."""

from __future__ import annotations

import functools
import gc
import threading
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QSettings, Qt
from PySide6.QtWidgets import QApplication, QLineEdit
from sqlalchemy.engine import make_url

from studentres_desktop import bootstrap
from studentres_desktop.app import Backend
from studentres_desktop.bootstrap import build_services
from studentres_desktop.domain.errors import DatabaseUnavailable, TokenRevoked
from studentres_desktop.domain.models import Role
from studentres_desktop.persistence.engine import DatabaseSettings
from studentres_desktop.persistence.schema import ensure_schema
from studentres_desktop.services.session_api import Gateway, SessionServices
from studentres_desktop.ui.controllers.database_connection_controller import CHOOSER_TITLES
from studentres_desktop.ui.shell import Shell
from tests.conftest import FakeClock, apply_schema_sql
from tests.support.embedders import HashingEmbedder
from tests.support.keyrings import MemoryKeyring, no_keyring, using_keyring
from tests.support.mysql_accounts import Account, mysql_account

PASSWORD = "correct horse battery"
KIOSK_TIMEOUT = timedelta(seconds=60)


def _accounts(url: str, *people: tuple[str, str, Role]) -> None:
    services = build_services(DatabaseSettings(url), bcrypt_cost=4)
    try:
        ensure_schema(services.engine)
        services.catalogue.seed_interests()
        for name, email, role in people:
            services.auth.register(name, email, PASSWORD)
            if role is not Role.STUDENT:
                services.auth.set_role(email, role)
    finally:
        services.dispose()


@dataclass
class App:
    shell: Shell
    backend: Backend
    config_file: Path
    qtbot: object

    @property
    def dialog(self):  # type: ignore[no-untyped-def]
        return self.shell.connection.dialog

    def click(self, button) -> None:  # type: ignore[no-untyped-def]
        self.qtbot.mouseClick(button, Qt.MouseButton.LeftButton)  # type: ignore[attr-defined]

    def type_into(self, widget: QLineEdit, text: str) -> None:
        widget.setFocus()
        widget.clear()
        if text:
            self.qtbot.keyClicks(widget, text)  # type: ignore[attr-defined]

    def wait_idle(self) -> None:
        self.qtbot.waitUntil(lambda: not self.shell.runner.busy, timeout=15_000)  # type: ignore

    def open_dialog(self) -> None:
        self.shell.window.action_database_connection.trigger()
        self.qtbot.waitUntil(self.dialog.isVisible, timeout=5_000)  # type: ignore[attr-defined]
        self.wait_idle()

    def fill(self, **values: str) -> None:
        for name, value in values.items():
            self.type_into(self.dialog.edits[name], value)

    def error(self) -> str:
        return str(self.dialog.error_label.text())

    def typed_passwords(self) -> list[str]:
        return [edit.text() for edit in self.dialog.findChildren(QLineEdit)
                if edit.echoMode() == QLineEdit.EchoMode.Password]


@pytest.fixture
def kiosk_timeout() -> timedelta | None:
    return None


@pytest.fixture
def first_database(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'first.sqlite3'}"
    _accounts(url, ("Ada", "ada@example.edu", Role.STUDENT),
              ("Desk", "desk@example.edu", Role.ADVISOR))
    return url


@pytest.fixture
def app(first_database: str, tmp_path: Path, qtbot, monkeypatch, kiosk_timeout,
        clock: FakeClock) -> Iterator[App]:
    config_file = tmp_path / "config" / "config.toml"
    config_file.parent.mkdir()
    config_file.write_text(f'# the lab\'s settings\n[database]\nurl = "{first_database}"\n'
                           '\n[security]\nbcrypt_cost = 10\n', encoding="utf-8")
    monkeypatch.setenv("STUDENTRES_CONFIG", str(config_file))
    # The small test embedder instead of the sentence model, as in the other GUI tests.
    monkeypatch.setattr(bootstrap, "build_services",
                        functools.partial(bootstrap.build_services,
                                          embedder_loader=HashingEmbedder))
    backend = Backend(None, kiosk=kiosk_timeout is not None)
    shell = Shell(backend.gateway, QSettings(str(tmp_path / "ui.ini"),
                                             QSettings.Format.IniFormat),
                  clock=clock, kiosk_idle_timeout=kiosk_timeout)
    shell.start()
    qtbot.waitUntil(lambda: shell.ready, timeout=15_000)
    yield App(shell, backend, config_file, qtbot)
    shell.runner.wait_for_done(15_000)
    shell.background.wait_for_done(15_000)
    if shell.kiosk is not None:
        QApplication.instance().removeEventFilter(shell.kiosk)
    shell.window.unlock_and_close()
    shell.window.deleteLater()
    shell.deleteLater()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    gc.collect()
    backend.dispose()


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    with using_keyring(MemoryKeyring()) as backend:
        yield backend  # type: ignore[misc]


@pytest.fixture
def account(mysql_url: str) -> Iterator[Account]:
    """A srtest_ account on a MariaDB database set up for this version, with one student."""
    apply_schema_sql(mysql_url)
    _accounts(mysql_url, ("Grace", "grace@example.edu", Role.STUDENT))
    with mysql_account(mysql_url) as created:
        yield created


# --- reaching it, and bad fields ------------------------------------------------------------------


def test_it_is_reached_from_the_login_screen_only(app, qtbot):
    window = app.shell.window
    assert window.action_database_connection.isEnabled()
    assert window.action_database_connection.shortcut().toString() == "Ctrl+Shift+D"

    app.open_dialog()
    assert app.dialog.isVisible() and not app.dialog.on_advisor_page()
    assert app.dialog.edits["host"].text() == ""  # the file names the SQLite demo, no server
    app.dialog.reject()

    app.type_into(app.shell.login_view.email_edit, "ada@example.edu")
    app.type_into(app.shell.login_view.password_edit, PASSWORD)
    app.click(app.shell.login_view.login_button)
    qtbot.waitUntil(lambda: app.shell.session.active, timeout=10_000)
    assert not window.action_database_connection.isEnabled()
    app.shell.connection.open()
    assert not app.dialog.isVisible()


@pytest.mark.parametrize(("values", "field", "expected"), [
    ({"host": "", "port": "3306"}, "host", "Host is empty"),
    ({"host": "db.example.edu", "port": "33o6"}, "port",
     "Port must be a number from 1 to 65,535."),
    ({"host": "db.example.edu", "port": "70000"}, "port",
     "Port must be a number from 1 to 65,535."),
    ({"host": "db.example.edu", "port": "3306", "database": "", "user": "lab"}, "database",
     "Database is empty"),
    ({"host": "db.example.edu", "port": "3306", "database": "sr", "user": "lab",
      "ssl_ca": "/nowhere/ca.pem"}, "ssl_ca", "CA file not found: there is no CA certificate "
                                              "file at /nowhere/ca.pem."),
])
def test_a_bad_field_is_named_and_nothing_is_saved(app, memory_keyring, values, field,
                                                   expected):
    before = app.config_file.read_text(encoding="utf-8")
    app.open_dialog()
    app.fill(**values)

    app.click(app.dialog.save_button)
    app.wait_idle()

    assert app.error().startswith(expected), app.error()
    assert app.dialog.edits[field].hasFocus() or not app.dialog.isActiveWindow()
    assert app.dialog.isVisible()
    assert app.config_file.read_text(encoding="utf-8") == before
    assert memory_keyring.entries == {}


def test_browse_fills_the_file_fields(app, tmp_path):
    chosen = {"ssl_ca": tmp_path / "ca.pem", "ssl_cert": tmp_path / "kiosk.pem",
              "ssl_key": tmp_path / "kiosk.key"}
    asked: list[str] = []

    def choose(title: str, _filter: str) -> Path | None:
        asked.append(title)
        return chosen[next(f for f, t in CHOOSER_TITLES.items() if t == title)]

    app.shell.connection.choose_file = choose
    app.open_dialog()
    for field, button in app.dialog.browse_buttons.items():
        app.click(button)
        assert app.dialog.edits[field].text() == str(chosen[field])
    assert len(asked) == 3
    assert app.dialog.verify_cert_check.isEnabled()

    app.shell.connection.choose_file = lambda _title, _filter: None  # cancelled
    app.click(app.dialog.browse_buttons["ssl_ca"])
    assert app.dialog.edits["ssl_ca"].text() == str(chosen["ssl_ca"])


def test_without_a_keyring_the_dialog_warns_where_the_password_goes(app):
    with using_keyring(no_keyring()):
        app.open_dialog()
    notice = app.dialog.password_notice_label
    assert notice.isVisibleTo(app.dialog) and notice.property("role") == "warning"
    assert "no keyring" in notice.text() and "0600" in notice.text()


# --- testing and saving against the server --------------------------------------------------------


@pytest.mark.mysql
def test_the_test_button_names_each_failure_and_then_succeeds(app, account, memory_keyring):
    app.open_dialog()
    details = account.details()
    app.fill(host=details.host, port=details.port, database=details.database, user=details.user,
             password="Wrong-horse-7")

    app.click(app.dialog.test_button)
    app.wait_idle()
    assert app.error().startswith("Access denied"), app.error()

    app.fill(password=details.password, database="srtest_nothing_here")
    app.click(app.dialog.test_button)
    app.wait_idle()
    assert app.error().startswith(("Unknown database", "Access denied")), app.error()

    app.fill(database=details.database)
    app.click(app.dialog.test_button)
    app.wait_idle()
    assert app.error() == ""
    assert app.dialog.result_label.text().startswith("Connected to ")
    assert app.config_file.read_text(encoding="utf-8").count("mysql") == 0  # a test saves nothing


@pytest.mark.mysql
def test_saving_reconnects_to_the_new_database_without_a_restart(app, account, memory_keyring,
                                                                qtbot):
    old_gateway = app.backend.gateway()
    app.open_dialog()
    details = account.details()
    app.fill(host=details.host, port=details.port, database=details.database, user=details.user,
             password=details.password)

    app.click(app.dialog.save_button)
    qtbot.waitUntil(lambda: not app.dialog.isVisible(), timeout=10_000)
    qtbot.waitUntil(lambda: app.shell.ready, timeout=15_000)

    assert app.typed_passwords() == ["", ""]
    written = tomllib.loads(app.config_file.read_text(encoding="utf-8"))
    assert make_url(written["database"]["url"]).password is None
    assert "# the lab's settings" in app.config_file.read_text(encoding="utf-8")
    assert list(memory_keyring.entries.values()) == [details.password]
    assert app.backend.gateway() is not old_gateway
    # Grace exists only in the new database: logging in proves the app switched to it.
    app.type_into(app.shell.login_view.email_edit, "grace@example.edu")
    app.type_into(app.shell.login_view.password_edit, PASSWORD)
    app.click(app.shell.login_view.login_button)
    qtbot.waitUntil(lambda: app.shell.session.active, timeout=15_000)
    assert app.shell.session.student.email == "grace@example.edu"


def test_a_slow_older_attempt_to_connect_does_not_overwrite_a_newer_one(qtbot, tmp_path,
                                                                       first_database):
    release = threading.Event()
    calls: list[int] = []

    def prepare() -> None:
        calls.append(len(calls))
        if len(calls) == 1:  # the first attempt hangs, then fails, after the second succeeded
            release.wait(10)
            raise DatabaseUnavailable("no database server answers there")

    services = build_services(DatabaseSettings(first_database), bcrypt_cost=4,
                              embedder_loader=HashingEmbedder)
    gateway = Gateway(SessionServices(services.auth, services.interests, services.resources,
                                      services.recommendations, services.plan,
                                      services.calendar, services.desk), prepare)
    shell = Shell(lambda: gateway, QSettings(str(tmp_path / "ui.ini"),
                                             QSettings.Format.IniFormat))
    shell.start()
    qtbot.waitUntil(lambda: len(calls) == 1, timeout=5_000)

    shell.connection.sig_connection_changed.emit()  # saved: connect again
    qtbot.waitUntil(lambda: shell.ready, timeout=5_000)
    release.set()
    qtbot.waitUntil(lambda: not shell.runner.busy, timeout=10_000)

    assert shell.ready and not shell.window.banner.isVisibleTo(shell.window)
    assert shell.login_view.login_button.isEnabled()
    shell.background.wait_for_done(15_000)
    shell.window.close()
    shell.deleteLater()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    services.dispose()


# --- the kiosk, and the end of a session ----------------------------------------------------------


@pytest.mark.parametrize("kiosk_timeout", [KIOSK_TIMEOUT])
def test_on_a_kiosk_an_advisor_signs_in_and_the_sign_in_ends_with_the_dialog(app):
    app.open_dialog()
    assert app.dialog.on_advisor_page()

    app.type_into(app.dialog.advisor_email_edit, "ada@example.edu")
    app.type_into(app.dialog.advisor_password_edit, PASSWORD)
    app.click(app.dialog.sign_in_button)
    app.wait_idle()
    assert app.dialog.on_advisor_page()
    assert app.dialog.advisor_error_label.text() == "Only an advisor can change the database " \
                                                    "connection."
    assert app.dialog.advisor_password_edit.text() == ""

    app.type_into(app.dialog.advisor_email_edit, "desk@example.edu")
    app.type_into(app.dialog.advisor_password_edit, PASSWORD)
    app.click(app.dialog.sign_in_button)
    app.wait_idle()
    assert not app.dialog.on_advisor_page()
    advisor = app.shell.connection._advisor
    assert advisor is not None and advisor.check().role is Role.ADVISOR

    app.dialog.reject()

    with pytest.raises(TokenRevoked):
        advisor.check()
    assert not app.shell.session.active  # the dialog's sign-in was never the kiosk's session


@pytest.mark.parametrize("kiosk_timeout", [KIOSK_TIMEOUT])
def test_the_kiosk_going_idle_closes_the_dialog_and_leaves_no_password(app, clock):
    app.open_dialog()
    app.type_into(app.dialog.advisor_email_edit, "desk@example.edu")
    app.type_into(app.dialog.advisor_password_edit, PASSWORD)
    app.click(app.dialog.sign_in_button)
    app.wait_idle()
    advisor = app.shell.connection._advisor
    app.fill(host="db.example.edu", user="lab", password="Half-typed-secret")
    assert "Half-typed-secret" in app.typed_passwords()

    clock.advance(seconds=KIOSK_TIMEOUT.total_seconds() + 1)
    app.shell.kiosk.tick()

    assert not app.dialog.isVisible()
    assert app.typed_passwords() == ["", ""]
    assert all(edit.text() == "" for edit in app.dialog.edits.values())
    with pytest.raises(TokenRevoked):
        advisor.check()


def test_ending_a_session_with_the_dialog_open_closes_it_and_clears_the_password(app):
    app.open_dialog()
    app.fill(host="db.example.edu", password="Typed-secret")

    app.shell.session.end("")

    assert not app.dialog.isVisible()
    assert app.typed_passwords() == ["", ""]
    assert app.dialog.edits["host"].text() == ""
