"""Settings: where the database URL comes from, what the config file may hold, and that no
password leaks through repr() or an error message."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import event

from studentres_desktop.config import MAX_CONNECT_TIMEOUT, load_config
from studentres_desktop.domain.errors import ValidationError
from studentres_desktop.persistence.engine import (
    DatabaseSettings,
    create_database_engine,
    safe_url,
)

SECRET = "s3cretPW"
MYSQL_URL = f"mysql+mysqlconnector://studentres:{SECRET}@db.example.edu:3306/studentres"


def write_toml(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def refused(tmp_path: Path, toml: str) -> ValidationError:
    path = write_toml(tmp_path, toml)
    with pytest.raises(ValidationError) as caught:
        load_config(environ={}, config_file=path)
    return caught.value


# --- where the URL comes from ---------------------------------------------------------------------


def test_db_option_beats_environment_which_beats_config_file(tmp_path):
    path = write_toml(tmp_path, '[database]\nurl = "sqlite:///from-file.db"\n')
    env = {"STUDENTRES_DB_URL": "sqlite:///from-env.db"}

    from_option = load_config("sqlite:///from-option.db", environ=env, config_file=path)
    from_env = load_config(None, environ=env, config_file=path)
    from_file = load_config(None, environ={}, config_file=path)

    assert (from_option.database.url, from_option.source) == ("sqlite:///from-option.db", "--db")
    assert (from_env.database.url, from_env.source) == (
        "sqlite:///from-env.db",
        "STUDENTRES_DB_URL",
    )
    assert (from_file.database.url, from_file.source) == ("sqlite:///from-file.db", str(path))
    assert not any(c.is_default_database for c in (from_option, from_env, from_file))


def test_empty_option_and_environment_fall_through_to_the_next_source(tmp_path):
    path = write_toml(tmp_path, '[database]\nurl = "sqlite:///from-file.db"\n')
    config = load_config("", environ={"STUDENTRES_DB_URL": ""}, config_file=path)
    assert config.database.url == "sqlite:///from-file.db"


def test_default_is_an_sqlite_file_in_the_user_data_folder():
    config = load_config(environ={})

    data_home = Path(os.environ["XDG_DATA_HOME"])  # a tmp folder, see tests/conftest.py
    assert config.database.url.startswith("sqlite:///")
    database_file = Path(config.database.url.removeprefix("sqlite:///"))
    assert database_file.is_relative_to(data_home)
    assert database_file.suffix == ".sqlite3"
    assert config.is_default_database
    assert config.source == "default"
    assert config.database.connect_timeout <= MAX_CONNECT_TIMEOUT
    assert config.token_ttl == timedelta(minutes=30)
    assert config.bcrypt_cost == 12


def test_config_file_lives_in_the_user_config_folder_unless_the_environment_names_another(
    tmp_path,
):
    config_home = Path(os.environ["XDG_CONFIG_HOME"])
    assert load_config(environ={}).config_file.is_relative_to(config_home)

    elsewhere = tmp_path / "elsewhere.toml"
    elsewhere.write_text('[database]\nurl = "sqlite:///named.db"\n', encoding="utf-8")
    config = load_config(environ={"STUDENTRES_CONFIG": str(elsewhere)})
    assert config.config_file == elsewhere
    assert config.database.url == "sqlite:///named.db"
    assert config.source == str(elsewhere)


def test_the_real_environment_is_read_when_none_is_given(monkeypatch):
    monkeypatch.setenv("STUDENTRES_DB_URL", "sqlite:///from-real-env.db")
    assert load_config().database.url == "sqlite:///from-real-env.db"


def test_a_missing_config_file_means_defaults(tmp_path):
    config = load_config(environ={}, config_file=tmp_path / "absent.toml")
    assert config.is_default_database
    assert config.config_file == tmp_path / "absent.toml"


def test_a_full_config_file_is_read(tmp_path):
    path = write_toml(
        tmp_path,
        f"""
[database]
url = "{MYSQL_URL}"
ssl_ca = "/etc/ssl/certs/university-ca.pem"
ssl_verify_cert = true
connect_timeout = 7

