"""Shared fixtures: a fresh database per test on SQLite and on MariaDB/MySQL, and a fake clock.

MySQL tests use STUDENTRES_TEST_MYSQL_URL (default: root without password on 127.0.0.1:3306).
That account must be allowed to create and drop databases named srtest_*. Without a server the
MySQL tests are skipped, except under CI=true, where they fail.
"""

from __future__ import annotations

import os
import re
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import settings
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# No test reaches the real user's keyring; tests/support/keyrings.py swaps in a memory one.
os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"

from studentres_desktop.bootstrap import Services, build_services
from studentres_desktop.persistence.engine import DatabaseSettings
from studentres_desktop.persistence.schema import ensure_schema
from studentres_desktop.services.auth import ThrottlePolicy

ROOT = Path(__file__).resolve().parent.parent
SCHEMA_SQL = ROOT / "db" / "schema.sql"
# Data sets kept beside the checkout, not in it (see README, "Shared test data").
SHARED_DATA = Path(os.environ.get("STUDENTRES_SHARED_DATA") or ROOT.parent / "shared" / "data")
DEFAULT_MYSQL_URL = "mysql+mysqlconnector://root@127.0.0.1:3306/"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")

# Hypothesis: `ci` is reproducible (same examples every run, failures print a reproduction blob);
# `dev` is the quick default; HYPOTHESIS_PROFILE=thorough searches far longer before a release.
settings.register_profile(
    "ci", max_examples=40, derandomize=True, deadline=None, print_blob=True, database=None
)
settings.register_profile("dev", max_examples=40, deadline=None)
settings.register_profile("thorough", max_examples=1000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if IN_CI else "dev"))


@pytest.fixture(autouse=True)
def _isolated_user_dirs(tmp_path_factory: pytest.TempPathFactory,
                        monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep config, data and logs of every test out of the real user's folders."""
    home = tmp_path_factory.mktemp("home")
    for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
        monkeypatch.setenv(name, str(home / name.lower()))
    monkeypatch.delenv("STUDENTRES_DB_URL", raising=False)
    monkeypatch.delenv("STUDENTRES_CONFIG", raising=False)


def shared_data_file(name: str, adds: str) -> Path:
    """A file of the shared data folder, or skip saying what it would add (fail under CI=true)."""
    path = SHARED_DATA / name
    if not path.is_file():
        message = (
            f"{name} is not in the shared test data folder {SHARED_DATA}; it would add {adds}. "
            "See 'Shared test data, and fuzzing' in README.md."
        )
        if IN_CI:
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    return path


@dataclass
class FakeClock:
    """A clock tests move by hand instead of sleeping."""

    now: datetime = field(default_factory=lambda: datetime(2026, 11, 27, 9, 0, 0))

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def utc_plus_one(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """This computer's local time is UTC+1 all year (POSIX TZ needs no zoneinfo files)."""
    monkeypatch.setenv("TZ", "CET-1")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def split_sql_script(script: str) -> list[str]:
    """Statements of a DDL script: comments dropped, split on the delimiter at line ends.

    Like the mysql client, it honours `DELIMITER //` lines (the stored procedures use them).
    """
    statements: list[str] = []
    delimiter, current = ";", []
    for line in script.splitlines():
        if line.upper().startswith("DELIMITER "):
            delimiter = line.split()[1]
            continue
        line = re.sub(r"\s--\s.*$|^--.*$", "", line).rstrip()
        if line.endswith(delimiter):
            current.append(line[: -len(delimiter)])
            statements.append("\n".join(current).strip())
            current = []
        else:
            current.append(line)
    statements.append("\n".join(current).strip())
    return [statement for statement in statements if statement]


def apply_schema_sql(url: str) -> None:
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            for statement in split_sql_script(SCHEMA_SQL.read_text(encoding="utf-8")):
                conn.exec_driver_sql(statement)
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def mysql_admin_url() -> Iterator[str]:
    """An account on a reachable MySQL/MariaDB server, or skip (fail under CI=true)."""
    url = os.environ.get("STUDENTRES_TEST_MYSQL_URL", DEFAULT_MYSQL_URL)
    engine = create_engine(url, connect_args={"connection_timeout": 5})
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as error:  # noqa: BLE001 - any failure means "no server for the tests"
        message = f"MySQL/MariaDB not reachable at {make_url(url).render_as_string()}: {error}"
        if IN_CI:
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    finally:
        engine.dispose()
    yield url


def _mysql_url(admin_url: str, database: str) -> str:
    base = make_url(admin_url).set(database=database, drivername="mysql+mysqlconnector")
    return base.update_query_dict(
        {"charset": "utf8mb4", "collation": "utf8mb4_unicode_ci"}
    ).render_as_string(hide_password=False)


@pytest.fixture
def mysql_databases(mysql_admin_url: str) -> Iterator[object]:
    """Create new, empty databases on the server on demand; all are dropped after the test."""
    admin = create_engine(_mysql_url(mysql_admin_url, ""))
    created: list[str] = []

    def create() -> str:
        name = f"srtest_{uuid.uuid4().hex[:12]}"
        with admin.begin() as conn:
            conn.exec_driver_sql(
                f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
            )
        created.append(name)
        return _mysql_url(mysql_admin_url, name)

    yield create
    with admin.begin() as conn:
        for name in created:
            conn.exec_driver_sql(f"DROP DATABASE IF EXISTS `{name}`")
    admin.dispose()


@pytest.fixture
def mysql_url(mysql_databases) -> str:  # type: ignore[no-untyped-def]
    return mysql_databases()  # type: ignore[no-any-return]


@pytest.fixture(params=["sqlite", pytest.param("mysql", marks=pytest.mark.mysql)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh database with the schema in place: SQLite from the ORM, MySQL from schema.sql."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'test.sqlite3'}"
    else:
        url = request.getfixturevalue("mysql_url")
        apply_schema_sql(url)
    return url


@pytest.fixture
def make_services(database_url: str, clock: FakeClock) -> Iterator[object]:
    """Build services on this test's database; several calls share it, like several kiosks."""
    built: list[Services] = []

    def make(**overrides: object) -> Services:
        options: dict[str, object] = {
            "bcrypt_cost": 4,
            "clock": clock,
            "throttle": ThrottlePolicy(),
            # The real multilingual model stays out unless a test asks for one (they pass a
            # stand-in: tests/integration/test_recommendations_multilingual.py).
            "multilingual_model": None,
        }
        options.update(overrides)
        services = build_services(DatabaseSettings(database_url), **options)  # type: ignore[arg-type]
        if not built:
            ensure_schema(services.engine)
            services.catalogue.seed_interests()
        built.append(services)
        return services

    yield make
    for services in built:
        services.dispose()


@pytest.fixture
def semantic_extra() -> None:
    """Tests of the real model: skipped without the [semantic] extra, failed under CI=true."""
    from studentres_desktop.services.recommendations.embedder import semantic_installed

    if not semantic_installed():
        message = "the [semantic] extra is not installed"
        if IN_CI:
            pytest.fail(message, pytrace=False)
        pytest.skip(message)


@pytest.fixture
def services(make_services) -> Services:  # type: ignore[no-untyped-def]
    return make_services()  # type: ignore[no-any-return]
