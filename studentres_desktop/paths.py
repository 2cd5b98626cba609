"""Where things live: user folders (platformdirs) and bundled resources, frozen or not."""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path

import platformdirs

APP_NAME = "studentres-desktop"
APP_AUTHOR = "StudentRes"


def resources_dir() -> Path:
    """`resources/` from the PyInstaller bundle when frozen, else from the source checkout."""
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        return Path(bundle) / "resources"
    return Path(__file__).resolve().parent.parent / "resources"


def ui_file(name: str) -> Path:
    return resources_dir() / "ui" / name


def user_data_dir() -> Path:
    return platformdirs.user_data_path(APP_NAME, APP_AUTHOR)


def user_cache_dir() -> Path:
    """What can be made again: models unpacked from their packages."""
    return platformdirs.user_cache_path(APP_NAME, APP_AUTHOR)


def user_config_file() -> Path:
    return platformdirs.user_config_path(APP_NAME, APP_AUTHOR) / "config.toml"


def user_log_dir() -> Path:
    return platformdirs.user_log_path(APP_NAME, APP_AUTHOR)


def default_database_file() -> Path:
    return user_data_dir() / "studentres.sqlite3"


# --- private folders and files --------------------------------------------------------------------
# A lab PC has many OS accounts: the database (its -wal file holds password hashes), the log and
# the config (it may hold the database password) must be readable by their owner only. Modes are
# set with chmod after creation, so the umask cannot loosen them. Windows keeps a profile private
# through its ACLs; there the modes below are not applied.

PRIVATE_DIR_MODE = 0o700
PRIVATE_FILE_MODE = 0o600
_POSIX = os.name == "posix"


def make_dirs_private(path: Path) -> Path:
    """Create `path` and its missing parents as 0700; folders already there stay as they are."""
    missing: list[Path] = []
    current = path
    while not current.exists():
        missing.append(current)
        current = current.parent
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=PRIVATE_DIR_MODE)
        except FileExistsError:  # another process made it a moment ago
            continue
        if _POSIX:
            os.chmod(folder, PRIVATE_DIR_MODE)
    return path


def private_dir(path: Path) -> Path:
    """An app folder (created if needed) that only this OS account can enter: 0700."""
    make_dirs_private(path)
    if _POSIX:
        os.chmod(path, PRIVATE_DIR_MODE)
    return path


def private_file(path: Path) -> Path:
    """Create `path` empty if missing, and make it readable and writable by its owner only."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, PRIVATE_FILE_MODE)
    try:
        if _POSIX:
            os.fchmod(descriptor, PRIVATE_FILE_MODE)
    finally:
        os.close(descriptor)
    return path


def tighten_file(path: Path) -> None:
    """Make an existing file 0600; a missing one is left missing."""
    if _POSIX:
        with contextlib.suppress(FileNotFoundError):
            os.chmod(path, PRIVATE_FILE_MODE)


def private_opener(path: str, flags: int) -> int:
    """An `opener` for open(): new files are 0600 and existing ones are tightened to 0600."""
    descriptor = os.open(path, flags, PRIVATE_FILE_MODE)
    if _POSIX:
        os.fchmod(descriptor, PRIVATE_FILE_MODE)
    return descriptor


def write_private_text(path: Path, text: str) -> None:
    """Write a file (e.g. the config, which may hold a password) as 0600 in a 0700 folder."""
    private_dir(path.parent)
    with open(path, "w", encoding="utf-8", opener=private_opener) as stream:
        stream.write(text)
