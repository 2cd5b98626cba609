"""The connection dialog's settings: each bad field named, the config file rewritten without
losing its comments or other keys, the password in the keyring (or, without one, in a 0600
file), and read back from the keyring when the app starts."""

from __future__ import annotations

import os
import stat
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest
from keyring.backends import null
from keyring.errors import KeyringLocked
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import make_url

from studentres_desktop.config import load_config
from studentres_desktop.connection_file import (
    KEYRING_SERVICE,
    ConnectionSettings,
    read_connection,
)
from studentres_desktop.domain.connection import (
    ConnectionDetails,
    ConnectionFailed,
    ConnectionProblem,
)
from studentres_desktop.domain.errors import ValidationError
from studentres_desktop.persistence.db_errors import connection_problem
from studentres_desktop.services.connection_settings import to_settings
from tests.support.keyrings import MemoryKeyring, no_keyring, using_keyring
from tests.support.private_mariadb import make_keys

SECRET = "p@ss/word:with?odd#chars"
CONFIG = """\
# Written by IT for the library's workstations.
[database]
url = "sqlite:///old.sqlite3"  # the demo, until the server is ready
connect_timeout = 5

[session]
ttl_minutes = 20   # short: shared machines
"""


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    with using_keyring(MemoryKeyring()) as backend:
        yield backend  # type: ignore[misc]


@pytest.fixture
def without_keyring() -> Iterator[None]:
    with using_keyring(no_keyring()):
        yield


@pytest.fixture
def config_file(tmp_path: Path) -> Path:
    path = tmp_path / "config" / "config.toml"
    path.parent.mkdir()
    path.write_text(CONFIG, encoding="utf-8")
    return path


def details(**changes: object) -> ConnectionDetails:
    values: dict[str, object] = dict(host="db.example.edu", port="3306", database="studentres",
                                     user="workstation", password=SECRET)
    values.update(changes)
    return ConnectionDetails(**values)  # type: ignore[arg-type]


def refused_field(form: ConnectionDetails) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        to_settings(form, None)
    return caught.value


# --- every bad field is named -----------------------------------------------------------------


@pytest.mark.parametrize(("port", "message"), [
    ("", "must be a number from 1 to 65,535."),
    ("33o6", "must be a number from 1 to 65,535."),
    ("0", "must be a number from 1 to 65,535."),
    ("65536", "must be a number from 1 to 65,535."),
    ("-1", "must be a number from 1 to 65,535."),
])
def test_a_port_that_is_not_a_number_or_out_of_range_is_named(port, message):
    error = refused_field(details(port=port))
    assert (error.field, error.message) == ("port", message)


@pytest.mark.parametrize("host", ["", "   ", "db example", "user@db", "db/x"])
def test_an_empty_or_malformed_host_is_named(host):
    assert refused_field(details(host=host)).field == "host"


def test_an_empty_database_or_user_is_named():
    assert refused_field(details(database=" ")).field == "database"
    assert refused_field(details(user="")).field == "user"


def test_a_missing_ca_file_is_named_with_its_path(tmp_path):
    missing = tmp_path / "nowhere" / "ca.pem"
    error = refused_field(details(ssl_ca=str(missing)))
    assert error.field == "ssl_ca"
    assert error.message.startswith("not found") and str(missing) in error.message


def test_a_ca_path_that_is_a_folder_or_no_certificate_is_named(tmp_path):
    assert "folder" in refused_field(details(ssl_ca=str(tmp_path))).message
    not_pem = tmp_path / "ca.pem"
    not_pem.write_text("this is not a certificate\n", encoding="utf-8")
    error = refused_field(details(ssl_ca=str(not_pem)))
    assert (error.field, error.message) == ("ssl_ca", "holds no certificate in PEM form.")


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0,
                    reason="file modes do not stop root from reading")
def test_an_unreadable_ca_file_is_named(tmp_path):
    ca = tmp_path / "ca.pem"
    ca.write_text("x", encoding="utf-8")
    ca.chmod(0)
    assert "cannot be read" in refused_field(details(ssl_ca=str(ca))).message


