"""config.toml values, --db and STUDENTRES_DB_URL under generated input (no database needed).

Every setting is taken exactly as written or refused with a ValidationError naming the file and
the key (or the option), and no error names a password it was given.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from hypothesis import assume, given
from hypothesis import strategies as st

from studentres_desktop.config import load_config
from studentres_desktop.domain.errors import ValidationError
from tests.fuzz.strategies import any_char, limit_integers, text

KEYS = {
    "database": ("url", "ssl_ca", "ssl_verify_cert", "connect_timeout"),
    "session": ("ttl_minutes",),
    "security": ("bcrypt_cost",),
}


def toml_string(value: str) -> str:
    escaped = "".join(
        "\\\\" if c == "\\" else '\\"' if c == '"' else
        f"\\u{ord(c):04x}" if ord(c) < 0x20 or ord(c) == 0x7F else c
        for c in value
    )
    return f'"{escaped}"'


def toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf") if math.isinf(
            value) else repr(value)
    if isinstance(value, str):
        return toml_string(value)
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(item) for item in value) + "]"
    return "{" + ", ".join(f"{toml_string(k)} = {toml_value(v)}" for k, v in value.items()) + "}"


# TOML holds Unicode scalar values only: no lone surrogates in a file.
file_text = text().map(lambda value: "".join(c for c in value if not "\ud800" <= c <= "\udfff"))
scalars = st.one_of(
    file_text, st.booleans(), limit_integers.filter(lambda n: -(2**63) <= n < 2**63),
    st.floats(), st.sampled_from([1, 10, 16, 1440, 0, 11, 17, 1441]),
)
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3)
                      | st.dictionaries(st.text(max_size=5), inner, max_size=2), max_leaves=4)
urls = st.one_of(
    st.sampled_from(["sqlite:///x.db", "mysql+mysqlconnector://u:pw@db.example.edu:3306/sr"]),
    st.builds(lambda user, host, port, db: f"mysql+mysqlconnector://{user}:pw@{host}:{port}/{db}",
              file_text, file_text, st.integers(-1, 70_000).map(str) | file_text, file_text),
    file_text.map(lambda path: "sqlite:///" + path),
    file_text,
)
settings_values = st.fixed_dictionaries({
    section: st.fixed_dictionaries({}, optional={
        key: (urls | values) if key == "url" else values for key in keys})
    for section, keys in KEYS.items()
})


def render(config: dict[str, dict[str, Any]]) -> str:
    return "".join(
        f"[{section}]\n" + "".join(f"{key} = {toml_value(v)}\n" for key, v in table.items())
        for section, table in config.items()
    )


@given(config=settings_values)
def test_every_config_value_is_taken_exactly_or_refused_by_file_and_key(
    tmp_path_factory, config: dict[str, dict[str, Any]]
):
    path = tmp_path_factory.mktemp("config") / "config.toml"
    path.write_text(render(config), encoding="utf-8")
    try:
        loaded = load_config(environ={}, config_file=path)
    except ValidationError as error:
        named = {f"{path}: {section}.{key}" for section, keys in KEYS.items() for key in keys}
        named |= {f"{path}: [{section}]" for section in KEYS}
        assert error.field in named, error
        return
    database, session, security = config["database"], config["session"], config["security"]
    if database.get("url"):
        assert loaded.database.url == database["url"]
    assert loaded.database.ssl_ca == (database.get("ssl_ca") or None)
    assert loaded.database.ssl_verify_cert == database.get("ssl_verify_cert")
    assert loaded.database.connect_timeout == database.get("connect_timeout", 10)
    assert loaded.token_ttl.total_seconds() == 60 * session.get("ttl_minutes", 30)
    assert loaded.bcrypt_cost == security.get("bcrypt_cost", 12)


@given(content=st.binary(max_size=200) | file_text.map(str.encode))
def test_a_config_file_of_any_bytes_is_read_or_refused_by_its_path(tmp_path_factory,
                                                                   content: bytes):
    path = tmp_path_factory.mktemp("config") / "config.toml"
    path.write_bytes(content)
    try:
        load_config(environ={}, config_file=path)
    except ValidationError as error:
        assert error.field.startswith(str(path)), error


@given(url=urls, password=st.text(any_char, min_size=1, max_size=12), source=st.booleans())
def test_a_database_url_from_the_option_or_environment_is_taken_exactly_or_refused(
    tmp_path_factory, url: str, password: str, source: bool
):
    secret = f"Pw{password}Z9"
    url = url.replace(":pw@", f":{secret}@")
    assume(url)
    missing = tmp_path_factory.mktemp("config") / "absent.toml"
    try:
        if source:
            loaded = load_config(url, environ={}, config_file=missing)
        else:
            loaded = load_config(None, environ={"STUDENTRES_DB_URL": url}, config_file=missing)
    except ValidationError as error:
        assert error.field == ("--db" if source else "STUDENTRES_DB_URL"), error
        assert secret not in str(error)
        return
    assert loaded.database.url == url
    assert secret not in repr(loaded)


def test_the_renderer_writes_toml_that_reads_back():
    import tomllib

    config = {"database": {"url": 'a"\\\x00\u202e', "x": [1.5, {"k": True}]}}
    assert tomllib.loads(render(config)) == config
    assert Path  # the module's imports stay used when the properties change
