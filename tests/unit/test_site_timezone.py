"""`[site] timezone` in the config file: a zone name, or the machine's zone when absent."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pytest
import tzlocal

from studentres_desktop.config import load_config
from studentres_desktop.domain.errors import ValidationError
from studentres_desktop.services.plan import machine_zone


def config_with(tmp_path: Path, text: str):
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return load_config(environ={}, config_file=path)


def test_the_site_time_zone_comes_from_the_config_file(tmp_path):
    assert config_with(tmp_path, '[site]\ntimezone = "Europe/Madrid"\n').site_timezone == (
        ZoneInfo("Europe/Madrid"))
    assert config_with(tmp_path, "").site_timezone is None


@pytest.mark.parametrize("value", ['"Mars/Olympus_Mons"', '""', "3", '"../../etc/passwd"',
                                   '"Europe"'])
def test_an_unknown_time_zone_is_refused_naming_the_setting(tmp_path, value):
    with pytest.raises(ValidationError) as caught:
        config_with(tmp_path, f"[site]\ntimezone = {value}\n")
    assert caught.value.field.endswith("site.timezone")


def test_a_machine_zone_without_a_name_falls_back_to_its_offset(utc_plus_one, monkeypatch):
    def unnamed():
        raise ZoneInfoNotFoundError("tzlocal() does not support non-zoneinfo timezones")

    monkeypatch.setattr(tzlocal, "get_localzone", unnamed)
    zone = machine_zone()
    assert datetime(2027, 1, 1, tzinfo=zone).utcoffset() == timedelta(hours=1)
