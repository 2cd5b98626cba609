"""Settings: the database URL from --db, then STUDENTRES_DB_URL, then the user's config file.

The config file is TOML, in the user's config folder (see `studentres-admin check`):

    [database]
    url = "mysql+mysqlconnector://studentres:secret@db.example.edu:3306/studentres"
    ssl_ca = "/etc/ssl/certs/university-ca.pem"   # optional: TLS 1.2+, verified
    ssl_verify_cert = true                         # optional, default true with ssl_ca
    ssl_verify_identity = true                     # optional, default as ssl_verify_cert
    ssl_cert = "/etc/studentres/client-cert.pem"   # optional client certificate …
    ssl_key = "/etc/studentres/client-key.pem"     # … and its key
    connect_timeout = 10                           # seconds, at most 10
    hosts = ["db1:3306", "db2:3306", "db3:3306"]   # optional: the nodes of a cluster, in turn
                                                   # (or ?hosts= in the URL, or --db-hosts)

    [session]
    ttl_minutes = 30

    [security]
    bcrypt_cost = 12

    [site]
    timezone = "Europe/Madrid"    # the university's; default: this computer's zone

    [kiosk]
    enabled = false              # full screen, idle logout, short sessions (or --kiosk)
    idle_timeout_seconds = 120   # or --idle-timeout

    [recommendations]
    model = "all-MiniLM-L6-v2"   # or the path of a sentence-transformers folder
    multilingual_model = "multilingual-e5-small"   # goals in Spanish; "" turns it off
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from studentres_desktop.domain.errors import ValidationError
from studentres_desktop.paths import (
    default_database_file,
    private_dir,
    tighten_file,
    user_config_file,
    user_data_dir,
)

if TYPE_CHECKING:  # SQLAlchemy and numpy load with the database settings, not the kiosk's
    from zoneinfo import ZoneInfo

    from studentres_desktop.persistence.engine import DatabaseSettings
    from studentres_desktop.services.recommendations.embedder import ModelChoice

log = logging.getLogger(__name__)

ENV_DB_URL = "STUDENTRES_DB_URL"
ENV_CONFIG_FILE = "STUDENTRES_CONFIG"
MAX_CONNECT_TIMEOUT = 10
KIOSK_TOKEN_TTL = timedelta(minutes=15)
IDLE_TIMEOUT_RANGE = (10, 86_400)


@dataclass(frozen=True)
class AppConfig:
    database: DatabaseSettings
    source: str  # where the URL came from, for `check` and the log
    is_default_database: bool = False
    token_ttl: timedelta = timedelta(minutes=30)
    bcrypt_cost: int = 12
    config_file: Path = field(default_factory=user_config_file)
    # The university's time zone (resources' times are wall-clock times there); None: this
    # computer's zone.
    site_timezone: ZoneInfo | None = None
    # Which model's stored vectors rank the catalogue, and which model reindex computes them with.
    recommendation_model: ModelChoice = field(default_factory=lambda: _default_model())
    # What reads a learning goal written in Spanish, and every goal on a computer without the
    # main model (no torch needed); None: off.
    multilingual_model: ModelChoice | None = field(
        default_factory=lambda: _default_multilingual_model())


@dataclass(frozen=True)
class KioskSettings:
    """A shared front-desk machine: full screen, logout after idle time, short tokens."""

    enabled: bool = False
    idle_timeout: timedelta = timedelta(seconds=120)


def load_kiosk_settings(
    enabled: bool | None = None,
    idle_timeout_seconds: int | None = None,
    environ: Mapping[str, str] | None = None,
    config_file: Path | None = None,
) -> KioskSettings:
    """Command-line values win over `[kiosk]` in the config file; cheap, read before the window."""
    path = _config_path(environ, config_file)
    section = _section(_read_file(path), "kiosk", path)
    if enabled is None:
        enabled = section.get("enabled", False)
        if not isinstance(enabled, bool):
            raise ValidationError(f"{path}: kiosk.enabled", "must be true or false.")
    if idle_timeout_seconds is None:
        where = f"{path}: kiosk.idle_timeout_seconds"
        idle_timeout_seconds = _int(section, "kiosk", "idle_timeout_seconds", 120, path)
    else:
        where = "--idle-timeout"
    low, high = IDLE_TIMEOUT_RANGE
    if not low <= idle_timeout_seconds <= high:
        raise ValidationError(where, f"must be {low} to {high:,} seconds.")
    return KioskSettings(enabled, timedelta(seconds=idle_timeout_seconds))


def _config_path(environ: Mapping[str, str] | None, config_file: Path | None) -> Path:
    environ = os.environ if environ is None else environ
    return config_file or Path(environ.get(ENV_CONFIG_FILE) or user_config_file())


def load_config(
    db_url: str | None = None,
    environ: Mapping[str, str] | None = None,
    config_file: Path | None = None,
    db_hosts: str | None = None,
) -> AppConfig:
    """Read settings in order of precedence; a bad value raises ValidationError naming it."""
    from studentres_desktop.persistence.engine import DatabaseSettings

    environ = os.environ if environ is None else environ
    path = _config_path(environ, config_file)
    if path == user_config_file() and path.exists():
        _keep_private(path)
    file_settings = _read_file(path)
    db_section = _section(file_settings, "database", path)

    if db_url:
        url, source = db_url, "--db"
    elif environ.get(ENV_DB_URL):
        url, source = environ[ENV_DB_URL], ENV_DB_URL
    elif file_url := _str(db_section, "database", "url", path):
        from studentres_desktop.connection_file import with_keyring_password

        url, source = with_keyring_password(file_url), str(path)  # the password may be there
    else:
        private_dir(user_data_dir())
        url, source = f"sqlite:///{default_database_file()}", "default"
    _check_url(url, f"{path}: database.url" if source == str(path) else source)

    timeout = _int(db_section, "database", "connect_timeout", 10, path)
    if not 1 <= timeout <= MAX_CONNECT_TIMEOUT:
        raise ValidationError(
            f"{path}: database.connect_timeout", f"must be 1 to {MAX_CONNECT_TIMEOUT} seconds."
        )
    verify = _flag(db_section, "ssl_verify_cert", path)
    ssl_ca = _str(db_section, "database", "ssl_ca", path)
    ssl_cert, ssl_key = db_section.get("ssl_cert"), db_section.get("ssl_key")
    if bool(ssl_cert) != bool(ssl_key):
        raise ValidationError(
            f"{path}: database.{'ssl_key' if ssl_cert else 'ssl_cert'}",
            "is needed too: a client certificate comes with its key.",
        )
    settings = DatabaseSettings(
        url=url,
        connect_timeout=timeout,
        ssl_ca=ssl_ca or None,
        ssl_verify_cert=verify,
        ssl_verify_identity=_flag(db_section, "ssl_verify_identity", path),
        ssl_cert=str(ssl_cert) if ssl_cert else None,
        ssl_key=str(ssl_key) if ssl_key else None,
        hosts=_hosts(db_hosts, url, db_section, path),
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
        site_timezone=_zone(_section(file_settings, "site", path), path),
        recommendation_model=_model(_section(file_settings, "recommendations", path), path),
        multilingual_model=_multilingual_model(_section(file_settings, "recommendations", path),
                                               path),
    )


def _hosts(
    db_hosts: str | None, url: str, section: dict[str, Any], path: Path
) -> tuple[tuple[str, int], ...]:
    """The cluster's nodes: --db-hosts, else ?hosts= in the URL, else [database] hosts."""
    from studentres_desktop.persistence.engine import parse_url, url_hosts
    from studentres_desktop.persistence.nodes import parse_hosts

    parsed = parse_url(url)
    if db_hosts is not None:
        nodes = parse_hosts(db_hosts, "--db-hosts")
    elif parsed.query.get("hosts") is not None:
        nodes = url_hosts(parsed)
    elif "hosts" in section:
        nodes = parse_hosts(section["hosts"], f"{path}: database.hosts")
    else:
        return ()
    if parsed.get_backend_name() == "sqlite":
        raise ValidationError(
            "--db-hosts" if db_hosts is not None else f"{path}: database.hosts",
            "applies to MySQL/MariaDB servers only, not to an SQLite file.",
        )
    return nodes


