"""Password hashing: pre-hashed bcrypt that accepts any length and never raises on login."""

from __future__ import annotations

import bcrypt
import pytest

from studentres_desktop.services.passwords import PREFIX, PasswordHasher


@pytest.fixture
def hasher() -> PasswordHasher:
    return PasswordHasher(rounds=4)


@pytest.mark.parametrize(
    "password",
    ["correct horse battery", "é" * 37, "😀" * 64, "a" * 72 + "b", "x" * 128, "tab\tand\x00nul"],
)
def test_hash_then_verify_round_trips_for_any_length(hasher, password):
    stored = hasher.hash(password)
    assert stored.startswith(PREFIX)
    assert hasher.verify(password, stored)
    assert not hasher.verify(password + "!", stored)


def test_passwords_sharing_the_first_72_bytes_are_different(hasher):
    stored = hasher.hash("a" * 72 + "first")
    assert not hasher.verify("a" * 72 + "second", stored)


@pytest.mark.parametrize("stored", ["", "garbage", PREFIX, PREFIX + "$2b$04$short", "$2b$04$bad"])
def test_verify_never_raises_on_a_broken_stored_value(hasher, stored):
    assert hasher.verify("whatever password", stored) is False


def test_plain_bcrypt_hashes_from_the_original_design_verify_and_need_rehash(hasher):
    legacy = bcrypt.hashpw(b"correct horse battery", bcrypt.gensalt(4)).decode()
    assert hasher.verify("correct horse battery", legacy)
    assert not hasher.verify("é" * 80, legacy)  # over 72 bytes: no ValueError, just False
    assert hasher.needs_rehash(legacy)


def test_cost_is_configurable_and_a_cost_change_asks_for_rehash(hasher):
    stored = hasher.hash("correct horse battery")
    assert "$2b$04$" in stored
    assert not hasher.needs_rehash(stored)
    assert PasswordHasher(rounds=5).needs_rehash(stored)


def test_default_cost_is_12():
    assert PasswordHasher().rounds == 12


def test_dummy_hash_is_computed_once_at_the_current_cost(hasher):
    first = hasher.dummy_hash()
    assert first is hasher.dummy_hash()
    assert "$2b$04$" in first
