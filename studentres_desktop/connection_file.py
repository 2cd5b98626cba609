"""The database connection in the user's config file, and its password in the OS keyring.

The dialog's values are written into `[database]` of the config file the app reads (tomlkit
keeps the other keys and the comments). The password goes to the operating system's keyring
when there is one, and the URL in the file then has none; `load_config` reads it back from the
keyring. Without a keyring the password stays in the URL, in a file only its owner can read.
"""

from __future__ import annotations

import logging
import os
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import tomlkit
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from studentres_desktop.domain.connection import (
    ConnectionDetails,
    ConnectionReport,
    StoredConnection,
)
from studentres_desktop.domain.errors import ValidationError
from studentres_desktop.paths import PRIVATE_FILE_MODE, private_dir

log = logging.getLogger(__name__)

KEYRING_SERVICE = "studentres-desktop"
TLS_KEYS = ("ssl_ca", "ssl_verify_cert", "ssl_verify_identity", "ssl_cert", "ssl_key")


def keyring_account(url: URL) -> str:
    """The keyring entry's name for a URL's account: user@host:port/database."""
    return f"{url.username}@{url.host}:{url.port or 3306}/{url.database or ''}"


def keyring_available() -> bool:
    """Whether a real keyring backend is there: not keyring's 'fail' one, nor the 'null' one
    that a user chooses to switch keyrings off (it forgets what it is given)."""
    import keyring
    from keyring.backends import fail, null

    try:
        return not isinstance(keyring.get_keyring(), fail.Keyring | null.Keyring)
    except Exception:
        log.warning("the keyring cannot be used", exc_info=True)
        return False


def keyring_password(url: URL) -> str | None:
    """The password the keyring holds for this URL's account, if any."""
    import keyring
    from keyring.errors import KeyringError

    if not url.username or not keyring_available():
        return None
    try:
        return keyring.get_password(KEYRING_SERVICE, keyring_account(url))
    except KeyringError as error:
        log.warning("cannot read the database password from the keyring: %s",
                    type(error).__name__)
        return None


def with_keyring_password(raw: str) -> str:
    """A config file URL with its password from the keyring, when the file holds none."""
    try:
        url = make_url(raw)
    except (ArgumentError, ValueError):
        return raw  # load_config names the bad URL
    if url.password is not None or url.get_backend_name() not in ("mysql", "mariadb"):
        return raw
    password = keyring_password(url)
    if not password:
        return raw
    return url.set(password=password).render_as_string(hide_password=False)