def _zone(section: dict[str, Any], path: Path) -> ZoneInfo | None:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError  # the full settings only, after the window

    name = section.get("timezone")
    if name is None:
        return None
    where = f"{path}: site.timezone"
    if not isinstance(name, str) or not name.strip():
        raise ValidationError(where, "must be a time zone name such as Europe/Madrid.")
    try:
        return ZoneInfo(name.strip())
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: e.g. a folder name
        raise ValidationError(
            where, f"'{name[:60]}' is not a known time zone; use a name such as Europe/Madrid."
        ) from None


def _keep_private(path: Path) -> None:
    """The user's own config may hold the database password: keep it and its folder private."""
    try:
        private_dir(path.parent)
        tighten_file(path)
    except OSError as error:
        log.warning("cannot make %s private: %s", path, error.strerror)


def _read_file(path: Path) -> dict[str, Any]:
    try:
        stream = path.open("rb")
    except FileNotFoundError:
        return {}
    except OSError as error:
        raise ValidationError(str(path), f"cannot be read: {error.strerror}") from None
    # Loaded only when there is a file to parse (the embedded database needs none).
    import tomllib

    with stream:
        try:
            return tomllib.load(stream)
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
    from sqlalchemy.exc import NoSuchModuleError

    from studentres_desktop.persistence.engine import PASSWORD_PARAMETERS, parse_url

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


