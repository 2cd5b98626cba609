"""Input checks shared by the services, the CLI and the forms' inline messages.

Each check returns the value to store or raises ValidationError(field, message). Text is
stored exactly as given once accepted; the only normalisation is the email address.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime
from urllib.parse import urlsplit

from email_validator import EmailNotValidError, validate_email

from studentres_desktop.domain.errors import ValidationError
from studentres_desktop.domain.models import ResourceKind
from studentres_desktop.services.common_passwords import COMMON_PASSWORDS

NAME_MAX = 100
EMAIL_MAX = 254
PASSWORD_MIN = 12
PASSWORD_MAX = 128
TITLE_MAX = 200
DESCRIPTION_MAX = 20_000
LOCATION_MAX = 200
URL_MAX = 2048
SEARCH_MAX = 200
GOAL_MAX = 500
TAG_MAX = 64
LABEL_MAX = 100
INTEREST_DESCRIPTION_MAX = 1000
CAPACITY_MAX = 100_000

_TAG_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 &+.\-]*$")
_MULTILINE_ALLOWED = {"\n", "\r", "\t"}


def _bad_character(value: str, *, multiline: bool) -> str | None:
    for char in value:
        category = unicodedata.category(char)
        if category == "Cs":
            return "contains a character that cannot be stored"
        if category == "Cc" and not (multiline and char in _MULTILINE_ALLOWED):
            return "contains a control character (such as a tab, line break or NUL)"
    return None


def check_text(
    field: str,
    value: str,
    *,
    max_length: int,
    required: bool = True,
    multiline: bool = False,
) -> str:
    """A free-text value, stored exactly as given, or a ValidationError naming the field."""
    if not isinstance(value, str):
        raise ValidationError(field, "must be text.")
    if required and not value.strip():
        raise ValidationError(field, "is required.")
    if len(value) > max_length:
        raise ValidationError(field, f"is too long: at most {max_length} characters.")
    problem = _bad_character(value, multiline=multiline)
    if problem:
        raise ValidationError(field, f"{problem}.")
    return value


def check_name(name: str) -> str:
    return check_text("name", name, max_length=NAME_MAX)


def check_email(email: str) -> str:
    """The normalised address: trimmed and lower-cased, so it is unique regardless of case."""
    if not isinstance(email, str) or not email.strip():
        raise ValidationError("email", "is required.")
    candidate = email.strip()
    if len(candidate) > EMAIL_MAX:
        raise ValidationError("email", f"is too long: at most {EMAIL_MAX} characters.")
    if _bad_character(candidate, multiline=False) or any(c.isspace() for c in candidate):
        raise ValidationError("email", "must not contain spaces or control characters.")
    try:
        result = validate_email(candidate, check_deliverability=False)
    except EmailNotValidError as error:
        reason = str(error)
        raise ValidationError(
            "email", f"is not a valid address: {reason[:1].lower()}{reason[1:]}"
        ) from None
    normalised = result.normalized.lower()
    if len(normalised) > EMAIL_MAX:
        raise ValidationError("email", f"is too long: at most {EMAIL_MAX} characters.")
    return normalised


def check_password(password: str, *, name: str = "", email: str = "") -> str:
    """Length counted in characters, no composition rules, and not a well-known password."""
    if not isinstance(password, str) or password == "":
        raise ValidationError("password", "is required.")
    if len(password) < PASSWORD_MIN:
        raise ValidationError(
            "password", f"is too short: use at least {PASSWORD_MIN} characters."
        )
    if len(password) > PASSWORD_MAX:
        raise ValidationError("password", f"is too long: at most {PASSWORD_MAX} characters.")
    if any(unicodedata.category(c) == "Cs" for c in password):
        raise ValidationError("password", "contains a character that cannot be used.")
    folded = password.casefold()
    if folded in COMMON_PASSWORDS or len(set(folded)) == 1:
        raise ValidationError(
            "password", "is too common and easy to guess; choose a less predictable one."
        )
    personal = {part.casefold() for part in (name.strip(), email.strip()) if part.strip()}
    if email and "@" in email:
        personal.add(email.split("@", 1)[0].casefold())
    if folded in personal:
        raise ValidationError("password", "must not be your name or email address.")
    return password


def check_tag(tag: str, field: str = "interest") -> str:
    if not isinstance(tag, str) or not tag.strip():
        raise ValidationError(field, "is required.")
    if len(tag) > TAG_MAX:
        raise ValidationError(field, f"is too long: at most {TAG_MAX} characters.")
    if not _TAG_PATTERN.match(tag) or tag != tag.strip():
        raise ValidationError(
            field,
            f"'{_shorten(tag)}' is not a valid tag: use letters, digits, spaces and & + . -",
        )
    return tag


def check_kind(value: str | ResourceKind) -> ResourceKind:
    try:
        return ResourceKind(str(value).strip().lower())
    except ValueError:
        allowed = ", ".join(k.value for k in ResourceKind)
        raise ValidationError(
            "kind", f"'{_shorten(str(value))}' is not one of: {allowed}."
        ) from None


def check_url(url: str) -> str:
    if not url:
        return ""
    check_text("url", url, max_length=URL_MAX)
    if any(c.isspace() for c in url):
        raise ValidationError("url", "must not contain spaces.")
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        raise ValidationError("url", "must be a web address starting with http:// or https://")
    return url


def check_capacity(value: int | None) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError("capacity", "must be a whole number.")
    if value < 1 or value > CAPACITY_MAX:
        raise ValidationError("capacity", f"must be between 1 and {CAPACITY_MAX}.")
    return value


def check_moment(field: str, value: datetime | None) -> datetime | None:
    """A local date and time as the editor gives it; an aware one cannot be compared or stored."""
    if value is None:
        return None
    if not isinstance(value, datetime):
        raise ValidationError(field, "must be a date and time.")
    if value.tzinfo is not None:
        raise ValidationError(field, "must be a local time, without a time zone.")
    if value.microsecond:  # MySQL's DATETIME drops them, SQLite keeps them: store neither
        raise ValidationError(field, "must be in whole seconds.")
    return value


def check_period(starts_at: datetime | None, ends_at: datetime | None) -> None:
    check_moment("starts_at", starts_at)
    check_moment("ends_at", ends_at)
    if ends_at is not None and starts_at is None:
        raise ValidationError("starts_at", "is required when an end time is given.")
    if starts_at is not None and ends_at is not None and ends_at < starts_at:
        raise ValidationError("ends_at", "must not be before the start time.")


def check_search(text: str) -> str:
    if not isinstance(text, str):
        raise ValidationError("search", "must be text.")
    if len(text) > SEARCH_MAX:
        raise ValidationError("search", f"is too long: at most {SEARCH_MAX} characters.")
    if _bad_character(text, multiline=False):
        raise ValidationError("search", "contains a control character.")
    return text.strip()


def _shorten(value: str, limit: int = 40) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"
