"""Registration, login, throttling and tokens through the services, on SQLite and MariaDB."""

from __future__ import annotations

import itertools
import threading

import pytest
from sqlalchemy import func, select, text

from studentres_desktop.domain.errors import (
    AccessDenied,
    EmailAlreadyRegistered,
    InvalidCredentials,
    LoginThrottled,
    TokenExpired,
    TokenRevoked,
    ValidationError,
)
from studentres_desktop.domain.models import Role
from studentres_desktop.persistence import tables as t
from studentres_desktop.services.auth import ThrottlePolicy
from studentres_desktop.services.passwords import PREFIX, PasswordHasher
from tests.support.throttle import let_time_pass

PASSWORD = "correct horse battery"


def count_students(services) -> int:
    with services.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(t.students_data)).scalar_one())


def test_register_then_login_returns_a_token_for_that_student(services):
    student = services.auth.register("Ada Lovelace", "  Ada@Example.EDU ", PASSWORD)
    assert student.email == "ada@example.edu"

    result = services.auth.login("ADA@example.edu", PASSWORD)

    assert result.student.id == student.id
    assert result.student.name == "Ada Lovelace"
    assert services.auth.authenticate(result.token).student_id == student.id


def test_password_is_stored_as_a_prehashed_bcrypt_hash(services):
    services.auth.register("Ada", "ada@example.edu", PASSWORD)
    with services.engine.connect() as conn:
        stored = conn.execute(select(t.students_data.c.password_hash)).scalar_one()
    assert stored.startswith(PREFIX + "$2b$04$")
    assert PASSWORD not in stored


def test_email_is_unique_regardless_of_case(services):
    services.auth.register("Ada", "ada@example.edu", PASSWORD)
    with pytest.raises(EmailAlreadyRegistered) as caught:
        services.auth.register("Another Ada", "ADA@EXAMPLE.EDU", PASSWORD + "!")
    assert caught.value.field == "email"
    assert count_students(services) == 1


def test_two_racing_registrations_leave_exactly_one_row(make_services):
    # Two kiosks (separate engines) submit the same email at the same moment.
    kiosks = [make_services(), make_services()]
    barrier = threading.Barrier(2)
    outcomes: list[object] = []

    def register(services) -> None:
        barrier.wait()
        try:
            outcomes.append(services.auth.register("Ada", "ada@example.edu", PASSWORD))
        except EmailAlreadyRegistered as error:
            outcomes.append(error)

    threads = [threading.Thread(target=register, args=(k,)) for k in kiosks]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(type(o).__name__ for o in outcomes) == ["EmailAlreadyRegistered", "Student"]
    assert count_students(kiosks[0]) == 1


@pytest.mark.parametrize(
    ("name", "email", "password", "field"),
    [
        ("", "ada@example.edu", PASSWORD, "name"),
        ("   ", "ada@example.edu", PASSWORD, "name"),
        ("A" * 101, "ada@example.edu", PASSWORD, "name"),
        ("Ada\nLovelace", "ada@example.edu", PASSWORD, "name"),
        ("Ada", "", PASSWORD, "email"),
        ("Ada", "not-an-email", PASSWORD, "email"),
        ("Ada", "ada@example", PASSWORD, "email"),
        ("Ada", "a da@example.edu", PASSWORD, "email"),
        ("Ada", "ada@example.edu", "", "password"),
        ("Ada", "ada@example.edu", "short pass", "password"),
        ("Ada", "ada@example.edu", "x" * 129, "password"),
        ("Ada", "ada@example.edu", "password1234", "password"),
        ("Ada", "ada@example.edu", "Password1234", "password"),
        ("Ada", "ada@example.edu", "aaaaaaaaaaaaaaa", "password"),
        ("Ada", "adalovelace1@example.edu", "adalovelace1", "password"),
    ],
)
def test_registration_refuses_bad_input_naming_the_field(services, name, email, password, field):
    with pytest.raises(ValidationError) as caught:
        services.auth.register(name, email, password)
    assert caught.value.field == field
    assert caught.value.message
    assert count_students(services) == 0


