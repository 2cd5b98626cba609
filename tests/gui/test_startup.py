"""Start-up: the login window comes first; the services load behind it, and a bad setting is
named in the banner, fixed by IT, and retried without restarting the app."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest
from PySide6.QtCore import QEvent, QSettings
from PySide6.QtWidgets import QApplication
from sqlalchemy import text

from studentres_desktop.bootstrap import build_gateway
from studentres_desktop.domain.errors import ValidationError
from studentres_desktop.persistence.revisions import REVISIONS, VERSION_TABLE
from studentres_desktop.ui.shell import Shell
from tests.support.embedders import HashingEmbedder


def test_a_bad_setting_is_named_in_the_banner_and_retry_picks_up_the_fix(
        qtbot, make_services, tmp_path):
    attempts: list[str] = []
    gateway = build_gateway(make_services(embedder_loader=HashingEmbedder), embedded=True)

    def source():
        attempts.append("called")
        if len(attempts) == 1:
            raise ValidationError("config.toml: database.url", "is not a database URL.")
        return gateway

    shell = Shell(source, QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    shell.start()
    qtbot.waitUntil(lambda: shell.window.banner.isVisible(), timeout=10_000)
    assert "database.url is not a database URL" in shell.window.banner_label.text()
    assert not shell.login_view.login_button.isEnabled()

    shell.window.retry_button.click()
    qtbot.waitUntil(lambda: shell.ready, timeout=10_000)
    assert not shell.window.banner.isVisible()
    assert shell.login_view.login_button.isEnabled()
    assert len(attempts) >= 2
    close_shell(shell, qtbot)


def test_the_login_window_needs_no_database_library():
    """What loads before the window is shown: Qt and the UI, not SQLAlchemy, bcrypt or numpy."""
    script = textwrap.dedent("""
        import sys
        import studentres_desktop.app
        heavy = sorted({name.split(".")[0] for name in sys.modules} & {
            "sqlalchemy", "mysql", "bcrypt", "jwt", "numpy", "email_validator", "torch"})
        print(",".join(heavy))
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=120, check=True)
    assert done.stdout.strip() == ""


def test_the_login_window_is_shown_before_the_other_features_load():
    """Only the login page's modules load before the first paint; the rest are built after it."""
    script = textwrap.dedent("""
        import sys
        import studentres_desktop.app
        print(",".join(sorted(name for name in sys.modules if name.startswith((
            "studentres_desktop.ui.views.browser_view",
            "studentres_desktop.ui.views.resource_editor",
            "studentres_desktop.ui.controllers.app_controller",
            "studentres_desktop.ui.controllers.kiosk_controller",
            "studentres_desktop.domain.models")))))
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=120, check=True)
    assert done.stdout.strip() == ""


def test_every_feature_exists_before_the_login_form_is_enabled(qtbot, make_services, tmp_path):
    gateway = build_gateway(make_services(embedder_loader=HashingEmbedder), embedded=True)
    shell = Shell(lambda: gateway, QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    assert shell.features == (shell.login,)  # nothing but the login page before the paint
    seen_at_ready: list[tuple[object, ...]] = []
    shell.sig_ready.connect(lambda: seen_at_ready.append(shell.features))
    shell.start()
    qtbot.waitUntil(lambda: shell.ready, timeout=10_000)
    assert len(seen_at_ready) == 1
    assert {shell.editing, shell.attendance, shell.connection} <= set(seen_at_ready[0])
    assert shell.login_view.login_button.isEnabled()
    assert shell.window.stack.indexOf(shell.browser_view) >= 0
    close_shell(shell, qtbot)


@pytest.mark.parametrize(("revision", "says"), [
    (REVISIONS[0], "Ask IT to run 'studentres-admin upgrade-db' with the owner account."),
    ("0099_from_a_newer_app", "This app is older than the database"),
])
def test_a_schema_too_old_or_too_new_is_named_in_the_banner(qtbot, make_services, tmp_path,
                                                            revision, says):
    services = make_services(embedder_loader=HashingEmbedder)
    with services.engine.begin() as conn:
        conn.execute(text(f"UPDATE {VERSION_TABLE} SET version_num = :r"), {"r": revision})
    gateway = build_gateway(services, embedded=False)

    shell = Shell(lambda: gateway,
                  QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    shell.start()
    qtbot.waitUntil(lambda: shell.window.banner.isVisible(), timeout=10_000)
    shown = shell.window.banner_label.text()
    assert says in shown
    assert "Traceback" not in shown and "sqlalchemy" not in shown.lower()
    assert not shell.login_view.login_button.isEnabled()
    close_shell(shell, qtbot)


def close_shell(shell: Shell, qtbot) -> None:
    """Wait for the shell's workers, then destroy its Qt objects on the UI thread."""
    shell.runner.wait_for_done(10_000)
    shell.background.wait_for_done(10_000)
    qtbot.waitUntil(lambda: not shell.runner.busy and not shell.background.busy,
                    timeout=30_000)
    shell.window.close()
    shell.window.deleteLater()
    shell.deleteLater()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
