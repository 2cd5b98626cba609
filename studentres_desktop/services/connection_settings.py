"""The connection dialog's values, checked field by field and turned into database settings."""

from __future__ import annotations

import os
import ssl
from pathlib import Path

from studentres_desktop.domain.connection import ConnectionDetails
from studentres_desktop.domain.errors import ValidationError
from studentres_desktop.persistence.engine import DatabaseSettings, mysql_url

PORT_RANGE = (1, 65_535)
NAME_MAX = 64  # MySQL's limit for a database name
_NOT_IN_HOST = set("/@?#\\")


def check_host(host: str) -> str:
    host = host.strip()
    if not host:
        raise ValidationError("host", "is empty: enter the database server's name or address.")
    if any(c.isspace() or c in _NOT_IN_HOST for c in host) or len(host) > 253:
        raise ValidationError("host", "is not a host name or address.")
    return host


def check_port(port: str) -> int:
    low, high = PORT_RANGE
    text = port.strip()
    if not text.isdigit() or not low <= int(text) <= high:
        raise ValidationError("port", f"must be a number from {low} to {high:,}.")
    return int(text)


def check_database_name(name: str) -> str:
    name = name.strip()
    if not name:
        raise ValidationError("database", "is empty: enter the database's name, e.g. studentres.")
    if len(name) > NAME_MAX or any(c in "/?#\\." or c.isspace() for c in name):
        raise ValidationError("database", f"must be a name of 1 to {NAME_MAX} characters "
                                          "without spaces, dots or slashes.")
    return name


def check_user(user: str) -> str:
    user = user.strip()
    if not user:
        raise ValidationError("user", "is empty: enter the database account's user name.")
    return user


def check_readable_file(path: str, field: str, what: str) -> str:
    """An existing file this account may read; the message names what is wrong with it."""
    location = Path(path.strip()).expanduser()
    if not location.exists():
        raise ValidationError(field, f"not found: there is no {what} at {location}.")
    if not location.is_file():
        raise ValidationError(field, f"is a folder, not a {what}.")
    if not os.access(location, os.R_OK):
        raise ValidationError(field, f"cannot be read by this account: {location}.")
    try:
        with location.open("rb") as stream:
            stream.read(1)
    except OSError as error:
        raise ValidationError(field, f"cannot be read: {error.strerror}.") from None
    return str(location)


def check_ca_file(path: str) -> str:
    checked = check_readable_file(path, "ssl_ca", "CA certificate file")
    try:
        ssl.create_default_context(cafile=checked)
    except (ssl.SSLError, ValueError):
        raise ValidationError("ssl_ca", "holds no certificate in PEM form.") from None
    return checked


def to_settings(details: ConnectionDetails, stored_password: str | None,
                connect_timeout: int = 10) -> DatabaseSettings:
    """Database settings from the form; the first bad field raises ValidationError naming it.

    An empty password field keeps `stored_password`. The verification flags apply with a CA
    file or a client certificate; without either the driver's default applies.
    """
    host = check_host(details.host)
    port = check_port(details.port)
    database = check_database_name(details.database)
    user = check_user(details.user)
    ssl_ca = check_ca_file(details.ssl_ca) if details.ssl_ca.strip() else None
    if bool(details.ssl_cert.strip()) != bool(details.ssl_key.strip()):
        missing = "ssl_key" if details.ssl_cert.strip() else "ssl_cert"
        raise ValidationError(missing, "is needed too: a client certificate comes with its key.")
    ssl_cert = ssl_key = None
    if details.ssl_cert.strip():
        ssl_cert = check_readable_file(details.ssl_cert, "ssl_cert", "client certificate file")
        ssl_key = check_readable_file(details.ssl_key, "ssl_key", "client key file")
    tls = bool(ssl_ca or ssl_cert)
    password = details.password or stored_password
    return DatabaseSettings(
        url=mysql_url(host, port, database, user, password),
        connect_timeout=connect_timeout,
        ssl_ca=ssl_ca,
        ssl_verify_cert=details.verify_cert if tls else None,
        ssl_verify_identity=details.verify_identity if tls else None,
        ssl_cert=ssl_cert,
        ssl_key=ssl_key,
    )
