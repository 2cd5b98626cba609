"""Registration, login, interests and the learning goal under generated input, on both databases.

Each input is stored and read back exactly, or refused with a ValidationError naming its field
and nothing else in the database changed; no error but a domain error leaves a service.
"""

from __future__ import annotations

import pytest
from hypothesis import assume, event, given
from hypothesis import strategies as st

from studentres_desktop.domain.errors import (
    EmailAlreadyRegistered,
    InvalidCredentials,
    ValidationError,
)
from studentres_desktop.domain.models import Interest
from studentres_desktop.services.validation import (
    EMAIL_MAX,
    GOAL_MAX,
    LABEL_MAX,
    NAME_MAX,
    PASSWORD_MAX,
    PASSWORD_MIN,
    TAG_MAX,
    check_email,
)
from tests.fuzz.conftest import PASSWORD, VOCABULARY, FuzzDatabase, database_settings
from tests.fuzz.strategies import around_limit, emails, field_text, text


def refused_cleanly(fuzz_db: FuzzDatabase, before: object, error: ValidationError,
                    *fields: str) -> None:
    assert error.field in fields, error
    assert fuzz_db.snapshot() == before
    event(f"refused: {error.field}")


@database_settings
@given(name=field_text(NAME_MAX))
def test_a_name_is_stored_exactly_or_refused(fuzz_db: FuzzDatabase, name: str):
    fuzz_db.reset()
    before = fuzz_db.snapshot()
    try:
        fuzz_db.services.auth.register(name, "ada@example.edu", PASSWORD)
    except ValidationError as error:
        refused_cleanly(fuzz_db, before, error, "name")
        return
    assert fuzz_db.services.auth.login("ada@example.edu", PASSWORD).student.name == name


@database_settings
@given(email=emails() | around_limit(EMAIL_MAX))
def test_an_email_is_stored_normalised_or_refused(fuzz_db: FuzzDatabase, email: str):
    fuzz_db.reset()
    before = fuzz_db.snapshot()
    try:
        student = fuzz_db.services.auth.register("Ada", email, PASSWORD)
    except ValidationError as error:
        assert not isinstance(error, EmailAlreadyRegistered)  # the database is empty
        refused_cleanly(fuzz_db, before, error, "email")
        return
    assert student.email == check_email(email) == check_email(student.email)
    assert student.email == student.email.strip().lower()
    spellings = [email, student.email]
    if student.email.isascii():
        spellings.append(student.email.upper())
    for spelling in spellings:
        assert fuzz_db.services.auth.login(spelling, PASSWORD).student.id == student.id
    with pytest.raises(EmailAlreadyRegistered):
        fuzz_db.services.auth.register("Ada again", email, PASSWORD + "!")


@database_settings
@given(password=text(PASSWORD_MAX) | around_limit(PASSWORD_MIN) | around_limit(PASSWORD_MAX))
def test_a_password_works_exactly_or_is_refused(fuzz_db: FuzzDatabase, password: str):
    fuzz_db.reset()
    before = fuzz_db.snapshot()
    try:
        fuzz_db.services.auth.register("Ada", "ada@example.edu", password)
    except ValidationError as error:
        refused_cleanly(fuzz_db, before, error, "password")
        return
    assert fuzz_db.services.auth.login("ada@example.edu", password).student.name == "Ada"
    for wrong in {password + "x", password[:-1], password.swapcase(), password.strip()} - {
            password}:
        with pytest.raises((InvalidCredentials, ValidationError)):
            fuzz_db.services.auth.login("ada@example.edu", wrong)


@database_settings
@given(email=emails(), password=text(PASSWORD_MAX))
def test_login_with_anything_but_the_account_fails_and_changes_nothing(
    fuzz_db: FuzzDatabase, email: str, password: str
):
    fuzz_db.reset()
    fuzz_db.services.auth.register("Ada", "ada@example.edu", PASSWORD)
    assume(password != PASSWORD)
    before = fuzz_db.snapshot()
    for login_email, login_password in ((email, PASSWORD), ("ada@example.edu", password),
                                        (email, password)):
        try:
            fuzz_db.services.auth.login(login_email, login_password)
        except InvalidCredentials:
            pass
        except ValidationError as error:
            assert error.field in ("email", "password"), error
        else:
            # Only the right password opens the account, whatever the spelling of its email.
            assert login_password == PASSWORD
            assert check_email(login_email) == "ada@example.edu"
    assert fuzz_db.snapshot() == before


@database_settings
@given(goal=field_text(GOAL_MAX))
def test_a_learning_goal_is_stored_exactly_or_refused(fuzz_db: FuzzDatabase, goal: str):
    fuzz_db.reset()
    token = fuzz_db.student_token()
    fuzz_db.services.auth.set_learning_goal(token, "robots")
    before = fuzz_db.snapshot()
    try:
        returned = fuzz_db.services.auth.set_learning_goal(token, goal)
    except ValidationError as error:
        refused_cleanly(fuzz_db, before, error, "learning goal")
        return
    assert returned.learning_goal == goal
    assert fuzz_db.services.auth.current_student(token).learning_goal == goal


tags = st.sampled_from(VOCABULARY) | field_text(TAG_MAX)


@database_settings
@given(chosen=st.lists(tags, max_size=6), primary=st.none() | tags)
def test_interests_are_stored_exactly_or_refused(
    fuzz_db: FuzzDatabase, chosen: list[str], primary: str | None
):
    fuzz_db.reset()
    token = fuzz_db.student_token()
    fuzz_db.services.interests.set_for_student(token, ["AI"])
    before = fuzz_db.snapshot()
    try:
        student = fuzz_db.services.interests.set_for_student(token, chosen, primary)
    except ValidationError as error:
        refused_cleanly(fuzz_db, before, error, "interest", "interests", "primary interest")
        assert not (set(chosen) <= set(VOCABULARY) and chosen and primary in (None, *chosen))
        return
    expected_primary = chosen[0] if primary is None else primary
    assert set(chosen) <= set(VOCABULARY)
    assert student.primary_interest == expected_primary
    assert student.interests[0] == expected_primary
    assert sorted(student.interests) == sorted(set(chosen))
    assert fuzz_db.services.auth.current_student(token) == student


@database_settings
@given(tag=field_text(TAG_MAX), label=field_text(LABEL_MAX), description=text())
def test_a_new_interest_is_stored_exactly_or_refused(
    fuzz_db: FuzzDatabase, tag: str, label: str, description: str
):
    fuzz_db.reset()
    before = fuzz_db.snapshot()
    try:
        added = fuzz_db.services.interests.add([Interest(tag, label, description)])
    except ValidationError as error:
        refused_cleanly(fuzz_db, before, error, "interest", "label", "description")
        return
    stored = {i.tag: i for i in fuzz_db.services.interests.vocabulary()}
    if tag in VOCABULARY:
        assert added == 0
    else:
        assert added == 1
        assert stored[tag] == Interest(tag, label, description)
