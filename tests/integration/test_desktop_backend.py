"""The desktop's backend: built on first use from the configuration; kiosks get short tokens."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from studentres_desktop.app import Backend, main
from studentres_desktop.config import KIOSK_TOKEN_TTL
from studentres_desktop.domain.errors import ValidationError

PASSWORD = "correct horse battery"


@pytest.mark.parametrize(("kiosk", "longest"), [(False, timedelta(minutes=30)),
                                                 (True, KIOSK_TOKEN_TTL)])
def test_a_kiosk_session_lives_fifteen_minutes_at_most(kiosk, longest):
    backend = Backend(None, kiosk=kiosk)  # the embedded database, in this test's folders
    try:
        gateway = backend.gateway()
        assert backend.gateway() is gateway  # built once
        gateway.prepare_database()
        api = gateway.register("Kim Kiosk", "kim@example.edu", PASSWORD)
        lifetime = api.expires_at - datetime.now(UTC).replace(tzinfo=None)
        assert longest - timedelta(minutes=1) < lifetime <= longest
    finally:
        backend.dispose()


def test_a_bad_database_url_is_named_when_the_backend_is_built(tmp_path):
    backend = Backend("nosuchdriver://x")
    with pytest.raises(ValidationError) as caught:
        backend.gateway()
    assert caught.value.field == "--db"


def test_a_bad_idle_timeout_stops_the_app_before_any_window(capsys):
    assert main(["--kiosk", "--idle-timeout", "2"]) == 2
    assert "--idle-timeout must be 10 to 86,400 seconds." in capsys.readouterr().err
