"""On a shared lab PC, the app's folders are 0700 and its files 0600, whatever the umask."""

from __future__ import annotations

import logging
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from studentres_desktop.config import load_config
from studentres_desktop.logging_setup import PrivateRotatingFileHandler, configure_logging
from studentres_desktop.paths import (
    default_database_file,
    user_config_file,
    user_data_dir,
    user_log_dir,
    write_private_text,
)
from studentres_desktop.persistence.engine import DatabaseSettings, create_database_engine
from studentres_desktop.persistence.schema import ensure_schema

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def open_umask() -> Iterator[None]:
    """The loosest umask a lab PC could have: everything would be world-writable."""
    previous = os.umask(0)
    yield
    os.umask(previous)


@pytest.fixture
def restore_logging() -> Iterator[None]:
    yield
    root = logging.getLogger()
    for handler in [h for h in root.handlers if getattr(h, "studentres", False)]:
        root.removeHandler(handler)
        handler.close()


@pytest.mark.usefixtures("open_umask", "restore_logging")
def test_the_log_folder_and_file_are_private():
    path = configure_logging()
    assert path is not None
    logging.getLogger("studentres_desktop").warning("a line, so the file exists")

    assert mode(path) == 0o600
    assert mode(user_log_dir()) == 0o700
    assert mode(user_log_dir().parent) == 0o700  # the app's state folder, on Linux


@pytest.mark.usefixtures("open_umask")
def test_rotated_logs_stay_private(tmp_path):
    handler = PrivateRotatingFileHandler(tmp_path / "app.log", maxBytes=200, backupCount=2)
    logger = logging.Logger("rotation")
    logger.addHandler(handler)
    for n in range(20):
        logger.warning("line %d of a log that rotates quickly", n)
    handler.close()

    files = sorted(tmp_path.glob("app.log*"))
    assert [f.name for f in files] == ["app.log", "app.log.1", "app.log.2"]
    assert {mode(f) for f in files} == {0o600}


@pytest.mark.usefixtures("open_umask", "restore_logging")
def test_an_existing_loose_log_is_tightened():
    log_dir = user_log_dir()
    log_dir.mkdir(parents=True, mode=0o755)
    os.chmod(log_dir, 0o755)
    old = log_dir / "studentres.log"
    old.write_text("from an older version\n", encoding="utf-8")
    os.chmod(old, 0o644)

    configure_logging()

    assert mode(old) == 0o600
    assert mode(log_dir) == 0o700


@pytest.mark.usefixtures("open_umask")
def test_the_embedded_database_and_its_wal_and_shm_files_are_private():
    config = load_config()
    assert config.is_default_database
    engine = create_database_engine(config.database)
    try:
        ensure_schema(engine)
        with engine.connect() as conn:  # keep a connection open, so -wal and -shm exist
            conn.execute(text("SELECT COUNT(*) FROM students_data"))
            database = default_database_file()
            companions = [database.with_name(database.name + s) for s in ("-wal", "-shm")]
            assert all(p.exists() for p in companions)
            assert {mode(p) for p in (database, *companions)} == {0o600}
    finally:
        engine.dispose()
    assert mode(user_data_dir()) == 0o700


@pytest.mark.usefixtures("open_umask")
def test_files_an_older_version_left_readable_are_tightened(tmp_path):
    folder = tmp_path / "data"
    folder.mkdir(mode=0o755)
    database = folder / "studentres.sqlite3"
    wal = folder / "studentres.sqlite3-wal"
    for path in (database, wal):
        path.write_bytes(b"")
        os.chmod(path, 0o644)

    create_database_engine(DatabaseSettings(f"sqlite:///{database}")).dispose()

    assert mode(database) == mode(wal) == 0o600


@pytest.mark.usefixtures("open_umask")
def test_folders_the_app_creates_for_a_configured_sqlite_file_are_private(tmp_path):
    os.chmod(tmp_path, 0o755)
    database = tmp_path / "new" / "deeper" / "db.sqlite3"
    create_database_engine(DatabaseSettings(f"sqlite:///{database}")).dispose()
    assert mode(database.parent) == mode(database.parent.parent) == 0o700
    assert mode(tmp_path) == 0o755  # a folder that was there already is left alone


@pytest.mark.usefixtures("open_umask")
def test_the_users_config_file_and_folder_are_kept_private():
    config = user_config_file()
    config.parent.mkdir(parents=True, mode=0o755)
    os.chmod(config.parent, 0o755)
    config.write_text('[database]\nurl = "mysql+mysqlconnector://app:s3cret@db/sr"\n',
                      encoding="utf-8")
    os.chmod(config, 0o644)

    load_config()

    assert mode(config) == 0o600
    assert mode(config.parent) == 0o700


@pytest.mark.usefixtures("open_umask")
def test_written_config_is_private_even_over_a_loose_file(tmp_path):
    target = tmp_path / "config" / "config.toml"
    target.parent.mkdir()
    target.write_text("old", encoding="utf-8")
    os.chmod(target, 0o666)

    write_private_text(target, '[database]\nurl = "sqlite:///x"\n')

    assert target.read_text(encoding="utf-8").startswith("[database]")
    assert mode(target) == 0o600
    assert mode(target.parent) == 0o700
