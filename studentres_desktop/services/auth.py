"""Registration, login, password change, logout and who is logged in."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from studentres_desktop.domain.errors import (
    AccessDenied,
    InvalidCredentials,
    LoginThrottled,
    NotFound,
    ValidationError,
)
from studentres_desktop.domain.models import Principal, Role, Student, ThrottlePolicy
from studentres_desktop.persistence.credentials import LoginOutcome
from studentres_desktop.persistence.uow import (
    UnitOfWork,
    UnitOfWorkFactory,
    read_with_retry,
    run_write,
)
from studentres_desktop.services.clock import Clock, utc_now
from studentres_desktop.services.passwords import PasswordHasher
from studentres_desktop.services.tokens import TokenService
from studentres_desktop.services.validation import (
    GOAL_MAX,
    check_email,
    check_name,
    check_password,
    check_text,
)

log = logging.getLogger(__name__)

__all__ = ["AuthService", "LoginResult", "ThrottlePolicy"]


@dataclass(frozen=True)
class LoginResult:
    token: str
    student: Student
    expires_at: datetime

    def __repr__(self) -> str:
        return f"LoginResult(student={self.student.email!r}, expires_at={self.expires_at})"


class AuthService:
    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        hasher: PasswordHasher,
        tokens: TokenService,
        throttle: ThrottlePolicy | None = None,
        clock: Clock = utc_now,
    ) -> None:
        self._uow = uow_factory
        self._hasher = hasher
        self._tokens = tokens
        self._throttle = throttle or ThrottlePolicy()
        self._clock = clock

    # --- accounts -------------------------------------------------------------------------------

    def register(
        self, name: str, email: str, password: str, role: Role = Role.STUDENT
    ) -> Student:
        """Create an account; a taken email raises EmailAlreadyRegistered."""
        name = check_name(name)
        email = check_email(email)
        password = check_password(password, name=name, email=email)
        password_hash = self._hasher.hash(password)  # outside the transaction: it takes ~0.3 s
        student_id = run_write(
            self._uow, lambda uow: uow.students.add(name, email, password_hash, role)
        )
        log.info("registered account %s", student_id)
        return Student(id=student_id, name=name, email=email, role=role)

    def login(self, email: str, password: str) -> LoginResult:
        """A signed token for the account, or InvalidCredentials / LoginThrottled.

        The password is checked where the hash lives: on MySQL/MariaDB the server compares the
        proof and applies the throttle, on SQLite the store does it here (persistence/credentials).
        """
        if not isinstance(password, str) or not password:
            raise ValidationError("password", "is required.")
        email = check_email(email)
        student, setting, proof = self._check_password(email, password)
        if self._hasher.needs_rehash(setting):
            self._store_hash(email, proof, password)
        issued = self._tokens.issue(student.id, student.role)
        return LoginResult(issued.token, student, issued.principal.expires_at)

    def change_password(self, token: str, current: str, new: str) -> None:
        """Replace the password of the logged-in student, who proves the current one first."""
        student = self.current_student(token)
        if not isinstance(current, str) or not current:
            raise ValidationError("current password", "is required.")
        new = check_password(new, name=student.name, email=student.email)
        proof = self._check_password(student.email, current)[2]
        self._store_hash(student.email, proof, new)
        log.info("account %s changed its password", student.id)

    def _check_password(self, email: str, password: str) -> tuple[Student, str, str]:
        """The account, its hash setting and the proof for a right password; one failure counted
        and InvalidCredentials for a wrong one; LoginThrottled while the email has to wait."""
        challenge = read_with_retry(
            self._uow, lambda uow: uow.credentials.challenge(email, self._throttle, self._clock())
        )
        if challenge.retry_after:
            raise LoginThrottled(challenge.retry_after)
        # Unknown accounts are checked against a dummy hash: the same bcrypt work either way.
        setting = challenge.setting or self._hasher.dummy_setting()
        proof = self._hasher.proof(password, setting)
        def attempt(uow: UnitOfWork) -> tuple[LoginOutcome, Student | None]:
            outcome = uow.credentials.attempt(email, proof, self._throttle, self._clock())
            student = None if outcome.student_id is None else uow.students.get(outcome.student_id)
            return outcome, student

        # Committed before we raise below: a failure is counted.
        outcome, student = run_write(self._uow, attempt)
        if outcome.retry_after:
            raise LoginThrottled(outcome.retry_after)
        if student is None or challenge.setting is None:
            raise InvalidCredentials()
        return student, setting, proof

    def _store_hash(self, email: str, proof: str, password: str) -> None:
        """Store a new hash of `password` (bcrypt, outside the transaction) for whoever `proof`
        proved to know the current one."""
        new_hash = self._hasher.hash(password)
        outcome = run_write(
            self._uow,
            lambda uow: uow.credentials.change_password(
                email, proof, new_hash, self._throttle, self._clock()
            ),
        )
        if outcome.retry_after:
            raise LoginThrottled(outcome.retry_after)
        if outcome.student_id is None:  # the password changed in between
            raise InvalidCredentials()

    def logout(self, token: str) -> None:
        self._tokens.revoke(token)

    def authenticate(self, token: str, role: Role | None = None) -> Principal:
        """Validate a token, and its role when one is required."""
        principal = self._tokens.validate(token)
        if role is not None and principal.role is not role:
            raise AccessDenied(f"This needs an {role.value} account.")
        return principal

    def current_student(self, token: str) -> Student:
        principal = self.authenticate(token)
        student = read_with_retry(self._uow, lambda uow: uow.students.get(principal.student_id))
        if student is None:
            raise NotFound("This account no longer exists.")
        return student

    def set_learning_goal(self, token: str, goal: str) -> Student:
        principal = self.authenticate(token)
        goal = check_text("learning goal", goal, max_length=GOAL_MAX, required=False)
        def write(uow: UnitOfWork) -> Student | None:
            uow.students.set_learning_goal(principal.student_id, goal)
            return uow.students.get(principal.student_id)

        student = run_write(self._uow, write)
        if student is None:
            raise NotFound("This account no longer exists.")
        return student

    def student_by_email(self, email: str) -> Student:
        """The account registered with this email (admin CLI only: no token)."""
        normalised = check_email(email)
        student = read_with_retry(self._uow, lambda uow: uow.students.get_by_email(normalised))
        if student is None:
            raise NotFound(f"No account is registered with {normalised}.")
        return student

    def set_role(self, email: str, role: Role) -> None:
        """Give an existing account another role (admin CLI only: no token)."""
        email = check_email(email)
        def write(uow: UnitOfWork) -> None:
            if not uow.students.set_role(email, role):
                raise NotFound(f"No account is registered with {email}.")

        run_write(self._uow, write)

    def warm_up(self) -> None:
        """Compute the dummy hash ahead of the first login, off the UI thread."""
        self._hasher.dummy_hash()

