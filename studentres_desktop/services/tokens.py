"""Session tokens: HS256 JWTs signed with a key that lives in this process's memory only."""

from __future__ import annotations

import secrets
import threading
import uuid
from datetime import datetime, timedelta

import jwt

from studentres_desktop.domain.errors import (
    TokenAlgorithmRejected,
    TokenClaimsMissing,
    TokenExpired,
    TokenMalformed,
    TokenRevoked,
    TokenTampered,
)
from studentres_desktop.domain.models import IssuedToken, Principal, Role
from studentres_desktop.services.clock import Clock, utc_now

ALGORITHM = "HS256"
REQUIRED_CLAIMS = ["sub", "role", "iat", "exp", "jti"]
DEFAULT_TTL = timedelta(minutes=30)
# Tokens whose signature was checked, kept per service; a desktop has one session at a time.
VERIFIED_MAX = 256


class TokenService:
    """Issue, validate and revoke tokens; a new process has a new key, so old tokens die with it."""

    def __init__(self, clock: Clock = utc_now, ttl: timedelta = DEFAULT_TTL) -> None:
        self._key = secrets.token_bytes(32)
        self._clock = clock
        self.ttl = ttl
        self._revoked: dict[str, datetime] = {}
        # Token text -> who it speaks for, once its signature and claims were checked. Every
        # call of a session validates its token; decoding and verifying it each time cost more
        # CPU than some of the calls' database work. The same text under the same key always
        # decodes the same way; expiry and revocation are still checked on every call.
        self._verified: dict[str, Principal] = {}
        self._lock = threading.Lock()

    def issue(self, student_id: int, role: Role) -> IssuedToken:
        now = self._clock()
        expires = now + self.ttl
        token_id = uuid.uuid4().hex
        claims = {
            "sub": str(student_id),
            "role": role.value,
            "iat": _timestamp(now),
            "exp": _timestamp(expires),
            "jti": token_id,
        }
        token = jwt.encode(claims, self._key, algorithm=ALGORITHM)
        return IssuedToken(token, Principal(student_id, role, token_id, expires))

    def validate(self, token: str) -> Principal:
        """Who the token speaks for, or a distinct InvalidToken subclass saying why not."""
        if not isinstance(token, str) or not token:
            raise TokenMalformed()
        principal = self._verified.get(token)
        if principal is None:
            principal = self._decode(token)
            with self._lock:
                if len(self._verified) >= VERIFIED_MAX:
                    self._verified.clear()
                self._verified[token] = principal
        if self._clock() >= principal.expires_at:
            raise TokenExpired()
        with self._lock:
            if principal.token_id in self._revoked:
                raise TokenRevoked()
        return principal

    def _decode(self, token: str) -> Principal:
        """The claims of a token signed with our key, or why it is not one of ours."""
        try:
            # Times are checked below against the injected clock, not the wall clock.
            claims = jwt.decode(
                token,
                self._key,
                algorithms=[ALGORITHM],
                options={
                    "require": REQUIRED_CLAIMS,
                    "verify_exp": False,
                    "verify_iat": False,
                    "verify_nbf": False,
                },
            )
        except jwt.InvalidAlgorithmError:
            raise TokenAlgorithmRejected() from None
        except jwt.MissingRequiredClaimError:
            raise TokenClaimsMissing() from None
        except jwt.InvalidSignatureError:
            raise TokenTampered() from None
        except jwt.InvalidTokenError:
            raise TokenMalformed() from None
        try:
            student_id = int(claims["sub"])
            role = Role(claims["role"])
            expires = _from_timestamp(int(claims["exp"]))
            token_id = str(claims["jti"])
        except (TypeError, ValueError):
            raise TokenMalformed() from None
        return Principal(student_id, role, token_id, expires)

    def revoke(self, token: str) -> None:
        """Make this token unusable for the rest of the process; unreadable tokens are ignored."""
        try:
            claims = jwt.decode(
                token, self._key, algorithms=[ALGORITHM],
                options={"verify_exp": False, "require": ["jti", "exp"]},
            )
        except jwt.InvalidTokenError:
            return
        now = self._clock()
        with self._lock:
            # An ended session leaves nothing of its person behind, not even who its token named.
            self._verified.pop(token, None)
            self._verified = {k: p for k, p in self._verified.items() if p.expires_at > now}
            self._revoked = {k: v for k, v in self._revoked.items() if v > now}
            self._revoked[str(claims["jti"])] = _from_timestamp(int(claims["exp"]))


def _timestamp(moment: datetime) -> int:
    return int((moment - _EPOCH).total_seconds())


def _from_timestamp(seconds: int) -> datetime:
    return _EPOCH + timedelta(seconds=seconds)


_EPOCH = datetime(1970, 1, 1)
