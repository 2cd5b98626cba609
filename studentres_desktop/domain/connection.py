"""The database connection as IT edits it in the desktop's connection dialog."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from studentres_desktop.domain.errors import DatabaseUnavailable


@dataclass(frozen=True)
class ConnectionDetails:
    """The form's values as typed; the port stays text until it is checked.

    An empty password means "keep the stored one".
    """

    host: str = ""
    port: str = "3306"
    database: str = "studentres"
    user: str = ""
    password: str = field(default="", repr=False)
    ssl_ca: str = ""
    verify_cert: bool = True
    verify_identity: bool = True
    ssl_cert: str = ""
    ssl_key: str = ""


class PasswordStore(Enum):
    KEYRING = "keyring"  # the operating system's keyring
    CONFIG_FILE = "config file"  # the config file, readable by its owner only
    NONE = "none"


@dataclass(frozen=True)
class StoredConnection:
    """What the config file holds now (never the password) and where a password would go."""

    details: ConnectionDetails
    config_file: str
    password_stored: bool
    keyring_available: bool
    overridden_by: str = ""  # --db or STUDENTRES_DB_URL: the file's URL is not the one in use

    @property
    def password_store(self) -> PasswordStore:
        return PasswordStore.KEYRING if self.keyring_available else PasswordStore.CONFIG_FILE


@dataclass(frozen=True)
class ConnectionReport:
    """A successful test: the server answered and the schema is the one this app expects."""

    server: str
    schema_version: int | None


class ConnectionProblem(Enum):
    UNREACHABLE = "unreachable"
    ACCESS_DENIED = "access denied"
    UNKNOWN_DATABASE = "unknown database"
    TLS = "tls"
    SCHEMA_OUT_OF_DATE = "schema out of date"
    OTHER = "other"


PROBLEM_MESSAGES = {
    ConnectionProblem.UNREACHABLE:
        "Host unreachable: no database server answers at this host and port.",
    ConnectionProblem.ACCESS_DENIED:
        "Access denied: the server refused this user name and password.",
    ConnectionProblem.UNKNOWN_DATABASE:
        "Unknown database: the server has no database of this name.",
    ConnectionProblem.TLS:
        "TLS failure: a secure connection could not be set up (check the CA file, the "
        "verification options, and that the server offers TLS).",
    ConnectionProblem.SCHEMA_OUT_OF_DATE:
        "Schema out of date: the database does not match this version of StudentRes.",
    ConnectionProblem.OTHER:
        "The database could not be reached; the details are in the log.",
}


class ConnectionFailed(DatabaseUnavailable):
    """A connection test failed for `problem`; the message says which, in words for IT."""

    def __init__(self, problem: ConnectionProblem, detail: str = "") -> None:
        super().__init__(problem.value)
        self.problem = problem
        self.message = PROBLEM_MESSAGES[problem] + (f" ({detail})" if detail else "")
        self.args = (self.message,)