[session]
ttl_minutes = 45

[security]
bcrypt_cost = 13
""",
    )
    config = load_config(environ={}, config_file=path)
    assert config.database == DatabaseSettings(
        url=MYSQL_URL,
        connect_timeout=7,
        ssl_ca="/etc/ssl/certs/university-ca.pem",
        ssl_verify_cert=True,
    )
    assert config.token_ttl == timedelta(minutes=45)
    assert config.bcrypt_cost == 13


# --- the config file's errors name the file and the key -------------------------------------------


def test_invalid_toml_names_the_file_and_the_line(tmp_path):
    error = refused(tmp_path, '[database]\nurl = "sqlite:///x.db\n')
    assert error.field == str(tmp_path / "config.toml")
    assert "not valid TOML" in error.message
    assert "line 2" in error.message


@pytest.mark.parametrize(
    ("toml", "key"),
    [
        ('[database]\nconnect_timeout = "ten"\n', "database.connect_timeout"),
        ("[database]\nconnect_timeout = 2.5\n", "database.connect_timeout"),
        ('[database]\nssl_verify_cert = "yes"\n', "database.ssl_verify_cert"),
        ("[session]\nttl_minutes = true\n", "session.ttl_minutes"),
        ('[security]\nbcrypt_cost = "12"\n', "security.bcrypt_cost"),
        ("database = 5\n", "[database]"),
        ('session = "long"\n', "[session]"),
        ('[database]\nurl = "not a url"\n', "database.url"),
        ('[database]\nurl = "mysql+nodriver://u@h/x"\n', "database.url"),
    ],
)
def test_a_bad_value_names_the_file_and_the_key(tmp_path, toml, key):
    error = refused(tmp_path, toml)
    assert error.field == f"{tmp_path / 'config.toml'}: {key}"
    assert error.message


@pytest.mark.parametrize("timeout", [1, 5, MAX_CONNECT_TIMEOUT])
def test_connect_timeout_within_bounds_is_used(tmp_path, timeout):
    path = write_toml(tmp_path, f"[database]\nconnect_timeout = {timeout}\n")
    assert load_config(environ={}, config_file=path).database.connect_timeout == timeout


@pytest.mark.parametrize("timeout", [0, -1, MAX_CONNECT_TIMEOUT + 1, 60])
def test_connect_timeout_beyond_ten_seconds_or_below_one_is_refused(tmp_path, timeout):
    assert MAX_CONNECT_TIMEOUT <= 10
    error = refused(tmp_path, f"[database]\nconnect_timeout = {timeout}\n")
    assert error.field.endswith("database.connect_timeout")


@pytest.mark.parametrize(("cost", "accepted"), [(9, False), (10, True), (16, True), (17, False)])
def test_bcrypt_cost_bounds(tmp_path, cost, accepted):
    path = write_toml(tmp_path, f"[security]\nbcrypt_cost = {cost}\n")
    if accepted:
        assert load_config(environ={}, config_file=path).bcrypt_cost == cost
    else:
        with pytest.raises(ValidationError) as caught:
            load_config(environ={}, config_file=path)
        assert caught.value.field.endswith("security.bcrypt_cost")


@pytest.mark.parametrize(("ttl", "accepted"), [(0, False), (1, True), (1440, True), (1441, False)])
def test_session_ttl_bounds(tmp_path, ttl, accepted):
    path = write_toml(tmp_path, f"[session]\nttl_minutes = {ttl}\n")
    if accepted:
        assert load_config(environ={}, config_file=path).token_ttl == timedelta(minutes=ttl)
    else:
        with pytest.raises(ValidationError) as caught:
            load_config(environ={}, config_file=path)
        assert caught.value.field.endswith("session.ttl_minutes")


def test_ssl_options_reach_the_database_settings(tmp_path):
    path = write_toml(tmp_path, '[database]\nssl_ca = "/etc/ssl/ca.pem"\nssl_verify_cert = false\n')
    settings = load_config(MYSQL_URL, environ={}, config_file=path).database
    assert settings.ssl_ca == "/etc/ssl/ca.pem"
    assert settings.ssl_verify_cert is False


def test_without_ssl_options_the_driver_defaults_apply():
    settings = load_config(MYSQL_URL, environ={}).database
    assert settings.ssl_ca is None
    assert settings.ssl_verify_cert is None


def test_ssl_options_and_timeout_are_handed_to_the_mysql_driver(tmp_path):
    path = write_toml(
        tmp_path,
        '[database]\nssl_ca = "/etc/ssl/ca.pem"\nssl_verify_cert = true\nconnect_timeout = 4\n',
    )
    settings = load_config(MYSQL_URL, environ={}, config_file=path).database
    engine = create_database_engine(settings)
    seen: dict[str, object] = {}

    class InterceptedError(Exception):
        pass

    @event.listens_for(engine, "do_connect")
    def _capture(_dialect, _record, _cargs, cparams):
        seen.update(cparams)
        raise InterceptedError  # no network: stop before the driver dials out

    try:
        with pytest.raises(InterceptedError):
            engine.connect()
    finally:
        engine.dispose()
    assert seen["ssl_ca"] == "/etc/ssl/ca.pem"
    assert seen["ssl_verify_cert"] is True
    assert seen["connection_timeout"] == 4


# --- passwords --------------------------------------------------------------------------------


def test_repr_and_str_of_database_settings_hide_the_password():
    settings = DatabaseSettings(MYSQL_URL, ssl_ca="/etc/ssl/ca.pem")
    for text in (repr(settings), str(settings), f"{settings!r}"):
        assert SECRET not in text
        assert "studentres:***@db.example.edu" in text


def test_repr_of_the_whole_config_hides_the_password():
    config = load_config(MYSQL_URL, environ={})
    assert SECRET not in repr(config)
    assert SECRET not in str(config)


def test_a_percent_encoded_password_is_hidden_in_both_spellings():
    url = "mysql+mysqlconnector://u:p%40ss%3Aword@h/x"
    for text in (safe_url(url), repr(DatabaseSettings(url))):
        assert "p%40ss" not in text
        assert "p@ss" not in text
        assert "u:***@h" in text


def test_safe_url_keeps_what_helps_and_hides_the_password():
    assert (
        safe_url(MYSQL_URL)
        == "mysql+mysqlconnector://studentres:***@db.example.edu:3306/studentres"
    )
    assert safe_url("sqlite:////tmp/x.sqlite3") == "sqlite:////tmp/x.sqlite3"
    assert safe_url(f"garbage {SECRET}") == "<unreadable database URL>"


def test_safe_url_hides_a_password_given_as_query_parameter():
    assert SECRET not in safe_url(f"mysql+mysqlconnector://u@h/x?password={SECRET}")


@pytest.mark.parametrize(
    "url",
    [
        f"mysql+mysqlconnector://u:{SECRET}@127.0.0.1:notaport/x",
        f"mysql+nodriver://u:{SECRET}@127.0.0.1/x",
        f"no url at all {SECRET}",
        f"mysql+mysqlconnector://u@127.0.0.1/x?password={SECRET}",
        f"mysql+mysqlconnector://u@127.0.0.1/x?passwd={SECRET}",
    ],
)
def test_a_bad_url_is_refused_naming_its_source_and_never_quoting_the_password(url):
    with pytest.raises(ValidationError) as from_option:
        load_config(url, environ={})
    with pytest.raises(ValidationError) as from_env:
        load_config(environ={"STUDENTRES_DB_URL": url})
    assert from_option.value.field == "--db"
    assert from_env.value.field == "STUDENTRES_DB_URL"
    for error in (from_option.value, from_env.value):
        assert SECRET not in str(error)
        assert SECRET not in repr(error)


# --- the recommendation model ---------------------------------------------------------------------


def test_the_recommendation_model_is_a_packaged_name_or_a_folder(tmp_path):
    default = load_config(environ={}, config_file=tmp_path / "none.toml")
    assert (default.recommendation_model.name, default.recommendation_model.folder) == (
        "all-MiniLM-L6-v2", None)
    assert default.recommendation_model.key == "all-MiniLM-L6-v2/chunks128/v1"

    folder = tmp_path / "models" / "paraphrase-multilingual-MiniLM-L12-v2"
    path = write_toml(tmp_path, f'[recommendations]\nmodel = "{folder.as_posix()}/"\n')
    chosen = load_config(environ={}, config_file=path).recommendation_model
    assert chosen.folder == folder  # need not exist: workstations rank from stored vectors
    assert chosen.name == "paraphrase-multilingual-MiniLM-L12-v2"
    assert chosen.key == "paraphrase-multilingual-MiniLM-L12-v2/chunks128/v1"

    path = write_toml(tmp_path, '[recommendations]\nmodel = "all-mpnet-base-v2"\n')
    split = load_config(environ={}, config_file=path).recommendation_model
    assert (split.name, split.folder, split.key) == (
        "all-mpnet-base-v2", None, "all-mpnet-base-v2/chunks128/v1")  # from its five packages


@pytest.mark.parametrize(("value", "message"), [
    ('"gpt-7"', "names no installed model package"),
    ('""', "must be a model name or the path"),
    ("12", "must be a model name or the path"),
    (f'"./{"x" * 90}"', "must be 1 to 80 characters"),
])
def test_a_bad_recommendation_model_is_refused_naming_the_setting(tmp_path, value, message):
    error = refused(tmp_path, f"[recommendations]\nmodel = {value}\n")
    assert error.field.endswith("recommendations.model")
    assert message in error.message


def test_the_multilingual_model_is_on_by_default_and_an_empty_setting_turns_it_off(tmp_path):
    default = load_config(environ={}, config_file=tmp_path / "none.toml")
    assert default.multilingual_model is not None
    assert default.multilingual_model.key == "multilingual-e5-small/chunks128/v2"

    off = write_toml(tmp_path, '[recommendations]\nmultilingual_model = "  "\n')
    assert load_config(environ={}, config_file=off).multilingual_model is None

    folder = tmp_path / "models" / "my-multilingual"
    chosen = write_toml(tmp_path,
                        f'[recommendations]\nmultilingual_model = "{folder.as_posix()}"\n')
    picked = load_config(environ={}, config_file=chosen).multilingual_model
    assert picked is not None and (picked.name, picked.folder) == ("my-multilingual", folder)


@pytest.mark.parametrize(("value", "message"), [
    ('"gpt-7"', "names no installed model package"),
    ("12", "must be a model name or the path"),
    (f'"./{"x" * 90}"', "must be 1 to 80 characters"),
])
def test_a_bad_multilingual_model_is_refused_naming_the_setting(tmp_path, value, message):
    error = refused(tmp_path, f"[recommendations]\nmultilingual_model = {value}\n")
    assert error.field.endswith("recommendations.multilingual_model")
    assert message in error.message


def test_a_config_file_that_is_not_utf8_is_refused_by_its_path(tmp_path):
    # Found by fuzzing: the byte 0x80 raised UnicodeDecodeError out of load_config, so the app
    # stopped with a traceback instead of saying which file to fix.
    path = tmp_path / "config.toml"
    path.write_bytes(b'[database]\nurl = "sqlite:///caf\xe9.db"\n')  # Latin-1, as Notepad may save
    with pytest.raises(ValidationError) as caught:
        load_config(environ={}, config_file=path)
    assert caught.value.field == str(path)
    assert "UTF-8" in caught.value.message


@pytest.mark.parametrize("key", ["url", "ssl_ca"])
@pytest.mark.parametrize("value", ["1", "false", '["/etc/ca.pem"]'])
def test_text_settings_that_are_not_text_are_refused_by_key(tmp_path, key, value):
    # Found by fuzzing: ssl_ca = 1 became the CA file "1"; a url of a list became its repr.
    error = refused(tmp_path, f"[database]\n{key} = {value}\n")
    assert error.field.endswith(f"database.{key}")
    assert "text" in error.message