def test_password_length_counts_characters_not_bytes(services):
    eleven_accented = "é" * 11
    with pytest.raises(ValidationError):
        services.auth.register("Ada", "ada@example.edu", eleven_accented)
    # 128 characters of é are 256 UTF-8 bytes: far past bcrypt's 72-byte limit.
    services.auth.register("Ada", "ada@example.edu", "é" * 12 + "ü" * 116)
    assert services.auth.login("ada@example.edu", "é" * 12 + "ü" * 116).student.name == "Ada"


def test_long_passwords_are_not_truncated(services):
    long_password = "é" * 37 + "the real ending"  # 74 bytes of é, then what makes it unique
    services.auth.register("Ada", "ada@example.edu", long_password)
    with pytest.raises(InvalidCredentials):
        services.auth.login("ada@example.edu", "é" * 37 + "another ending!")
    assert services.auth.login("ada@example.edu", long_password).student.name == "Ada"


def test_login_with_a_password_of_any_length_never_raises_value_error(services):
    services.auth.register("Ada", "ada@example.edu", PASSWORD)
    for attempt in ("x", "é" * 500, "\x00" * 80, "😀" * 100):
        with pytest.raises(InvalidCredentials):
            services.auth.login("ada@example.edu", attempt)
        services.auth._throttle = ThrottlePolicy(free_failures=1000)


class CountingHasher(PasswordHasher):
    """Counts the bcrypt computations a login does with the password (its proof)."""

    def __init__(self) -> None:
        super().__init__(rounds=4)
        self.verify_calls = 0

    def proof(self, password: str, setting: str) -> str:
        self.verify_calls += 1
        return super().proof(password, setting)


def test_unknown_email_and_wrong_password_fail_alike_with_the_same_bcrypt_work(services):
    services.auth.register("Ada", "ada@example.edu", PASSWORD)
    hasher = CountingHasher()
    services.auth._hasher = hasher

    with pytest.raises(InvalidCredentials) as unknown:
        services.auth.login("nobody@example.edu", PASSWORD)
    calls_for_unknown = hasher.verify_calls
    with pytest.raises(InvalidCredentials) as wrong:
        services.auth.login("ada@example.edu", "wrong password!")
    calls_for_wrong = hasher.verify_calls - calls_for_unknown

    assert calls_for_unknown == calls_for_wrong == 1
    assert str(unknown.value) == str(wrong.value)


def test_failed_logins_are_throttled_with_growing_delays_up_to_a_cap(make_services, clock):
    policy = ThrottlePolicy()
    services = make_services(throttle=policy)
    services.auth.register("Ada", "ada@example.edu", PASSWORD)
    for _ in range(policy.free_failures):
        with pytest.raises(InvalidCredentials):
            services.auth.login("ada@example.edu", "wrong password!")

    waits = []
    for _ in range(12):
        with pytest.raises(LoginThrottled) as throttled:
            services.auth.login("ada@example.edu", PASSWORD)  # even the right password waits
        waits.append(throttled.value.retry_after_seconds)
        let_time_pass(services, clock, seconds=throttled.value.retry_after_seconds)
        with pytest.raises(InvalidCredentials):
            services.auth.login("ada@example.edu", "wrong password!")

    assert waits[0] == policy.base_delay.total_seconds()
    assert all(later >= earlier for earlier, later in itertools.pairwise(waits))
    assert waits[-1] == policy.max_delay.total_seconds()
    assert "Try again in" in str(throttled.value)


def test_throttle_is_shared_across_workstations_and_restarts(make_services, clock):
    first_kiosk = make_services()
    first_kiosk.auth.register("Ada", "ada@example.edu", PASSWORD)
    for _ in range(ThrottlePolicy().free_failures):
        with pytest.raises(InvalidCredentials):
            first_kiosk.auth.login("ada@example.edu", "wrong password!")
    first_kiosk.dispose()

    second_kiosk = make_services()  # another process: new engine, new token key
    with pytest.raises(LoginThrottled):
        second_kiosk.auth.login("ada@example.edu", PASSWORD)


