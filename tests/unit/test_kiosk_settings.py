"""Kiosk settings: from --kiosk/--idle-timeout or [kiosk] in the config file; bad values named."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from studentres_desktop.config import KioskSettings, load_kiosk_settings
from studentres_desktop.domain.errors import ValidationError


def config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_without_settings_it_is_an_ordinary_workstation(tmp_path):
    assert load_kiosk_settings(environ={}, config_file=tmp_path / "none.toml") == KioskSettings(
        enabled=False, idle_timeout=timedelta(seconds=120))


def test_the_config_file_turns_it_on(tmp_path):
    path = config(tmp_path, "[kiosk]\nenabled = true\nidle_timeout_seconds = 45\n")
    assert load_kiosk_settings(environ={}, config_file=path) == KioskSettings(
        True, timedelta(seconds=45))


def test_the_command_line_wins_over_the_file(tmp_path):
    path = config(tmp_path, "[kiosk]\nenabled = false\nidle_timeout_seconds = 45\n")
    settings = load_kiosk_settings(True, 300, environ={}, config_file=path)
    assert settings == KioskSettings(True, timedelta(seconds=300))


def test_the_config_file_is_found_through_the_environment(tmp_path):
    path = config(tmp_path, "[kiosk]\nenabled = true\n")
    assert load_kiosk_settings(environ={"STUDENTRES_CONFIG": str(path)}).enabled


@pytest.mark.parametrize(("toml", "field", "problem"), [
    ('[kiosk]\nenabled = "yes"\n', "kiosk.enabled", "true or false"),
    ("[kiosk]\nidle_timeout_seconds = 5\n", "kiosk.idle_timeout_seconds", "10 to 86,400"),
    ('[kiosk]\nidle_timeout_seconds = "2m"\n', "kiosk.idle_timeout_seconds", "whole number"),
    ("[kiosk]\nidle_timeout_seconds = 100000\n", "kiosk.idle_timeout_seconds", "10 to 86,400"),
    ("kiosk = 1\n", "[kiosk]", "table"),
])
def test_a_bad_value_in_the_file_is_named(tmp_path, toml, field, problem):
    path = config(tmp_path, toml)
    with pytest.raises(ValidationError) as caught:
        load_kiosk_settings(environ={}, config_file=path)
    assert caught.value.field.endswith(field)
    assert problem in caught.value.message


def test_a_bad_idle_timeout_on_the_command_line_is_named(tmp_path):
    with pytest.raises(ValidationError) as caught:
        load_kiosk_settings(True, 3, environ={}, config_file=tmp_path / "none.toml")
    assert caught.value.field == "--idle-timeout"