def _flag(section: dict[str, Any], key: str, path: Path) -> bool | None:
    value = section.get(key)
    if value is not None and not isinstance(value, bool):
        raise ValidationError(f"{path}: database.{key}", "must be true or false.")
    return value


def _default_model() -> ModelChoice:
    from studentres_desktop.services.recommendations.embedder import DEFAULT_MODEL

    return DEFAULT_MODEL


def _default_multilingual_model() -> ModelChoice:
    from studentres_desktop.services.recommendations.embedder import MULTILINGUAL_MODEL

    return MULTILINGUAL_MODEL


def _multilingual_model(section: dict[str, Any], path: Path) -> ModelChoice | None:
    """The `multilingual_model` setting; an empty one turns the second model off."""
    from studentres_desktop.services.recommendations.embedder import MULTILINGUAL_MODEL

    setting = section.get("multilingual_model", MULTILINGUAL_MODEL.name)
    if isinstance(setting, str) and not setting.strip():
        return None
    return _model_choice(setting, f"{path}: recommendations.multilingual_model")


def _model(section: dict[str, Any], path: Path) -> ModelChoice:
    from studentres_desktop.services.recommendations.embedder import DEFAULT_MODEL

    return _model_choice(section.get("model", DEFAULT_MODEL.name),
                         f"{path}: recommendations.model")


def _model_choice(setting: object, where: str) -> ModelChoice:
    """A packaged model's name or the path of a sentence-transformers folder."""
    from studentres_desktop.services.recommendations.embedder import (
        MODEL_NAME_MAX,
        MODEL_NAMES,
        choose_model,
    )

    if not isinstance(setting, str) or not setting.strip():
        raise ValidationError(where, "must be a model name or the path of a sentence-transformers "
                                     "folder.")
    choice = choose_model(setting)
    if choice.folder is None and choice.name not in MODEL_NAMES:
        raise ValidationError(where, f"names no installed model package; use "
                                     f"{', '.join(MODEL_NAMES)} or the path of a "
                                     "sentence-transformers folder.")
    if not 1 <= len(choice.name) <= MODEL_NAME_MAX:
        raise ValidationError(where, f"the folder's name must be 1 to {MODEL_NAME_MAX} "
                                     "characters: it is stored with the vectors.")
    return choice


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