def test_throttle_is_per_account_not_per_workstation(services):
    services.auth.register("Ada", "ada@example.edu", PASSWORD)
    services.auth.register("Grace", "grace@example.edu", PASSWORD)
    for _ in range(ThrottlePolicy().free_failures):
        with pytest.raises(InvalidCredentials):
            services.auth.login("ada@example.edu", "wrong password!")
    assert services.auth.login("grace@example.edu", PASSWORD).student.name == "Grace"


def test_a_successful_login_clears_the_failure_count(services, clock):
    services.auth.register("Ada", "ada@example.edu", PASSWORD)
    for _ in range(ThrottlePolicy().free_failures - 1):
        with pytest.raises(InvalidCredentials):
            services.auth.login("ada@example.edu", "wrong password!")
    services.auth.login("ada@example.edu", PASSWORD)
    with services.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(t.login_throttle)).scalar_one() == 0
    for _ in range(ThrottlePolicy().free_failures - 1):
        with pytest.raises(InvalidCredentials):
            services.auth.login("ada@example.edu", "wrong password!")
    services.auth.login("ada@example.edu", PASSWORD)


def test_unknown_accounts_are_throttled_too_so_the_throttle_reveals_nothing(services):
    for _ in range(ThrottlePolicy().free_failures):
        with pytest.raises(InvalidCredentials):
            services.auth.login("nobody@example.edu", "wrong password!")
    with pytest.raises(LoginThrottled):
        services.auth.login("nobody@example.edu", "wrong password!")


def test_token_expires_after_its_lifetime(services, clock):
    services.auth.register("Ada", "ada@example.edu", PASSWORD)
    token = services.auth.login("ada@example.edu", PASSWORD).token
    clock.advance(minutes=29, seconds=59)
    assert services.auth.current_student(token).name == "Ada"
    clock.advance(seconds=1)
    with pytest.raises(TokenExpired):
        services.auth.current_student(token)


def test_logout_revokes_the_token_for_every_service_call(services):
    services.auth.register("Ada", "ada@example.edu", PASSWORD)
    token = services.auth.login("ada@example.edu", PASSWORD).token
    services.auth.logout(token)
    with pytest.raises(TokenRevoked):
        services.auth.current_student(token)
    with pytest.raises(TokenRevoked):
        services.interests.set_for_student(token, ["AI"])
    with pytest.raises(TokenRevoked):
        services.resources.for_student(token)


def test_tokens_from_another_process_are_not_accepted(make_services):
    first = make_services()
    first.auth.register("Ada", "ada@example.edu", PASSWORD)
    token = first.auth.login("ada@example.edu", PASSWORD).token
    restarted = make_services()
    with pytest.raises(Exception) as caught:
        restarted.auth.current_student(token)
    assert type(caught.value).__name__ == "TokenTampered"


def test_advisor_only_actions_refuse_students(services):
    services.auth.register("Ada", "ada@example.edu", PASSWORD)
    token = services.auth.login("ada@example.edu", PASSWORD).token
    with pytest.raises(AccessDenied):
        services.auth.authenticate(token, Role.ADVISOR)
    services.auth.set_role("ada@example.edu", Role.ADVISOR)
    advisor_token = services.auth.login("ada@example.edu", PASSWORD).token
    assert services.auth.authenticate(advisor_token, Role.ADVISOR).role is Role.ADVISOR


def test_a_plain_bcrypt_hash_from_the_original_design_still_logs_in_and_is_upgraded(services):
    import bcrypt

    legacy_hash = bcrypt.hashpw(PASSWORD.encode(), bcrypt.gensalt(4)).decode()
    with services.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO students_data (name, email, password_hash, interest) "
                "VALUES ('Old Student', 'old@example.edu', :hash, 'AI')"
            ),
            {"hash": legacy_hash},
        )
    result = services.auth.login("old@example.edu", PASSWORD)
    assert result.student.interests == ("AI",)
    with services.engine.connect() as conn:
        stored = conn.execute(select(t.students_data.c.password_hash)).scalar_one()
    assert stored.startswith(PREFIX)
    assert services.auth.login("old@example.edu", PASSWORD).student.name == "Old Student"