def test_a_client_certificate_needs_its_key(tmp_path):
    cert = tmp_path / "client.pem"
    cert.write_text("x", encoding="utf-8")
    assert refused_field(details(ssl_cert=str(cert))).field == "ssl_key"
    assert refused_field(details(ssl_key=str(cert))).field == "ssl_cert"


def test_good_fields_make_a_url_that_keeps_an_odd_password_intact():
    settings = to_settings(details(host=" db.example.edu ", port=" 3307 "), None)
    url = make_url(settings.url)
    assert (url.host, url.port, url.database, url.username, url.password) == (
        "db.example.edu", 3307, "studentres", "workstation", SECRET)
    assert settings.ssl_verify_cert is None  # no TLS files: the driver's default
    assert SECRET not in repr(settings)


def test_an_empty_password_field_keeps_the_stored_one():
    settings = to_settings(details(password=""), "stored-one")
    assert make_url(settings.url).password == "stored-one"


# --- saving ---------------------------------------------------------------------------------------


def test_saving_puts_the_password_in_the_keyring_and_keeps_comments_and_other_keys(
        config_file, memory_keyring):
    saved: list[bool] = []
    store = ConnectionSettings(config_file, on_saved=lambda: saved.append(True))

    stored = store.save(details())

    text = config_file.read_text(encoding="utf-8")
    written = tomllib.loads(text)
    assert SECRET not in text and "p%40ss" not in text
    assert make_url(written["database"]["url"]).password is None
    assert written["database"]["connect_timeout"] == 5
    assert written["session"]["ttl_minutes"] == 20
    assert "# Written by IT for the library's workstations." in text
    assert "# short: shared machines" in text
    assert memory_keyring.entries == {
        (KEYRING_SERVICE, "workstation@db.example.edu:3306/studentres"): SECRET}
    assert saved == [True]
    assert stored.password_stored and stored.keyring_available
    assert stored.details.password == ""  # what is read back never carries it


def test_the_app_reads_the_password_back_from_the_keyring(config_file, memory_keyring):
    ConnectionSettings(config_file).save(details())

    config = load_config(environ={}, config_file=config_file)

    assert make_url(config.database.url).password == SECRET
    assert config.source == str(config_file)


def test_without_a_keyring_the_password_stays_in_a_file_only_its_owner_reads(
        config_file, without_keyring):
    config_file.chmod(0o644)
    stored = ConnectionSettings(config_file).save(details())

    assert not stored.keyring_available
    assert make_url(tomllib.loads(config_file.read_text("utf-8"))["database"]["url"]).password \
        == SECRET
    if os.name == "posix":
        assert stat.S_IMODE(config_file.stat().st_mode) == 0o600
    assert make_url(load_config(environ={}, config_file=config_file).database.url).password \
        == SECRET


def test_a_keyring_switched_off_counts_as_none(config_file):
    with using_keyring(null.Keyring()):
        stored = ConnectionSettings(config_file).save(details())
        config = load_config(environ={}, config_file=config_file)
    assert not stored.keyring_available
    assert make_url(config.database.url).password == SECRET


def test_tls_options_are_written_and_removed_again(config_file, memory_keyring, tmp_path):
    ca = make_keys(tmp_path).ca
    store = ConnectionSettings(config_file)

    store.save(details(ssl_ca=str(ca), verify_cert=True, verify_identity=False))
    with_tls = tomllib.loads(config_file.read_text("utf-8"))["database"]
    config = load_config(environ={}, config_file=config_file)
    store.save(details(password=""))
    without = tomllib.loads(config_file.read_text("utf-8"))["database"]

    assert (with_tls["ssl_ca"], with_tls["ssl_verify_cert"], with_tls["ssl_verify_identity"]) \
        == (str(ca), True, False)
    assert (config.database.ssl_ca, config.database.ssl_verify_identity) == (str(ca), False)
    assert not {"ssl_ca", "ssl_verify_cert", "ssl_verify_identity"} & set(without)
    assert make_url(load_config(environ={}, config_file=config_file).database.url).password \
        == SECRET  # the empty field kept the stored password


