"""Domain errors: raised by services, turned into words for people by the UI and the CLI.

Every message here is meant to be read by a student, an advisor or IT staff as it is.
None of them carries a driver message, a SQL statement or a password.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # models imports this module
    from studentres_desktop.domain.models import Resource


class DomainError(Exception):
    """Base of every error a person may see."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class ValidationError(DomainError):
    """One field holds a value we refuse; `field` names it, `message` says why."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


class EmailAlreadyRegistered(ValidationError):
    def __init__(self) -> None:
        super().__init__("email", "This email address is already registered.")


class InvalidCredentials(DomainError):
    def __init__(self) -> None:
        super().__init__("The email or password is not correct.")


class LoginThrottled(DomainError):
    """Too many failed logins for one account: wait before the next try."""

    def __init__(self, retry_after_seconds: int) -> None:
        self.retry_after_seconds = max(1, int(retry_after_seconds))
        super().__init__(
            f"Too many failed attempts. Try again in {_describe_wait(self.retry_after_seconds)}."
        )


def _describe_wait(seconds: int) -> str:
    if seconds < 60:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    minutes = -(-seconds // 60)
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


class AccessDenied(DomainError):
    def __init__(self, message: str = "You are not allowed to do this.") -> None:
        super().__init__(message)


class NotFound(DomainError):
    pass


# --- tokens -------------------------------------------------------------------------------------


class InvalidToken(DomainError):
    """The session token cannot be used; the person has to log in again."""

    default_message = "Your session is not valid. Please log in again."

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or self.default_message)


class TokenExpired(InvalidToken):
    default_message = "Your session has expired, please log in again."


class TokenRevoked(InvalidToken):
    default_message = "You have been logged out. Please log in again."


class TokenTampered(InvalidToken):
    default_message = "Your session token was altered. Please log in again."


class TokenMalformed(InvalidToken):
    default_message = "Your session token is unreadable. Please log in again."


class TokenAlgorithmRejected(InvalidToken):
    default_message = "Your session token uses a signing method we do not accept."


class TokenClaimsMissing(InvalidToken):
    default_message = "Your session token is incomplete. Please log in again."


# --- database -----------------------------------------------------------------------------------


class DatabaseUnavailable(DomainError):
    """The server cannot be reached, refused us, or dropped the connection mid-request."""

    def __init__(self, reason: str = "", *, transient: bool = False) -> None:
        self.reason = reason
        # transient: the connection dropped during a request, so trying once more may work.
        self.transient = transient
        message = "The database cannot be reached right now."
        if reason:
            message = f"{message} ({reason})"
        super().__init__(message)


class SchemaNotReady(DomainError):
    def __init__(self, detail: str = "") -> None:
        message = (
            "The database is not set up for StudentRes. Ask IT to run 'studentres-admin init-db'."
        )
        if detail:
            message = f"{message} ({detail})"
        super().__init__(message)


class SchemaTooOld(SchemaNotReady):
    """The database has not been upgraded to the schema this version of the app needs."""

    def __init__(self, revision: str | None, expected: str) -> None:
        self.revision = revision
        self.expected = expected
        message = (
            f"The database schema is older than this app needs (revision {revision or 'none'}, "
            f"needs {expected}). Ask IT to run 'studentres-admin upgrade-db' with the owner "
            "account."
        )
        if revision is None:  # or this computer's account may not read the revision
            message += (" If that was done, this computer's database account also needs SELECT "
                        "on alembic_version (docs/deployment.md, Upgrading).")
        DomainError.__init__(self, message)


class SchemaTooNew(SchemaNotReady):
    """The database was upgraded by a newer version of the app than this one."""

    def __init__(self, revision: str, expected: str) -> None:
        self.revision = revision
        self.expected = expected
        DomainError.__init__(
            self,
            f"This app is older than the database (database schema revision {revision}, this "
            f"app knows up to {expected}). Install the newer version of StudentRes Desktop.",
        )


class SchemaChangeDenied(DomainError):
    def __init__(self) -> None:
        super().__init__(
            "This database account cannot change the schema; run 'studentres-admin upgrade-db' "
            "with the owner account."
        )


class DatabaseError(DomainError):
    """The database refused a request for a reason that is neither input nor connectivity."""

    def __init__(self) -> None:
        super().__init__("The database could not complete the request. The details are in the log.")


# --- catalogue import ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportProblem:
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"line {self.line}, {self.field}: {self.message}"


class CatalogueImportFailed(DomainError):
    """Nothing was imported; `problems` lists every bad row found (line, field, message)."""

    def __init__(self, problems: list[ImportProblem]) -> None:
        self.problems = problems
        shown = "\n".join(f"  {p}" for p in problems[:20])
        more = f"\n  … and {len(problems) - 20} more" if len(problems) > 20 else ""
        super().__init__(f"Nothing was imported; fix these rows and try again:\n{shown}{more}")


# --- the student's plan and the advisor's desk ------------------------------------------------


class EditConflict(DomainError):
    """Someone saved the resource after it was loaded: nothing was written.

    `changed_fields` names what differs from the loaded copy; `current` is the resource as it
    is now, for the form to show.
    """

    def __init__(self, changed_fields: tuple[str, ...], current: Resource) -> None:
        self.changed_fields = changed_fields
        self.current = current
        what = f"changed {', '.join(changed_fields)}" if changed_fields else "saved it"
        super().__init__(
            f"Someone else {what} while you were editing. Nothing was saved; "
            "the form now shows the current values."
        )


class RsvpUnavailable(DomainError):
    """The resource takes no RSVP: it has no capacity, or it is over."""


class ImportCancelled(DomainError):
    def __init__(self) -> None:
        super().__init__("The import was cancelled; nothing was imported.")
