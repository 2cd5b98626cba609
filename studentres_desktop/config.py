"""Settings: the database URL from --db, then STUDENTRES_DB_URL, then the user's config file.

The config file is TOML, in the user's config folder (see `studentres-admin check`):

    [database]
    url = "mysql+mysqlconnector://studentres:secret@db.example.edu:3306/studentres"
    ssl_ca = "/etc/ssl/certs/university-ca.pem"   # optional
    ssl_verify_cert = true                         # optional
    connect_timeout = 10                           # seconds, at most 10

    [session]
    ttl_minutes = 30

    [security]
    bcrypt_cost = 12
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.exc import NoSuchModuleError

from studentres_desktop.domain.errors import ValidationError
from studentres_desktop.paths import default_database_file, user_config_file
from studentres_desktop.persistence.engine import PASSWORD_PARAMETERS, DatabaseSettings, parse_url

ENV_DB_URL = "STUDENTRES_DB_URL"
ENV_CONFIG_FILE = "STUDENTRES_CONFIG"
MAX_CONNECT_TIMEOUT = 10


@dataclass(frozen=True)
class AppConfig:
    database: DatabaseSettings
    source: str  # where the URL came from, for `check` and the log
    is_default_database: bool = False
    token_ttl: timedelta = timedelta(minutes=30)
    bcrypt_cost: int = 12
    config_file: Path = field(default_factory=user_config_file)


def load_config(
    db_url: str | None = None,
    environ: Mapping[str, str] | None = None,
    config_file: Path | None = None,
) -> AppConfig:
    """Read settings in order of precedence; a bad value raises ValidationError naming it."""
    environ = os.environ if environ is None else environ
    path = config_file or Path(environ.get(ENV_CONFIG_FILE) or user_config_file())
    file_settings = _read_file(path)
    db_section = _section(file_settings, "database", path)

    if db_url:
        url, source = db_url, "--db"
    elif environ.get(ENV_DB_URL):
        url, source = environ[ENV_DB_URL], ENV_DB_URL
    elif file_url := _str(db_section, "database", "url", path):
        url, source = file_url, str(path)
    else:
        url, source = f"sqlite:///{default_database_file()}", "default"
    _check_url(url, f"{path}: database.url" if source == str(path) else source)

    timeout = _int(db_section, "database", "connect_timeout", 10, path)
    if not 1 <= timeout <= MAX_CONNECT_TIMEOUT:
        raise ValidationError(
            f"{path}: database.connect_timeout", f"must be 1 to {MAX_CONNECT_TIMEOUT} seconds."
        )
    verify = db_section.get("ssl_verify_cert")
    if verify is not None and not isinstance(verify, bool):
        raise ValidationError(f"{path}: database.ssl_verify_cert", "must be true or false.")
    ssl_ca = _str(db_section, "database", "ssl_ca", path)
    settings = DatabaseSettings(
        url=url,
        connect_timeout=timeout,
        ssl_ca=ssl_ca or None,
        ssl_verify_cert=verify,
    )
    ttl = _int(_section(file_settings, "session", path), "session", "ttl_minutes", 30, path)
    cost = _int(_section(file_settings, "security", path), "security", "bcrypt_cost", 12, path)
    if not 1 <= ttl <= 24 * 60:
        raise ValidationError(f"{path}: session.ttl_minutes", "must be 1 to 1440.")
    if not 10 <= cost <= 16:
        raise ValidationError(f"{path}: security.bcrypt_cost", "must be 10 to 16.")
    return AppConfig(
        database=settings,
        source=source,
        is_default_database=source == "default",
        token_ttl=timedelta(minutes=ttl),
        bcrypt_cost=cost,
        config_file=path,
    )


def _read_file(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as stream:
            return tomllib.load(stream)
    except FileNotFoundError:
        return {}
    except tomllib.TOMLDecodeError as error:
        raise ValidationError(str(path), f"is not valid TOML: {error}") from None
    except UnicodeDecodeError:
        raise ValidationError(str(path), "is not UTF-8 text; save it as UTF-8.") from None
    except OSError as error:
        raise ValidationError(str(path), f"cannot be read: {error.strerror}") from None


def _section(settings: dict[str, Any], name: str, path: Path) -> dict[str, Any]:
    section = settings.get(name, {})
    if not isinstance(section, dict):
        raise ValidationError(f"{path}: [{name}]", "must be a table.")
    return section


def _check_url(url: str, where: str) -> None:
    """Refuse a URL SQLAlchemy cannot read or has no driver for, naming where it came from."""
    try:
        parsed = parse_url(url)
        parsed.get_dialect()
    except ValidationError as error:
        raise ValidationError(where, error.message) from None
    except ValueError:  # e.g. a port that is not a number; the message may quote the URL
        raise ValidationError(where, "is not a readable database URL; check the port.") from None
    except NoSuchModuleError:
        raise ValidationError(
            where, "names an unknown database driver; use mysql+mysqlconnector:// or sqlite:///"
        ) from None
    # The driver takes a password from the query string too, where safe_url() cannot hide it.
    if PASSWORD_PARAMETERS & {key.lower() for key in parsed.query}:
        raise ValidationError(
            where, "must not carry the password as a query parameter; write user:password@host."
        )


def _str(section: dict[str, Any], name: str, key: str, path: Path) -> str:
    """A text value as written; a number or a list is a mistake, not something to convert."""
    value = section.get(key, "")
    if not isinstance(value, str):
        raise ValidationError(f"{path}: {name}.{key}", "must be text in double quotes.")
    return value


def _int(section: dict[str, Any], name: str, key: str, default: int, path: Path) -> int:
    value = section.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError(f"{path}: {name}.{key}", "must be a whole number.")
    return value
