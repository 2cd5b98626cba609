"""The Big List of Naughty Strings in every text field: stored exactly, or refused by name.

Nothing crashes, no login succeeds with a wrong password, and no table changes on a refusal.
"""

from __future__ import annotations

import json
from datetime import datetime

import pytest
from sqlalchemy import delete, func, select

from studentres_desktop.domain.errors import (
    EmailAlreadyRegistered,
    InvalidCredentials,
    LoginThrottled,
    ValidationError,
)
from studentres_desktop.domain.models import ResourceDraft, ResourceFilter, ResourceKind, Role
from studentres_desktop.persistence import tables as t
from studentres_desktop.services.auth import ThrottlePolicy
from tests.conftest import shared_data_file

PASSWORD = "correct horse battery"


@pytest.fixture(scope="module")
def naughty() -> list[str]:
    """The Big List of Naughty Strings, with what blns.json lacks: NUL, CR, LF, one long line."""
    path = shared_data_file("blns.json", "515 known bad-input strings for every text field")
    strings: list[str] = json.loads(path.read_text(encoding="utf-8"))
    return [*strings, "\x00", "a\x00b", "\r", "\n", "line\r\nbreak", "x" * 10_000]


def table_counts(services) -> dict[str, int]:
    with services.engine.connect() as conn:
        return {
            table.name: int(conn.execute(select(func.count()).select_from(table)).scalar_one())
            for table in t.metadata.sorted_tables
            if table.name != "login_throttle"
        }


def test_naughty_strings_blns_file_is_there(naughty):
    assert len(naughty) > 500


def test_names_are_stored_exactly_or_refused(naughty, services):
    stored = refused = 0
    for n, name in enumerate(naughty):
        email = f"student{n}@example.edu"
        before = table_counts(services)
        try:
            services.auth.register(name, email, PASSWORD)
        except ValidationError as error:
            assert error.field == "name", (name, error)
            assert table_counts(services) == before
            refused += 1
            continue
        student = services.auth.login(email, PASSWORD).student
        assert student.name == name
        stored += 1
    assert stored > 400 and refused > 0


def test_emails_are_normalised_consistently_or_refused(naughty, services):
    accepted = 0
    for n, email in enumerate(naughty):
        before = table_counts(services)
        try:
            student = services.auth.register(f"Student {n}", email, PASSWORD)
        except EmailAlreadyRegistered:
            assert table_counts(services) == before
            continue
        except ValidationError as error:
            assert error.field == "email", (email, error)
            assert table_counts(services) == before
            continue
        accepted += 1
        assert services.auth.login(email, PASSWORD).student.id == student.id
        assert services.auth.current_student(
            services.auth.login(student.email, PASSWORD).token).email == student.email
    assert accepted >= 0  # most naughty strings are not addresses; the point is: no crash


def test_passwords_either_work_exactly_or_are_refused_and_wrong_ones_never_log_in(
    naughty, make_services
):
    services = make_services(throttle=ThrottlePolicy(free_failures=10_000))
    for n, password in enumerate(naughty):
        email = f"p{n}@example.edu"
        before = table_counts(services)
        try:
            services.auth.register("Student", email, password)
        except ValidationError as error:
            assert error.field == "password", (password, error)
            assert table_counts(services) == before
            with pytest.raises((InvalidCredentials, ValidationError)):
                services.auth.login(email, password)
            continue
        assert services.auth.login(email, password).student.email == email
        for wrong in (password + "x", password[:-1], password.upper() if password.upper() !=
                      password else password + "Y"):
            with pytest.raises((InvalidCredentials, ValidationError)):
                services.auth.login(email, wrong)


def test_naughty_strings_as_login_input_never_crash_or_succeed(naughty, make_services):
    services = make_services(throttle=ThrottlePolicy(free_failures=10_000))
    services.auth.register("Ada", "ada@example.edu", PASSWORD)
    for value in naughty:
        with pytest.raises((InvalidCredentials, ValidationError, LoginThrottled)):
            services.auth.login(value, PASSWORD)
        with pytest.raises((InvalidCredentials, ValidationError)):
            services.auth.login("ada@example.edu", value)
        # On MySQL the server's throttle applies, which no app setting can loosen.
        with services.engine.begin() as conn:
            conn.execute(delete(t.login_throttle))


def test_interest_tags_are_refused_unless_in_the_vocabulary(naughty, services):
    services.auth.register("Ada", "ada@example.edu", PASSWORD)
    token = services.auth.login("ada@example.edu", PASSWORD).token
    services.interests.set_for_student(token, ["AI"])
    before = table_counts(services)
    for tag in naughty:
        with pytest.raises(ValidationError) as caught:
            services.interests.set_for_student(token, [tag])
        assert caught.value.field in ("interest", "interests")
    assert table_counts(services) == before
    assert services.auth.current_student(token).interests == ("AI",)


@pytest.mark.parametrize("field", ["title", "description", "location"])
def test_resource_text_fields_are_stored_exactly_or_refused(naughty, services, field):
    services.auth.register("Grace", "grace@example.edu", PASSWORD)
    services.auth.set_role("grace@example.edu", Role.ADVISOR)
    token = services.auth.login("grace@example.edu", PASSWORD).token
    stored = 0
    for value in naughty:
        values = {"kind": ResourceKind.WORKSHOP, "title": "Fine title", "description": "",
                  "interest_tags": ("AI",), "starts_at": datetime(2027, 1, 1, 10)}
        values[field] = value
        before = table_counts(services)
        try:
            created = services.resources.create(token, ResourceDraft(**values))
        except ValidationError as error:
            assert error.field == field, (value, error)
            assert table_counts(services) == before
            continue
        fetched = services.resources.get(token, created.row_id, created.kind)
        assert getattr(fetched, field) == value
        stored += 1
    assert stored > 400


def test_search_text_never_crashes_or_changes_anything(naughty, services):
    services.catalogue.add([ResourceDraft(ResourceKind.WORKSHOP, "Robot arms", "Servo control",
                                          ("AI",))])
    services.auth.register("Ada", "ada@example.edu", PASSWORD)
    token = services.auth.login("ada@example.edu", PASSWORD).token
    services.interests.set_for_student(token, ["AI"])
    before = table_counts(services)
    for text in naughty:
        try:
            page = services.resources.for_student(token, ResourceFilter(text=text))
        except ValidationError as error:
            assert error.field == "search"
            continue
        needle = text.strip().casefold()
        for item in page.items:
            if needle.isascii():  # MySQL's collation also matches accented letters; fine
                assert needle in (item.title + " " + item.description).casefold()
    assert table_counts(services) == before
