"""Password hashes and the login throttle: read in the app on SQLite, kept on the server on MySQL.

Both stores answer the same three questions. A login first asks for a *challenge*: the salt and
cost of the account's hash (its bcrypt "setting"), or how long to wait. The app then computes
bcrypt of the password with that setting, a *proof*, and an *attempt* compares the proof with the
stored hash, counts a failure or clears the count. Only the proof of the right password equals the
stored hash, so the hash itself never has to leave the server (see persistence/procedures.py).
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import Connection, delete, insert, select, text, update
from sqlalchemy.exc import IntegrityError

from studentres_desktop.domain.errors import EmailAlreadyRegistered
from studentres_desktop.domain.models import Role, ThrottlePolicy
from studentres_desktop.persistence import tables as t
from studentres_desktop.persistence.db_errors import is_duplicate_key
from studentres_desktop.persistence.procedures import BCRYPT_DIGEST_CHARS

# The bcrypt hash is 60 characters: a 29-character setting, then the 31-character digest.
_BCRYPT_LENGTH = 60


@dataclass(frozen=True)
class LoginChallenge:
    retry_after: int  # seconds to wait before trying; 0: go ahead
    setting: str | None  # the stored hash without its digest; None: no usable account


@dataclass(frozen=True)
class LoginOutcome:
    retry_after: int  # the throttle refused the try: nothing was checked or counted
    student_id: int | None = None  # None: wrong password or unknown email (a failure counted)
    role: Role | None = None


def hash_setting(password_hash: str) -> str | None:
    """The part of a stored bcrypt hash that a proof is computed with: cost and salt."""
    if len(password_hash) < _BCRYPT_LENGTH:
        return None
    return password_hash[:-BCRYPT_DIGEST_CHARS]


class CredentialStore(Protocol):
    def register(self, name: str, email: str, password_hash: str) -> int: ...

    def challenge(self, email: str, policy: ThrottlePolicy, now: datetime) -> LoginChallenge: ...

    def attempt(
        self, email: str, proof: str, policy: ThrottlePolicy, now: datetime
    ) -> LoginOutcome: ...

    def change_password(
        self, email: str, proof: str, new_hash: str, policy: ThrottlePolicy, now: datetime
    ) -> LoginOutcome: ...


class TableCredentialStore:
    """SQLite: the app reads the hash and keeps the throttle itself, with its own clock."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def register(self, name: str, email: str, password_hash: str) -> int:
        try:
            result = self._conn.execute(
                insert(t.students_data).values(name=name, email=email, password_hash=password_hash)
            )
        except IntegrityError as error:
            if is_duplicate_key(error):
                raise EmailAlreadyRegistered() from None
            raise
        key = result.inserted_primary_key
        assert key is not None
        return int(key[0])

    def challenge(self, email: str, policy: ThrottlePolicy, now: datetime) -> LoginChallenge:
        wait = self._retry_after(email, policy, now)
        if wait:
            return LoginChallenge(wait, None)
        stored = self._stored(email)
        return LoginChallenge(0, hash_setting(stored[2]) if stored else None)

    def attempt(
        self, email: str, proof: str, policy: ThrottlePolicy, now: datetime
    ) -> LoginOutcome:
        wait = self._retry_after(email, policy, now)
        if wait:
            return LoginOutcome(wait)
        stored = self._stored(email)
        if stored is None or not _matches(stored[2], proof):
            self._record_failure(email, now)
            return LoginOutcome(0)
        self._conn.execute(delete(t.login_throttle).where(t.login_throttle.c.email == email))
        return LoginOutcome(0, stored[0], stored[1])

    def change_password(
        self, email: str, proof: str, new_hash: str, policy: ThrottlePolicy, now: datetime
    ) -> LoginOutcome:
        outcome = self.attempt(email, proof, policy, now)
        if outcome.student_id is not None:
            self._conn.execute(
                update(t.students_data)
                .where(t.students_data.c.id == outcome.student_id)
                .values(password_hash=new_hash)
            )
        return outcome

    def _stored(self, email: str) -> tuple[int, Role, str] | None:
        s = t.students_data
        row = self._conn.execute(
            select(s.c.id, s.c.role, s.c.password_hash).where(s.c.email == email)
        ).first()
        return None if row is None else (int(row.id), role_of(row.role), row.password_hash)

    def _retry_after(self, email: str, policy: ThrottlePolicy, now: datetime) -> int:
        lt = t.login_throttle
        row = self._conn.execute(
            select(lt.c.failures, lt.c.last_failure_at).where(lt.c.email == email)
        ).first()
        if row is None:
            return 0
        return policy.retry_after(int(row.failures), row.last_failure_at, now)

    def _record_failure(self, email: str, now: datetime) -> None:
        """Count one more failure atomically, even when another workstation races us."""
        lt = t.login_throttle
        more = update(lt).where(lt.c.email == email).values(
            failures=lt.c.failures + 1, last_failure_at=now
        )
        if self._conn.execute(more).rowcount:
            return
        try:
            with self._conn.begin_nested():
                self._conn.execute(insert(lt).values(email=email, failures=1, last_failure_at=now))
        except IntegrityError:  # another workstation inserted it first
            self._conn.execute(more)