def _read_document(path: Path) -> tomlkit.TOMLDocument:
    try:
        return tomlkit.parse(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return tomlkit.document()
    except (OSError, UnicodeDecodeError) as error:
        raise ValidationError(str(path), f"cannot be read: {error}") from None
    except tomlkit.exceptions.TOMLKitError as error:
        raise ValidationError(str(path), f"is not valid TOML: {error}") from None


def _file_url(document: tomlkit.TOMLDocument) -> URL | None:
    section = document.get("database")
    raw = section.get("url") if isinstance(section, dict) else None
    if not isinstance(raw, str) or not raw:
        return None
    try:
        url = make_url(raw)
    except (ArgumentError, ValueError):
        return None
    return url if url.get_backend_name() in ("mysql", "mariadb") else None


def read_connection(path: Path, overridden_by: str = "") -> StoredConnection:
    """The connection the config file describes (never its password)."""
    document = _read_document(path)
    section: Any = document.get("database", {})
    url = _file_url(document)

    def text(key: str) -> str:
        value = section.get(key, "")
        return str(value) if isinstance(value, str) else ""

    def flag(key: str) -> bool:
        value = section.get(key)
        return value if isinstance(value, bool) else True

    details = ConnectionDetails(
        host=url.host or "" if url else "",
        port=str(url.port or 3306) if url else "3306",
        database=url.database or "" if url else "studentres",
        user=url.username or "" if url else "",
        ssl_ca=text("ssl_ca"), verify_cert=flag("ssl_verify_cert"),
        verify_identity=flag("ssl_verify_identity"),
        ssl_cert=text("ssl_cert"), ssl_key=text("ssl_key"))
    return StoredConnection(details=details, config_file=str(path),
                            password_stored=stored_password(path) is not None,
                            keyring_available=keyring_available(), overridden_by=overridden_by)


def stored_password(path: Path, for_details: ConnectionDetails | None = None) -> str | None:
    """The password of the configured connection: the file's URL's, else the keyring's.

    With `for_details`, only for the same user on the same server: a stored password is never
    sent to a host it was not saved for.
    """
    url = _file_url(_read_document(path))
    if url is None:
        return None
    if for_details is not None and not _same_account(url, for_details):
        return None
    return url.password if url.password is not None else keyring_password(url)


def _same_account(url: URL, details: ConnectionDetails) -> bool:
    port = details.port.strip()
    return (details.host.strip().lower() == (url.host or "").lower()
            and port.isdigit() and int(port) == (url.port or 3306)
            and details.user.strip() == (url.username or ""))


def write_connection(path: Path, url: str, tls: dict[str, Any]) -> bool:
    """Write `[database]` (URL and TLS keys) into the config file; True if the password went to
    the keyring, False if it stays in the file (0600)."""
    import keyring
    from keyring.errors import KeyringError

    parsed = make_url(url)
    in_keyring = False
    if parsed.password and keyring_available():
        try:
            keyring.set_password(KEYRING_SERVICE, keyring_account(parsed), parsed.password)
            in_keyring = True
        except KeyringError as error:
            log.warning("cannot store the database password in the keyring: %s",
                        type(error).__name__)
    document = _read_document(path)
    previous = _file_url(document)
    if previous is not None and previous.password is None and previous.username \
            and keyring_account(previous) != keyring_account(parsed):
        _forget_keyring_password(previous)  # the old account's password is not needed now
    section = document.get("database")
    if not isinstance(section, dict):
        section = tomlkit.table()
        document["database"] = section
    shown = _without_password(parsed) if in_keyring else parsed
    # Keep the URL to what the dialog edits: the engine adds its charset itself.
    section["url"] = shown.render_as_string(hide_password=False)
    for key in TLS_KEYS:
        value = tls.get(key)
        if value is None and key in section:
            del section[key]
        elif value is not None:
            section[key] = value
    _replace_privately(path, tomlkit.dumps(document))
    return in_keyring


def _forget_keyring_password(url: URL) -> None:
    import keyring
    from keyring.errors import KeyringError, PasswordDeleteError

    if not keyring_available():
        return
    try:
        keyring.delete_password(KEYRING_SERVICE, keyring_account(url))
    except PasswordDeleteError:
        pass  # there was none
    except KeyringError as error:
        log.warning("cannot remove the old database password from the keyring: %s",
                    type(error).__name__)


def _without_password(url: URL) -> URL:
    return URL.create(url.drivername, username=url.username, host=url.host, port=url.port,
                      database=url.database, query=url.query)


def _replace_privately(path: Path, text: str) -> None:
    """Write a new file beside the old one (0600) and swap it in: a crash leaves one whole."""
    private_dir(path.parent)
    descriptor, temporary = tempfile.mkstemp(prefix=".config-", suffix=".toml", dir=path.parent)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as stream:
            if os.name == "posix":
                os.fchmod(stream.fileno(), PRIVATE_FILE_MODE)
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


class ConnectionSettings:
    """What the Gateway offers for the connection dialog: read, test and save the settings.

    `on_saved` runs after a save (the app then rebuilds its backend on the new settings).
    """

    def __init__(self, config_file: Path, *, overridden_by: str = "",
                 on_saved: Callable[[], None] | None = None, connect_timeout: int = 10) -> None:
        self._path = config_file
        self._overridden_by = overridden_by
        self._on_saved = on_saved
        self._timeout = connect_timeout
        self._lock = threading.Lock()  # two saves never interleave their writes

    def current(self) -> StoredConnection:
        return read_connection(self._path, self._overridden_by)

    def test(self, details: ConnectionDetails) -> ConnectionReport:
        from studentres_desktop.bootstrap import probe_database
        from studentres_desktop.services.connection_settings import to_settings

        settings = to_settings(details, self._stored_password(details), self._timeout)
        report = probe_database(settings)
        return ConnectionReport(server=report.server, schema_version=report.version)

    def save(self, details: ConnectionDetails) -> StoredConnection:
        """Check the fields, write them, and reconnect; nothing is written if a field is bad."""
        from studentres_desktop.services.connection_settings import to_settings

        with self._lock:
            settings = to_settings(details, self._stored_password(details), self._timeout)
            tls = {"ssl_ca": settings.ssl_ca, "ssl_verify_cert": settings.ssl_verify_cert,
                   "ssl_verify_identity": settings.ssl_verify_identity,
                   "ssl_cert": settings.ssl_cert, "ssl_key": settings.ssl_key}
            in_keyring = write_connection(self._path, settings.url, tls)
            log.info("database connection saved to %s (password in the %s)", self._path,
                     "keyring" if in_keyring else "config file")
        if self._on_saved is not None:
            self._on_saved()
        stored = self.current()
        if not in_keyring and stored.keyring_available:  # the keyring refused it just now
            stored = StoredConnection(stored.details, stored.config_file, stored.password_stored,
                                      False, stored.overridden_by)
        return stored

    def _stored_password(self, details: ConnectionDetails) -> str | None:
        return None if details.password else stored_password(self._path, details)
