"""Database accounts for IT: `owner`, `app` and `advisor`, with the grants of db/grants.sql.

The grants are per table (and per column for `students_data`) on the app's database, nothing
server-wide. tests/integration/test_db_accounts.py keeps db/grants.sql equal to GRANTS and proves
on a real server what each account can and cannot do.
"""

from __future__ import annotations

import logging
import re
from enum import StrEnum

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import DBAPIError

from studentres_desktop.domain.errors import SchemaNotReady, ValidationError
from studentres_desktop.persistence.db_errors import mysql_errno, translated_errors
from studentres_desktop.persistence.schema import inspect_schema

log = logging.getLogger(__name__)


class AccountRole(StrEnum):
    OWNER = "owner"  # installs and upgrades the schema; IT's machine only
    APP = "app"  # a student workstation
    ADVISOR = "advisor"  # a front-desk kiosk: app, plus the catalogue


# One line per table and role; `{database}` and `{account}` are filled in by create_account.
# A new table needs its line here and in db/grants.sql (a test compares the two).
GRANTS: dict[AccountRole, tuple[str, ...]] = {
    AccountRole.OWNER: (
        "GRANT ALL PRIVILEGES ON {database}.* TO {account}",
    ),
    AccountRole.APP: (
        "GRANT SELECT (id, name, email, interest, `role`, learning_goal, created_at),"
        " UPDATE (interest, learning_goal) ON {database}.students_data TO {account}",
        "GRANT SELECT ON {database}.interests TO {account}",
        "GRANT SELECT, INSERT, DELETE ON {database}.student_interests TO {account}",
        "GRANT SELECT ON {database}.interest_resources TO {account}",
        # Read by searches; only the triggers, as the owner, write it.
        "GRANT SELECT ON {database}.resource_words TO {account}",
        "GRANT SELECT ON {database}.resource_interests TO {account}",
        "GRANT SELECT, INSERT, DELETE ON {database}.resource_embeddings TO {account}",
        "GRANT SELECT, INSERT, DELETE ON {database}.interest_embeddings TO {account}",
        "GRANT SELECT ON {database}.schema_meta TO {account}",
        # The schema revision, which every start compares with the app's.
        "GRANT SELECT ON {database}.alembic_version TO {account}",
        "GRANT SELECT, INSERT, DELETE ON {database}.saved_resources TO {account}",
        "GRANT SELECT, INSERT, UPDATE, DELETE ON {database}.rsvps TO {account}",
        # An advisor's own RSVP is audited wherever they log in; a workstation cannot read it.
        "GRANT INSERT ON {database}.audit_log TO {account}",
        # RSVP changes bump the resource's lock row; every write records its operation id.
        "GRANT SELECT, INSERT, UPDATE ON {database}.resource_locks TO {account}",
        "GRANT SELECT, INSERT, DELETE ON {database}.applied_operations TO {account}",
        "GRANT EXECUTE ON {database}.* TO {account}",
    ),
    AccountRole.ADVISOR: (
        "GRANT INSERT, UPDATE, DELETE ON {database}.interest_resources TO {account}",
        "GRANT INSERT, DELETE ON {database}.resource_interests TO {account}",
        # A deleted or re-keyed resource keeps its saved entries readable as "removed".
        "GRANT UPDATE ON {database}.saved_resources TO {account}",
        # Append-only: workstations add entries, advisors also read them; nobody changes one.
        "GRANT SELECT ON {database}.audit_log TO {account}",
    ),
}

# An advisor's kiosk does everything a student's workstation does.
INCLUDES: dict[AccountRole, tuple[AccountRole, ...]] = {
    AccountRole.OWNER: (AccountRole.OWNER,),
    AccountRole.APP: (AccountRole.APP,),
    AccountRole.ADVISOR: (AccountRole.APP, AccountRole.ADVISOR),
}

# Plain names only, so that no quoting question can arise in a GRANT.
_USER = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,31}")
_HOST = re.compile(r"[A-Za-z0-9_.%:-]{1,255}")
_DATABASE = re.compile(r"[A-Za-z0-9_]{1,64}")
MIN_PASSWORD_LENGTH = 12
_ACCOUNT_EXISTS = 1396  # "Operation CREATE USER failed"


def grant_statements(role: AccountRole, database: str, user: str, host: str) -> list[str]:
    """The GRANT statements for an account of this role, in order."""
    _check_names(database, user, host)
    account = f"'{user}'@'{host}'"
    # In `db.*` a '_' in the name is a wildcard (as '%' is): escaped, it names one database.
    # Table-level grants take the name literally.
    whole = database.replace("_", "\\_")
    return [
        line.format(database=f"`{whole if '{database}.*' in line else database}`",
                    account=account)
        for part in INCLUDES[role]
        for line in GRANTS[part]
    ]


def create_account(
    engine: Engine, role: AccountRole, user: str, host: str, password: str
) -> list[str]:
    """Create a mysql_native_password account with the grants of its role; returns the grants.

    `engine` connects as an administrator to the app's database. For `app` and `advisor` the
    schema must be installed first (by the owner, with init-db): their grants name its tables.
    Nothing is left behind when a grant fails.
    """
    if engine.dialect.name not in ("mysql", "mariadb"):
        raise ValidationError("database URL", "must point at the MySQL/MariaDB server.")
    database = engine.url.database or ""
    if not database:
        raise ValidationError("database URL", "must name the app's database, e.g. …/studentres")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationError(
            "password", f"must have at least {MIN_PASSWORD_LENGTH} characters for a server account."
        )
    statements = grant_statements(role, database, user, host)
    if role is not AccountRole.OWNER:
        report = inspect_schema(engine)
        if not report.current:
            raise SchemaNotReady(
                "install it with 'studentres-admin init-db' as the owner account before "
                "creating workstation accounts; " + "; ".join(report.problems[:3])
            )
    with translated_errors(), engine.connect() as conn:
        _create_user(conn, user, host, password)
        try:
            for statement in statements:
                conn.exec_driver_sql(statement)
        except BaseException:
            conn.execute(text("DROP USER IF EXISTS :user@:host"), {"user": user, "host": host})
            raise
    log.info("created database account %s@%s with role %s", user, host, role.value)
    return statements


def _create_user(conn: Connection, user: str, host: str, password: str) -> None:
    identified = (
        "IDENTIFIED VIA mysql_native_password USING PASSWORD(:password)"
        if conn.dialect.is_mariadb  # type: ignore[attr-defined]  # MySQLDialect has it
        else "IDENTIFIED WITH mysql_native_password BY :password"
    )
    try:
        conn.execute(
            text(f"CREATE USER :user@:host {identified}"),
            {"user": user, "host": host, "password": password},
        )
    except DBAPIError as error:
        if mysql_errno(error) == _ACCOUNT_EXISTS:
            raise ValidationError(
                "USER", f"the account '{user}'@'{host}' exists already; pick another name."
            ) from None
        raise


def _check_names(database: str, user: str, host: str) -> None:
    if not _USER.fullmatch(user):
        raise ValidationError(
            "USER", "must be 1 to 32 letters, digits, '_', '.' or '-', not starting with '.'/'-'."
        )
    if not _HOST.fullmatch(host):
        raise ValidationError("host", "must be a host name, an IP address or a pattern with %.")
    if not _DATABASE.fullmatch(database):
        raise ValidationError("database URL", "names a database with characters other than "
                              "letters, digits and '_'.")