class ProcedureCredentialStore:
    """MySQL/MariaDB: the definer procedures hold the hash and apply the throttle on the server.

    `policy` and `now` are not used here: the server has its own copy of the policy and clock, so
    a workstation cannot change either.
    """

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def register(self, name: str, email: str, password_hash: str) -> int:
        try:
            found = self._call("sr_register", [name, email, password_hash], ["student_id"])
        except IntegrityError as error:
            if is_duplicate_key(error):
                raise EmailAlreadyRegistered() from None
            raise
        return int(found["student_id"])

    def challenge(self, email: str, policy: ThrottlePolicy, now: datetime) -> LoginChallenge:
        found = self._call("sr_login_challenge", [email], ["retry_after", "setting"])
        return LoginChallenge(int(found["retry_after"] or 0), _text(found["setting"]))

    def attempt(
        self, email: str, proof: str, policy: ThrottlePolicy, now: datetime
    ) -> LoginOutcome:
        found = self._call(
            "sr_login_attempt", [email, proof], ["retry_after", "student_id", "role"]
        )
        return _outcome(found)

    def change_password(
        self, email: str, proof: str, new_hash: str, policy: ThrottlePolicy, now: datetime
    ) -> LoginOutcome:
        found = self._call(
            "sr_change_password", [email, proof, new_hash], ["retry_after", "student_id"]
        )
        return _outcome(found)

    def _call(self, name: str, arguments: list[str], outputs: list[str]) -> dict[str, Any]:
        """CALL with OUT parameters in session variables, then read them: no result sets, so
        the connection stays usable for the rest of the unit of work."""
        inputs = [f":in{n}" for n in range(len(arguments))]
        variables = [f"@sr_{out}" for out in outputs]
        self._conn.execute(
            text(f"CALL {name}({', '.join(inputs + variables)})"),
            {f"in{n}": value for n, value in enumerate(arguments)},
        )
        columns = ", ".join(f"{var} AS {out}" for var, out in zip(variables, outputs, strict=True))
        row = self._conn.execute(text(f"SELECT {columns}")).one()
        return dict(row._mapping)


def credential_store(conn: Connection) -> CredentialStore:
    """The procedure path on MySQL/MariaDB, the table path elsewhere."""
    if conn.dialect.name in ("mysql", "mariadb"):
        return ProcedureCredentialStore(conn)
    return TableCredentialStore(conn)


def _matches(stored_hash: str, proof: str) -> bool:
    """Only a well-formed hash can be matched: an empty or broken one never lets anyone in."""
    return hash_setting(stored_hash) is not None and hmac.compare_digest(
        stored_hash.encode(), proof.encode()
    )


def role_of(value: str | None) -> Role:
    try:
        return Role(value or Role.STUDENT.value)
    except ValueError:
        return Role.STUDENT


def _text(value: object) -> str | None:
    if isinstance(value, bytes | bytearray):  # user variables may come back as bytes
        return bytes(value).decode("utf-8")
    return None if value is None else str(value)


def _outcome(found: dict[str, Any]) -> LoginOutcome:
    student_id = found.get("student_id")
    role = _text(found.get("role"))
    return LoginOutcome(
        int(found["retry_after"] or 0),
        None if student_id is None else int(student_id),
        role_of(role) if student_id is not None else None,
    )
