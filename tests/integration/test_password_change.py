"""Changing a password: the current one must be proven, through the same throttle as a login."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from studentres_desktop.domain.errors import InvalidCredentials, LoginThrottled, ValidationError
from studentres_desktop.persistence import tables as t

PASSWORD = "correct horse battery"
NEW_PASSWORD = "a brand new passphrase"


def stored_hash(services) -> str:
    with services.engine.connect() as conn:
        return conn.execute(select(t.students_data.c.password_hash)).scalar_one()


def test_the_new_password_works_and_the_old_one_no_longer_does(services):
    services.auth.register("Ada", "ada@example.edu", PASSWORD)
    token = services.auth.login("ada@example.edu", PASSWORD).token

    services.auth.change_password(token, PASSWORD, NEW_PASSWORD)

    assert services.auth.login("ada@example.edu", NEW_PASSWORD).student.name == "Ada"
    with pytest.raises(InvalidCredentials):
        services.auth.login("ada@example.edu", PASSWORD)


def test_a_wrong_current_password_changes_nothing_and_counts_as_a_failed_login(services):
    services.auth.register("Ada", "ada@example.edu", PASSWORD)
    token = services.auth.login("ada@example.edu", PASSWORD).token
    before = stored_hash(services)

    for _ in range(5):
        with pytest.raises(InvalidCredentials):
            services.auth.change_password(token, "not my password", NEW_PASSWORD)

    assert stored_hash(services) == before
    with pytest.raises(LoginThrottled):  # guessing through a password change is throttled too
        services.auth.change_password(token, PASSWORD, NEW_PASSWORD)
    with pytest.raises(LoginThrottled):
        services.auth.login("ada@example.edu", PASSWORD)


@pytest.mark.parametrize(("current", "new", "field"), [
    ("", NEW_PASSWORD, "current password"),
    (PASSWORD, "short", "password"),
    (PASSWORD, "ada@example.edu", "password"),
])
def test_bad_input_is_refused_naming_the_field(services, current, new, field):
    services.auth.register("Ada", "ada@example.edu", PASSWORD)
    token = services.auth.login("ada@example.edu", PASSWORD).token
    before = stored_hash(services)

    with pytest.raises(ValidationError) as caught:
        services.auth.change_password(token, current, new)

    assert caught.value.field == field
    assert stored_hash(services) == before
