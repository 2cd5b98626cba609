"""TLS to the server: verified against the CA, for the right host name, 1.2 or newer, and an
optional client certificate; proven against a private MariaDB that accepts TLS only."""

from __future__ import annotations

import os
import ssl
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError

from studentres_desktop.domain.errors import DatabaseUnavailable
from studentres_desktop.persistence.db_errors import mysql_errno
from studentres_desktop.persistence.engine import (
    DatabaseSettings,
    create_database_engine,
    tls_arguments,
)
from studentres_desktop.persistence.schema import ensure_schema, inspect_schema
from tests.support.private_mariadb import PrivateServer, binaries_present, private_mariadb

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def server() -> Iterator[PrivateServer]:
    if not binaries_present():
        message = "mariadbd and mariadb-install-db are needed for the TLS tests"
        if IN_CI:
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    with private_mariadb() as running:
        yield running


def session_tls(settings: DatabaseSettings) -> tuple[str, str]:
    """Connect through the app's engine; the TLS version and cipher of the session."""
    engine = create_database_engine(settings)
    try:
        with engine.connect() as conn:
            status = dict(conn.execute(text(
                "SHOW SESSION STATUS WHERE Variable_name IN ('Ssl_version', 'Ssl_cipher')")).all())
    finally:
        engine.dispose()
    return status["Ssl_version"], status["Ssl_cipher"]


def refusal(settings: DatabaseSettings) -> DatabaseUnavailable:
    """What a person is told when the app's engine cannot connect."""
    engine = create_database_engine(settings)
    try:
        with pytest.raises(DatabaseUnavailable) as caught:
            inspect_schema(engine)
    finally:
        engine.dispose()
    return caught.value


def test_with_the_ca_it_connects_over_tls_1_2_or_newer(server):
    version, cipher = session_tls(DatabaseSettings(server.url(), ssl_ca=str(server.keys.ca)))
    assert version in ("TLSv1.2", "TLSv1.3")
    assert cipher


def test_the_whole_schema_installs_and_answers_over_verified_tls(server):
    settings = DatabaseSettings(server.url(), ssl_ca=str(server.keys.ca))
    engine = create_database_engine(settings)
    try:
        ensure_schema(engine)
        assert inspect_schema(engine).current
    finally:
        engine.dispose()


def test_a_certificate_from_another_ca_is_refused(server):
    error = refusal(DatabaseSettings(server.url(), ssl_ca=str(server.keys.other_ca)))
    assert "secure (TLS) connection could not be set up" in str(error)


def test_a_host_name_the_certificate_does_not_name_is_refused(server):
    # 127.0.0.2 reaches the same server, but its certificate names 127.0.0.1 only.
    wrong_host = DatabaseSettings(server.url(host="127.0.0.2"), ssl_ca=str(server.keys.ca))
    error = refusal(wrong_host)
    assert "secure (TLS) connection could not be set up" in str(error)
    # Only the host name check stood in the way: switched off, the same connection works.
    unchecked = DatabaseSettings(server.url(host="127.0.0.2"), ssl_ca=str(server.keys.ca),
                                 ssl_verify_identity=False)
    assert session_tls(unchecked)[0] in ("TLSv1.2", "TLSv1.3")


def test_without_tls_the_server_refuses_the_client(server):
    engine = create_engine(server.url(), connect_args={"ssl_disabled": True})
    try:
        with pytest.raises(DBAPIError) as caught, engine.connect():
            pass
    finally:
        engine.dispose()
    # MariaDB answers require_secure_transport with a plain "access denied"; the same account
    # and password get in over TLS (the tests above).
    assert mysql_errno(caught.value) == 1045


def test_an_account_that_requires_a_client_certificate_gets_in_only_with_it(server):
    with_cert = DatabaseSettings(server.url(user=server.x509_user), ssl_ca=str(server.keys.ca),
                                 ssl_cert=str(server.keys.client_cert),
                                 ssl_key=str(server.keys.client_key))
    without = DatabaseSettings(server.url(user=server.x509_user), ssl_ca=str(server.keys.ca))

    assert session_tls(with_cert)[0] in ("TLSv1.2", "TLSv1.3")
    assert "access denied" in str(refusal(without))


def test_the_client_never_speaks_below_tls_1_2():
    # The driver's TLS context is ssl.create_default_context() (see engine.tls_arguments).
    assert ssl.create_default_context().minimum_version >= ssl.TLSVersion.TLSv1_2
    arguments = tls_arguments(DatabaseSettings("mysql://u@h/x", ssl_ca="/ca.pem"))
    assert arguments == {"ssl_ca": "/ca.pem", "ssl_verify_cert": True,
                         "ssl_verify_identity": True}