def test_another_database_keeps_the_stored_password_and_the_old_entry_goes(config_file,
                                                                         memory_keyring):
    store = ConnectionSettings(config_file)
    store.save(details())

    store.save(details(database="studentres_next", password=""))

    assert memory_keyring.entries == {
        (KEYRING_SERVICE, "workstation@db.example.edu:3306/studentres_next"): SECRET}


@pytest.mark.parametrize("change", [{"host": "db2.example.edu"}, {"port": "3307"},
                                    {"user": "someone-else"}])
def test_a_stored_password_is_never_sent_to_another_server_or_user(config_file,
                                                                   memory_keyring, change):
    store = ConnectionSettings(config_file)
    store.save(details())

    store.save(details(password="", **change))

    assert SECRET not in memory_keyring.entries.values()
    url = make_url(load_config(environ={}, config_file=config_file).database.url)
    assert url.password is None


def test_a_bad_field_writes_nothing(config_file, memory_keyring):
    saved: list[bool] = []
    with pytest.raises(ValidationError):
        ConnectionSettings(config_file, on_saved=lambda: saved.append(True)).save(
            details(port="99999"))
    assert config_file.read_text(encoding="utf-8") == CONFIG
    assert memory_keyring.entries == {} and saved == []


def test_reading_shows_the_fields_but_never_the_password(config_file, without_keyring):
    ConnectionSettings(config_file).save(details(port="3307"))

    stored = read_connection(config_file, overridden_by="STUDENTRES_DB_URL")

    assert stored.details == details(port="3307", password="")
    assert stored.password_stored and stored.overridden_by == "STUDENTRES_DB_URL"


def test_a_config_file_that_is_not_there_yet_is_created(tmp_path, memory_keyring):
    path = tmp_path / "new" / "config.toml"
    ConnectionSettings(path).save(details())
    assert tomllib.loads(path.read_text("utf-8"))["database"]["url"].startswith("mysql")


# --- how a failed connection is named -------------------------------------------------------------


class _DriverError(Exception):
    def __init__(self, errno: int, text: str) -> None:
        super().__init__(text)
        self.errno = errno


@pytest.mark.parametrize(("errno", "text", "problem"), [
    (2003, "Can't connect to MySQL server on 'x:3306' (111)", ConnectionProblem.UNREACHABLE),
    (2005, "Unknown MySQL server host 'nowhere'", ConnectionProblem.UNREACHABLE),
    (1045, "Access denied for user 'a'@'b' (using password: YES)",
     ConnectionProblem.ACCESS_DENIED),
    (1049, "Unknown database 'x'", ConnectionProblem.UNKNOWN_DATABASE),
    (2026, "SSL connection error: certificate verify failed", ConnectionProblem.TLS),
    (2055, "Lost connection to MySQL server at 'x:3306', system error: "
           "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed", ConnectionProblem.TLS),
    (2055, "Lost connection to MySQL server at 'x:3306', system error: 32 Broken pipe",
     ConnectionProblem.OTHER),
    (1927, "Connection was killed", ConnectionProblem.OTHER),
])
def test_driver_errors_map_to_the_problem_the_dialog_names(errno, text, problem):
    error = sa_exc.InterfaceError("connect", {}, _DriverError(errno, text))
    assert connection_problem(error) is problem
    assert text not in str(ConnectionFailed(connection_problem(error)))


class _BrokenKeyring(MemoryKeyring):
    def get_password(self, service: str, username: str) -> str | None:
        raise KeyringLocked("the keyring is locked")


def test_a_keyring_that_fails_at_start_leaves_the_url_without_a_password(config_file):
    config_file.write_text('[database]\nurl = "mysql+mysqlconnector://lab@db.example.edu/sr"\n',
                           encoding="utf-8")
    with using_keyring(_BrokenKeyring()):
        config = load_config(environ={}, config_file=config_file)
    assert make_url(config.database.url).password is None
