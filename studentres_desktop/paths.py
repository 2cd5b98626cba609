"""Where things live: user folders (platformdirs) and bundled resources, frozen or not."""

from __future__ import annotations

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


def user_config_file() -> Path:
    return platformdirs.user_config_path(APP_NAME, APP_AUTHOR) / "config.toml"


def user_log_dir() -> Path:
    return platformdirs.user_log_path(APP_NAME, APP_AUTHOR)


def default_database_file() -> Path:
    return user_data_dir() / "studentres.sqlite3"
