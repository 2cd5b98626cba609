"""Map driver and SQLAlchemy errors to domain errors, so no driver message reaches a person."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import exc as sa_exc

from studentres_desktop.domain.errors import (
    AccessDenied,
    DatabaseError,
    DatabaseUnavailable,
    DomainError,
    SchemaNotReady,
)

log = logging.getLogger(__name__)

# MySQL/MariaDB error numbers, grouped by what they mean for the person waiting.
_DROPPED = {2006, 2013, 2055, 1927, 4031}  # the connection went away mid-request
_BUSY = {1205, 1213}  # lock wait timeout, deadlock
# After these the whole transaction can run again, on this node or the next one: a deadlock or a
# Galera certification failure (1213), a connection lost mid-transaction (2006, 2013, 2055; the
# pure-Python driver reports some as -1, "MySQL Connection not available"), a node not ready
# (1047, WSREP has not yet prepared node for application use) and a failed COMMIT (1180).
# Not 1205 (lock wait timeout: something holds the row far too long) and no constraint errors.
RERUN_ERRNOS = frozenset({1213, 2006, 2013, 2055, -1, 1047, 1180})
NOT_READY = 1047
_REASONS = {
    1040: "the server has too many connections",
    1044: "access to the database was denied",
    1045: "access denied: check the user name and password in the database URL",
    1049: "the database named in the URL does not exist",
    1129: "this computer is blocked by the server",
    1130: "this computer is not allowed to connect to the server",
    2002: "no database server answers there",
    2003: "no database server answers there",
    2005: "the database host name is unknown",
    2026: "the secure (TLS) connection could not be set up",
    3159: "the server requires a secure (TLS) connection",
}
TLS_FAILED = 2026
_SCHEMA = {1146, 1054}  # table or column does not exist
# The account may not run this statement: table, column, routine, global or GRANT privilege.
_DENIED = {1142, 1143, 1227, 1370, 1410}
DENIED_MESSAGE = (
    "The database account this computer uses may not do this. Ask IT: a kiosk that edits the "
    "catalogue needs the advisor account."
)
DUPLICATE_KEY = 1062


def mysql_errno(error: BaseException) -> int | None:
    orig = getattr(error, "orig", None)
    errno = getattr(orig, "errno", None)
    return errno if isinstance(errno, int) else None


def _is_tls_failure(error: BaseException) -> bool:
    """The driver reports a failed TLS handshake as a lost connection naming the SSL error."""
    text = str(getattr(error, "orig", error))
    return "SSL" in text or "certificate" in text.lower()


def is_duplicate_key(error: sa_exc.IntegrityError) -> bool:
    """True for a unique-index violation on either backend."""
    if mysql_errno(error) == DUPLICATE_KEY:
        return True
    return isinstance(error.orig, sqlite3.IntegrityError) and "UNIQUE" in str(error.orig)


class TransactionInterrupted(DatabaseUnavailable):
    """The transaction was cut short in a way that running all of it again may cure (see
    RERUN_ERRNOS); the retrying unit of work reruns it, anything else shows the banner."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason, transient=True)


def is_rerunnable(error: sa_exc.SQLAlchemyError) -> bool:
    """True when the whole transaction may be run again after this error."""
    errno = mysql_errno(error)
    if errno is not None:
        return errno in RERUN_ERRNOS and not _is_tls_failure(error)
    if isinstance(error, sa_exc.DBAPIError):
        return error.connection_invalidated
    # The pool or a connection closed under us (e.g. invalidated after a node died).
    return isinstance(
        error,
        sa_exc.ResourceClosedError | sa_exc.PendingRollbackError | sa_exc.DisconnectionError,
    )


def wrapped_driver_error(error: Exception) -> sa_exc.DBAPIError | None:
    """A bare exception of the MySQL driver, wrapped as SQLAlchemy would; None for others."""
    if not type(error).__module__.startswith("mysql.connector"):
        return None
    names = {cls.__name__ for cls in type(error).__mro__}
    if "OperationalError" in names:
        return sa_exc.OperationalError(None, None, error)
    if "InterfaceError" in names:
        return sa_exc.InterfaceError(None, None, error)
    return sa_exc.DBAPIError(None, None, error)


def to_domain_error(error: sa_exc.SQLAlchemyError) -> DomainError:
    """The domain error for a database failure; the original is logged, never shown."""
    errno = mysql_errno(error)
    if is_rerunnable(error):
        if errno == 1213:
            return TransactionInterrupted("the database is busy")
        if errno == NOT_READY:
            return TransactionInterrupted("the database server is not ready")
        return TransactionInterrupted("the connection was lost")
    if errno is not None:
        if errno in _DROPPED and _is_tls_failure(error):  # e.g. a certificate not trusted
            return DatabaseUnavailable(_REASONS[TLS_FAILED])
        if errno in _DROPPED:
            return DatabaseUnavailable("the connection was lost", transient=True)
        if errno in _BUSY:
            return DatabaseUnavailable("the database is busy", transient=True)
        if errno in _REASONS:
            return DatabaseUnavailable(_REASONS[errno])
        if errno in _SCHEMA:
            return SchemaNotReady("a table or column is missing")
        if errno in _DENIED:
            return AccessDenied(DENIED_MESSAGE)
    orig = getattr(error, "orig", None)
    if isinstance(orig, sqlite3.OperationalError):
        text = str(orig)
        if text.startswith(("no such table", "no such column", "table ")):
            return SchemaNotReady("a table or column is missing")
        if "locked" in text or "busy" in text:
            return DatabaseUnavailable("the database file is busy", transient=True)
        if text.startswith(("unable to open", "attempt to write a readonly", "disk I/O")):
            return DatabaseUnavailable("the database file cannot be opened or written")
        return DatabaseError()
    if isinstance(error, sa_exc.TimeoutError):
        return DatabaseUnavailable("all connections are busy", transient=True)
    if isinstance(error, sa_exc.DBAPIError) and error.connection_invalidated:
        return DatabaseUnavailable("the connection was lost", transient=True)
    if isinstance(
        error, sa_exc.OperationalError | sa_exc.InterfaceError | sa_exc.DisconnectionError
    ):
        return DatabaseUnavailable()
    return DatabaseError()


@contextmanager
def translated_errors() -> Iterator[None]:
    """Re-raise SQLAlchemy errors as domain errors; domain errors pass through untouched.

    A driver error SQLAlchemy let through unwrapped (it does so for a few calls, e.g. setting
    the isolation level on a connection whose server just died) is translated the same way.
    """
    try:
        yield
    except Exception as raised:
        error = raised if isinstance(raised, sa_exc.SQLAlchemyError) else wrapped_driver_error(
            raised)
        if error is None:
            raise
        domain_error = to_domain_error(error)
        log.warning(
            "database error %s (errno %s) mapped to %s",
            type(error).__name__,
            mysql_errno(error),
            type(domain_error).__name__,
            exc_info=not isinstance(domain_error, DatabaseUnavailable | AccessDenied),
        )
        raise domain_error from None
