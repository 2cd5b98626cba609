"""Registration, login, logout and who is logged in."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from studentres_desktop.domain.errors import (
    AccessDenied,
    InvalidCredentials,
    LoginThrottled,
    NotFound,
    ValidationError,
)
from studentres_desktop.domain.models import Principal, Role, Student
from studentres_desktop.persistence.repositories import StoredCredentials
from studentres_desktop.persistence.uow import UnitOfWork, UnitOfWorkFactory, read_with_retry
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


@dataclass(frozen=True)
class ThrottlePolicy:
    """After `free_failures` failed logins in a row, each try waits base·2ⁿ seconds, up to a cap."""

    free_failures: int = 5
    base_delay: timedelta = timedelta(seconds=2)
    max_delay: timedelta = timedelta(minutes=5)

    def delay_after(self, failures: int) -> timedelta:
        if failures < self.free_failures:
            return timedelta(0)
        steps = min(failures - self.free_failures, 20)
        return min(self.base_delay * (1 << steps), self.max_delay)


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
        with self._uow() as uow:
            student_id = uow.students.add(name, email, password_hash, role)
            uow.commit()
        log.info("registered account %s", student_id)
        return Student(id=student_id, name=name, email=email, role=role)

    def login(self, email: str, password: str) -> LoginResult:
        """A signed token for the account, or InvalidCredentials / LoginThrottled."""
        if not isinstance(password, str) or not password:
            raise ValidationError("password", "is required.")
        email = check_email(email)
        now = self._clock()

        def read(uow: UnitOfWork) -> tuple[tuple[int, datetime] | None, StoredCredentials | None]:
            return uow.throttle.get(email), uow.students.credentials(email)

        throttle, credentials = read_with_retry(self._uow, read)
        if throttle is not None:
            failures, last_failure = throttle
            wait_until = last_failure + self._throttle.delay_after(failures)
            if now < wait_until:
                raise LoginThrottled(int((wait_until - now).total_seconds() + 0.999))

        # Unknown accounts are checked against a dummy hash: the same bcrypt work either way.
        stored = credentials.password_hash if credentials else self._hasher.dummy_hash()
        valid = self._hasher.verify(password, stored) and credentials is not None
        with self._uow() as uow:
            if not valid:
                uow.throttle.record_failure(email, self._clock())
                uow.commit()
                raise InvalidCredentials()
            assert credentials is not None
            uow.throttle.clear(email)
            if self._hasher.needs_rehash(credentials.password_hash):
                uow.students.set_password_hash(credentials.student_id, self._hasher.hash(password))
            student = uow.students.get(credentials.student_id)
            uow.commit()
        if student is None:  # deleted between the two transactions
            raise InvalidCredentials()
        issued = self._tokens.issue(student.id, student.role)
        return LoginResult(issued.token, student, issued.principal.expires_at)

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
        with self._uow() as uow:
            uow.students.set_learning_goal(principal.student_id, goal)
            student = uow.students.get(principal.student_id)
            uow.commit()
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
        with self._uow() as uow:
            if not uow.students.set_role(email, role):
                raise NotFound(f"No account is registered with {email}.")
            uow.commit()

    def warm_up(self) -> None:
        """Compute the dummy hash ahead of the first login, off the UI thread."""
        self._hasher.dummy_hash()
