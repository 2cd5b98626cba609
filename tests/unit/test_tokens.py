"""Session tokens: what is accepted, and the distinct reason for everything that is not."""

from __future__ import annotations

import base64
import json
from datetime import timedelta

import jwt
import pytest

from studentres_desktop.domain.errors import (
    InvalidToken,
    TokenAlgorithmRejected,
    TokenClaimsMissing,
    TokenExpired,
    TokenMalformed,
    TokenRevoked,
    TokenTampered,
)
from studentres_desktop.domain.models import Role
from studentres_desktop.services.tokens import TokenService


@pytest.fixture
def tokens(clock) -> TokenService:
    return TokenService(clock=clock, ttl=timedelta(minutes=30))


def _segments(token: str) -> list[str]:
    return token.split(".")


def _decode_segment(segment: str) -> dict:
    return json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))


def _encode_segment(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def test_issued_token_carries_the_required_claims(tokens, clock):
    issued = tokens.issue(42, Role.STUDENT)
    header = _decode_segment(_segments(issued.token)[0])
    claims = _decode_segment(_segments(issued.token)[1])
    assert header["alg"] == "HS256"
    assert claims["sub"] == "42"
    assert claims["role"] == "student"
    assert claims["exp"] - claims["iat"] == 30 * 60
    assert len(claims["jti"]) >= 16
    principal = tokens.validate(issued.token)
    assert (principal.student_id, principal.role) == (42, Role.STUDENT)
    assert principal.expires_at == clock.now + timedelta(minutes=30)


def test_every_token_has_its_own_id(tokens):
    assert tokens.issue(1, Role.STUDENT).principal.token_id != tokens.issue(
        1, Role.STUDENT).principal.token_id


def test_expired_token_is_rejected(tokens, clock):
    token = tokens.issue(1, Role.STUDENT).token
    clock.advance(minutes=30)
    with pytest.raises(TokenExpired):
        tokens.validate(token)


def test_ttl_is_configurable(clock):
    tokens = TokenService(clock=clock, ttl=timedelta(minutes=5))
    token = tokens.issue(1, Role.STUDENT).token
    clock.advance(minutes=4, seconds=59)
    tokens.validate(token)
    clock.advance(seconds=1)
    with pytest.raises(TokenExpired):
        tokens.validate(token)


def test_tampered_payload_is_rejected(tokens):
    header, payload, signature = _segments(tokens.issue(1, Role.STUDENT).token)
    claims = _decode_segment(payload)
    claims["role"] = "advisor"
    forged = ".".join([header, _encode_segment(claims), signature])
    with pytest.raises(TokenTampered):
        tokens.validate(forged)


def test_token_signed_with_another_key_is_rejected(tokens, clock):
    other = TokenService(clock=clock)
    with pytest.raises(TokenTampered):
        tokens.validate(other.issue(1, Role.STUDENT).token)


def test_alg_none_is_rejected(tokens, clock):
    claims = _decode_segment(_segments(tokens.issue(1, Role.ADVISOR).token)[1])
    unsigned = jwt.encode(claims, key=None, algorithm="none")
    with pytest.raises(TokenAlgorithmRejected):
        tokens.validate(unsigned)


def test_other_algorithms_are_rejected_even_with_the_right_key(tokens):
    claims = _decode_segment(_segments(tokens.issue(1, Role.STUDENT).token)[1])
    other = jwt.encode(claims, tokens._key * 2, algorithm="HS512")
    with pytest.raises(TokenAlgorithmRejected):
        tokens.validate(other)


@pytest.mark.parametrize("missing", ["sub", "role", "iat", "exp", "jti"])
def test_token_without_a_required_claim_is_rejected(tokens, missing):
    claims = _decode_segment(_segments(tokens.issue(1, Role.STUDENT).token)[1])
    del claims[missing]
    token = jwt.encode(claims, tokens._key, algorithm="HS256")
    with pytest.raises(TokenClaimsMissing):
        tokens.validate(token)


@pytest.mark.parametrize("garbage", ["", "abc", "a.b.c", "🙂.🙂.🙂", "x" * 5000])
def test_unreadable_tokens_are_rejected(tokens, garbage):
    with pytest.raises(TokenMalformed):
        tokens.validate(garbage)


def test_the_failure_types_are_distinct_and_all_invalid_tokens():
    kinds = [TokenExpired, TokenRevoked, TokenTampered, TokenMalformed, TokenAlgorithmRejected,
             TokenClaimsMissing]
    assert len(set(kinds)) == len(kinds)
    assert all(issubclass(kind, InvalidToken) for kind in kinds)


def test_revoked_token_is_rejected_but_others_still_work(tokens):
    first = tokens.issue(1, Role.STUDENT).token
    second = tokens.issue(1, Role.STUDENT).token
    tokens.revoke(first)
    with pytest.raises(TokenRevoked):
        tokens.validate(first)
    assert tokens.validate(second).student_id == 1


def test_the_key_is_32_random_bytes_per_service(clock):
    a, b = TokenService(clock=clock), TokenService(clock=clock)
    assert len(a._key) == 32
    assert a._key != b._key


def test_a_token_is_verified_once_but_expiry_and_revocation_are_checked_on_every_call(
        tokens, clock, monkeypatch):
    decoded: list[str] = []
    decode = jwt.decode

    def counted_decode(token, *args, **kwargs):  # type: ignore[no-untyped-def]
        decoded.append(token)
        return decode(token, *args, **kwargs)

    monkeypatch.setattr(jwt, "decode", counted_decode)
    token = tokens.issue(7, Role.STUDENT).token
    other = tokens.issue(8, Role.STUDENT).token
    for _ in range(3):
        assert tokens.validate(token).student_id == 7
    assert decoded == [token]
    tokens.revoke(token)
    with pytest.raises(TokenRevoked):
        tokens.validate(token)
    assert tokens.validate(other).student_id == 8
    clock.advance(minutes=31)
    with pytest.raises(TokenExpired):
        tokens.validate(other)
    # A token whose text differs in one character is verified afresh, and rejected.
    tampered = other[:-2] + ("A" if other[-2] != "A" else "B") + other[-1]
    with pytest.raises(TokenTampered):
        tokens.validate(tampered)


def test_ending_a_session_forgets_its_verified_token(tokens, clock):
    """A shared kiosk keeps nothing of an ended session: the checked-token cache drops the
    revoked token at once, and expired ones at the next revocation."""
    ada = tokens.issue(7, Role.STUDENT).token
    grace = tokens.issue(8, Role.ADVISOR).token
    tokens.validate(ada)
    tokens.validate(grace)
    tokens.revoke(ada)
    remembered = [p.student_id for p in tokens._verified.values()]
    assert ada not in tokens._verified and remembered == [8]
    clock.advance(minutes=31)
    tokens.revoke(tokens.issue(9, Role.STUDENT).token)
    assert tokens._verified == {}
