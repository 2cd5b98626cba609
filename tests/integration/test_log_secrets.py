"""The log never holds a password, a session token or a password hash."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from studentres_desktop.domain.errors import InvalidCredentials
from studentres_desktop.logging_setup import configure_logging
from studentres_desktop.persistence import tables as t
from studentres_desktop.services.passwords import _prehash

PASSWORD = "Plum-tree 4 the courtyard"
WRONG = "Plum-tree 4 the orchard!"


@pytest.fixture
def log_file() -> Iterator[object]:
    path = configure_logging(verbose=True)  # DEBUG: the most the log can ever say
    assert path is not None
    yield path
    root = logging.getLogger()
    for handler in [h for h in root.handlers if getattr(h, "studentres", False)]:
        root.removeHandler(handler)
        handler.close()


def test_a_session_with_a_wrong_and_a_right_password_leaves_no_secret_in_the_log(
    make_services, log_file
):
    services = make_services()
    services.auth.register("Ada Lovelace", "ada@example.edu", PASSWORD)
    with pytest.raises(InvalidCredentials):
        services.auth.login("ada@example.edu", WRONG)
    result = services.auth.login("ada@example.edu", PASSWORD)
    services.interests.set_for_student(result.token, ["AI", "Robotics"], primary="AI")
    services.resources.for_student(result.token)
    services.auth.logout(result.token)
    with services.engine.connect() as conn:
        stored_hash = conn.execute(select(t.students_data.c.password_hash)).scalar_one()
    for handler in logging.getLogger().handlers:
        handler.flush()

    log = log_file.read_text(encoding="utf-8")

    assert "registered account" in log  # the session was logged…
    secrets = {
        "password": PASSWORD,
        "wrong password": WRONG,
        "token": result.token,
        "token signature": result.token.rsplit(".", 1)[1],
        "password hash": stored_hash,
        "bcrypt digest": stored_hash[-31:],
        "pre-hashed password": _prehash(PASSWORD).decode(),
    }
    leaked = [name for name, secret in secrets.items() if secret in log]
    assert leaked == []  # …and none of its secrets
