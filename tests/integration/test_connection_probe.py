"""Testing a connection from the dialog: each failure named in words, against real cases on the
MariaDB server (a closed port, a wrong password, an unknown database, an empty database, TLS
the server does not offer), and no driver message in what a person reads."""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator

import pytest

from studentres_desktop.bootstrap import probe_database
from studentres_desktop.domain.connection import (
    ConnectionDetails,
    ConnectionFailed,
    ConnectionProblem,
)
from studentres_desktop.services.connection_settings import to_settings
from tests.conftest import apply_schema_sql
from tests.support.mysql_accounts import Account, mysql_account
from tests.support.private_mariadb import (
    PrivateServer,
    binaries_present,
    make_keys,
    private_mariadb,
)

pytestmark = pytest.mark.mysql
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
DRIVER_WORDS = ("errno", "mysql", "MySQL", "(28000)", "42000", "Can't connect", "SSL is")


@pytest.fixture
def account(mysql_url: str) -> Iterator[Account]:
    """A srtest_ account with a password, allowed on one new, empty srtest_ database."""
    with mysql_account(mysql_url) as created:
        yield created


def failure(details: ConnectionDetails) -> ConnectionFailed:
    with pytest.raises(ConnectionFailed) as caught:
        probe_database(to_settings(details, None, connect_timeout=3))
    error = caught.value
    assert not any(word in str(error) for word in DRIVER_WORDS), str(error)
    return error


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])  # nothing listens once it is closed


def test_a_closed_port_is_host_unreachable(account):
    error = failure(account.details(host="127.0.0.1", port=str(closed_port())))
    assert error.problem is ConnectionProblem.UNREACHABLE
    assert str(error).startswith("Host unreachable")


def test_a_wrong_password_is_access_denied(account):
    error = failure(account.details(password="Wrong-horse-7"))
    assert error.problem is ConnectionProblem.ACCESS_DENIED
    assert str(error).startswith("Access denied")


def test_a_database_that_does_not_exist_is_named(account):
    error = failure(account.details(database=f"srtest_missing_{uuid.uuid4().hex[:8]}"))
    assert error.problem in (ConnectionProblem.UNKNOWN_DATABASE,
                             ConnectionProblem.ACCESS_DENIED)  # the account sees only its own
    root = Account(account.host, account.port, "root", account.database)
    error = failure(root.details(password="", database=f"srtest_missing_{uuid.uuid4().hex[:8]}"))
    assert error.problem is ConnectionProblem.UNKNOWN_DATABASE
    assert str(error).startswith("Unknown database")


def test_an_empty_database_is_a_schema_out_of_date(account):
    error = failure(account.details())
    assert error.problem is ConnectionProblem.SCHEMA_OUT_OF_DATE
    assert "studentres-admin init-db" in str(error)
    assert "is missing" in str(error)


def test_tls_the_server_does_not_offer_is_a_tls_failure(account, tmp_path):
    ca = make_keys(tmp_path).ca
    error = failure(account.details(ssl_ca=str(ca)))
    assert error.problem is ConnectionProblem.TLS
    assert str(error).startswith("TLS failure")


def test_a_database_set_up_for_this_version_passes(account, mysql_url):
    apply_schema_sql(mysql_url)
    report = probe_database(to_settings(account.details(), None, connect_timeout=3))
    assert report.current and report.server


# --- TLS failures against a private TLS-only server -----------------------------------------------


@pytest.fixture(scope="module")
def tls_server() -> Iterator[PrivateServer]:
    if not binaries_present():
        message = "mariadbd and mariadb-install-db are needed for the TLS connection tests"
        if IN_CI:
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    with private_mariadb() as running:
        yield running


def tls_details(server: PrivateServer, **changes: object) -> ConnectionDetails:
    values: dict[str, object] = dict(host="127.0.0.1", port=str(server.port),
                                     database=server.database, user=server.user,
                                     password=server.password, ssl_ca=str(server.keys.ca))
    values.update(changes)
    return ConnectionDetails(**values)  # type: ignore[arg-type]


@pytest.mark.slow
def test_a_certificate_from_another_ca_is_a_tls_failure(tls_server):
    error = failure(tls_details(tls_server, ssl_ca=str(tls_server.keys.other_ca)))
    assert error.problem is ConnectionProblem.TLS


@pytest.mark.slow
def test_a_host_name_the_certificate_does_not_name_is_a_tls_failure(tls_server):
    error = failure(tls_details(tls_server, host="127.0.0.2"))
    assert error.problem is ConnectionProblem.TLS
    # Without host name verification the same server is reached: the schema is what is missing.
    error = failure(tls_details(tls_server, host="127.0.0.2", verify_identity=False))
    assert error.problem is ConnectionProblem.SCHEMA_OUT_OF_DATE


@pytest.mark.slow
def test_the_right_ca_reaches_the_server(tls_server):
    assert failure(tls_details(tls_server)).problem is ConnectionProblem.SCHEMA_OUT_OF_DATE
