"""Schema migrations: an empty database, one from the original design and one from before
migrations all end at the newest revision, equal to db/schema.sql; the app refuses a schema too
old or too new for it in words IT can act on; a backup made as the docs say restores."""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from studentres_desktop.bootstrap import (
    build_services,
    check_database,
    prepare_embedded_database,
)
from studentres_desktop.cli import main
from studentres_desktop.domain.errors import SchemaNotReady, SchemaTooNew, SchemaTooOld
from studentres_desktop.domain.models import ResourceFilter
from studentres_desktop.persistence import tables as t
from studentres_desktop.persistence.accounts import AccountRole, create_account
from studentres_desktop.persistence.engine import DatabaseSettings, create_database_engine
from studentres_desktop.persistence.migrations import script_revisions
from studentres_desktop.persistence.revisions import HEAD, REVISIONS, VERSION_TABLE
from studentres_desktop.persistence.schema import applied_revision, ensure_schema, inspect_schema
from studentres_desktop.persistence.search_index import ensure_search_index
from studentres_desktop.services.passwords import PasswordHasher
from tests.conftest import IN_CI, SCHEMA_SQL, apply_schema_sql
from tests.integration.test_schema import describe, describe_procedures, describe_triggers
from tests.support.original import drop_every_table

PASSWORD = "correct horse battery staple"
FUTURE = "0099_from_a_newer_app"


def cli(*args: str) -> Any:
    return CliRunner().invoke(main, list(args))


def revision_of(url: str) -> str | None:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return applied_revision(conn)
    finally:
        engine.dispose()


def set_revision(url: str, revision: str | None) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql(f"DELETE FROM {VERSION_TABLE}")
        if revision is not None:
            conn.execute(text(f"INSERT INTO {VERSION_TABLE} VALUES (:r)"), {"r": revision})
    engine.dispose()


# --- the revisions the app knows ------------------------------------------------------------------


def test_the_apps_revision_list_is_alembics_history():
    assert script_revisions() == list(REVISIONS)


def test_schema_sql_records_the_newest_revision():
    assert f"SELECT '{HEAD}' FROM DUAL" in SCHEMA_SQL.read_text(encoding="utf-8")


# --- an empty database ----------------------------------------------------------------------------


@pytest.mark.mysql
def test_migrating_an_empty_mariadb_gives_exactly_schema_sql(mysql_databases):
    from_sql, migrated = mysql_databases(), mysql_databases()
    apply_schema_sql(from_sql)

    changes = ensure_schema(create_database_engine(DatabaseSettings(migrated)))

    assert [c for c in changes if c.startswith("applied migration")] == [
        f"applied migration {revision}" for revision in REVISIONS]
    assert describe(migrated) == describe(from_sql)
    assert describe_procedures(migrated) == describe_procedures(from_sql)
    assert revision_of(migrated) == revision_of(from_sql) == HEAD


def test_migrating_an_empty_sqlite_gives_the_table_definitions(tmp_path):
    """SQLite cannot run schema.sql; the table definitions, which equal it, stand in. SQLite
    keeps every table, index and trigger as its DDL text, so that text is compared."""
    migrated, reference = (f"sqlite:///{tmp_path / name}" for name in ("m.sqlite3", "r.sqlite3"))
    ensure_schema(create_database_engine(DatabaseSettings(migrated)))
    engine = create_engine(reference)
    with engine.begin() as conn:
        t.metadata.create_all(conn)
        ensure_search_index(conn)
    engine.dispose()

    objects = sqlite_objects(migrated)
    assert "PRIMARY KEY (version_num)" in objects.pop(("table", VERSION_TABLE))
    assert objects == sqlite_objects(reference)
    assert ("trigger", "trg_resource_search_insert") in objects
    assert revision_of(migrated) == HEAD


def sqlite_objects(url: str) -> dict[tuple[str, str], str]:
    """Every table, index and trigger with the SQL SQLite stores for it."""
    engine = create_engine(url)
    with engine.connect() as conn:
        rows = conn.exec_driver_sql(
            "SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL").all()
    engine.dispose()
    return {(str(kind), str(name)): str(sql) for kind, name, sql in rows}


# --- the original design, with rows written by plain SQL ------------------------------------------


def make_original_design(url: str) -> list[tuple[Any, ...]]:
    """Only the two original tables with their original columns; returns their rows."""
    engine = create_engine(url)
    serial = "INTEGER PRIMARY KEY" + ("" if engine.dialect.name == "sqlite" else " AUTO_INCREMENT")
    hashed = PasswordHasher(4).hash(PASSWORD)
    with engine.begin() as conn:
        drop_every_table(conn)
        conn.exec_driver_sql(
            f"CREATE TABLE students_data (id {serial}, name VARCHAR(100),"
            " email VARCHAR(254) UNIQUE, password_hash VARCHAR(255), interest VARCHAR(64))")
        conn.exec_driver_sql(
            f"CREATE TABLE interest_resources (id {serial}, interest_tag VARCHAR(64),"
            " workshop TEXT, training TEXT, event TEXT)")
        conn.execute(text(
            "INSERT INTO students_data (name, email, password_hash, interest) VALUES "
            "('Ada', 'ada@example.edu', :hash, 'AI'), ('Linus', 'linus@example.edu', :hash, NULL)"
        ), {"hash": hashed})
        conn.exec_driver_sql(
            "INSERT INTO interest_resources (interest_tag, workshop, training, event) VALUES "
            "('AI', 'Intro to ML', NULL, 'AI ethics panel'),"
            "('Robotics', NULL, 'Soldering basics', NULL),"
            "(NULL, 'Untagged workshop', NULL, NULL)")
    rows = original_rows(engine)
    engine.dispose()
    return rows


def original_rows(engine: Any) -> list[tuple[Any, ...]]:
    with engine.connect() as conn:
        students = conn.exec_driver_sql(
            "SELECT id, name, email, password_hash, interest FROM students_data ORDER BY id").all()
        resources = conn.exec_driver_sql(
            "SELECT id, interest_tag, workshop, training, event FROM interest_resources"
            " ORDER BY id").all()
    return [tuple(row) for row in (*students, *resources)]


def test_the_original_design_keeps_every_row_and_the_app_logs_in_and_browses(
        database_url, clock):
    before = make_original_design(database_url)
    services = build_services(DatabaseSettings(database_url), bcrypt_cost=4, clock=clock)
    assert inspect_schema(services.engine).too_old

    changes = ensure_schema(services.engine)

    assert "added column students_data.role" in changes
    assert "added column interest_resources.kind" in changes
    assert f"applied migration {HEAD}" in changes
    assert original_rows(services.engine) == before
    assert inspect_schema(services.engine).current
    assert ensure_schema(services.engine) == []  # a second run changes nothing
    assert original_rows(services.engine) == before
    services.catalogue.seed_interests()
    token = services.auth.login("ada@example.edu", PASSWORD).token
    page = services.resources.browse(token, ResourceFilter())
    assert sorted(r.title for r in page.items) == [
        "AI ethics panel", "Intro to ML", "Soldering basics", "Untagged workshop"]
    services.dispose()


def test_upgrade_db_on_the_original_design_reports_the_revisions(database_url):
    before = make_original_design(database_url)

    first = cli("upgrade-db", "--db", database_url)
    second = cli("upgrade-db", "--db", database_url)

    assert first.exit_code == 0, first.output
    assert f"Schema upgraded from revision none to {HEAD};" in first.output
    assert second.exit_code == 0, second.output
    assert second.output.strip() == f"Schema is current (revision {HEAD}); 0 changes."
    engine = create_engine(database_url)
    assert original_rows(engine) == before
    engine.dispose()


def test_a_database_made_before_migrations_is_adopted_without_recreating(database_url):
    """As an older init-db left it: every table, no alembic_version, seconds-only times."""
    engine = create_database_engine(DatabaseSettings(database_url))
    ensure_schema(engine)
    with engine.begin() as conn:
        conn.exec_driver_sql(f"DROP TABLE {VERSION_TABLE}")
        conn.exec_driver_sql("INSERT INTO interests (tag, label) VALUES ('AI', 'AI')")
        if conn.dialect.name != "sqlite":
            for table, column in (("saved_resources", "saved_at"), ("rsvps", "created_at"),
                                  ("audit_log", "occurred_at")):
                conn.exec_driver_sql(f"ALTER TABLE {table} MODIFY {column} DATETIME NOT NULL")
    report = inspect_schema(engine)
    assert report.too_old and report.revision is None

    changes = ensure_schema(engine)

    assert not [c for c in changes if c.startswith(("created table", "added column"))]
    assert [c for c in changes if c.startswith("applied migration")] == [
        f"applied migration {revision}" for revision in REVISIONS]
    assert inspect_schema(engine).current
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT label FROM interests").scalar_one() == "AI"
    engine.dispose()


@pytest.mark.mysql
def test_microseconds_keep_the_order_of_saves_within_one_second(mysql_url, clock):
    apply_schema_sql(mysql_url)
    services = build_services(DatabaseSettings(mysql_url), bcrypt_cost=4, clock=clock)
    engine = services.engine
    with engine.begin() as conn:
        conn.exec_driver_sql("INSERT INTO students_data (name, email, password_hash) "
                             "VALUES ('Ada', 'ada@example.edu', 'x')")
        for n, micro in enumerate((900_000, 100_000, 500_000)):
            conn.exec_driver_sql(
                "INSERT INTO saved_resources (student_id, resource_id, kind, title, saved_at) "
                f"VALUES (1, {n}, 'event', 't{n}', '2026-11-27 09:00:00.{micro:06d}')")
        order = conn.exec_driver_sql(
            "SELECT resource_id FROM saved_resources ORDER BY saved_at").scalars().all()
    assert order == [1, 2, 0]
    services.dispose()


# --- too old, too new -----------------------------------------------------------------------------


def test_a_schema_too_old_or_too_new_is_refused_with_what_to_do(make_services):
    services = make_services()
    url = services.engine.url.render_as_string(hide_password=False)

    set_revision(url, REVISIONS[0])
    with pytest.raises(SchemaTooOld) as old:
        check_database(services)
    assert "Ask IT to run 'studentres-admin upgrade-db' with the owner account" in str(old.value)
    checked = cli("check", "--db", url)
    assert checked.exit_code == 1
    assert f"Revision:  {REVISIONS[0]} (this app expects {HEAD})" in checked.output
    assert "run 'studentres-admin upgrade-db' with the owner account" in checked.output

    set_revision(url, None)
    with pytest.raises(SchemaTooOld, match="revision none"):
        check_database(services)

    set_revision(url, FUTURE)
    with pytest.raises(SchemaTooNew) as new:
        check_database(services)
    assert "This app is older than the database" in str(new.value)
    assert "Install the newer version" in str(new.value)
    with pytest.raises(SchemaTooNew):  # nor does it try to migrate a database it does not know
        ensure_schema(services.engine)
    assert revision_of(url) == FUTURE
    refused = cli("upgrade-db", "--db", url)
    assert refused.exit_code == 1
    assert "Error: This app is older than the database" in refused.output
    assert "Traceback" not in refused.output
    assert "install the newer version" in cli("check", "--db", url).output

    set_revision(url, HEAD)
    check_database(services)


def test_a_database_never_set_up_asks_for_init_db(empty_url, clock):
    services = build_services(DatabaseSettings(empty_url), bcrypt_cost=4, clock=clock)
    with pytest.raises(SchemaNotReady) as raised:
        check_database(services)
    assert not isinstance(raised.value, SchemaTooOld | SchemaTooNew)
    assert "Ask IT to run 'studentres-admin init-db'" in str(raised.value)
    services.dispose()


@pytest.fixture(params=["sqlite", pytest.param("mysql", marks=pytest.mark.mysql)])
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    return request.getfixturevalue("mysql_databases")()  # type: ignore[no-any-return]


def test_the_embedded_database_upgrades_itself_at_start(tmp_path, clock):
    url = f"sqlite:///{tmp_path / 'embedded.sqlite3'}"
    before = make_original_design(url)
    services = build_services(DatabaseSettings(url), bcrypt_cost=4, clock=clock)

    prepare_embedded_database(services)

    assert revision_of(url) == HEAD
    assert original_rows(services.engine) == before
    services.dispose()


def test_an_embedded_database_from_a_newer_app_is_left_alone(tmp_path, clock):
    url = f"sqlite:///{tmp_path / 'embedded.sqlite3'}"
    ensure_schema(create_database_engine(DatabaseSettings(url)))
    set_revision(url, FUTURE)
    services = build_services(DatabaseSettings(url), bcrypt_cost=4, clock=clock)

    with pytest.raises(SchemaTooNew):
        prepare_embedded_database(services)

    assert revision_of(url) == FUTURE
    services.dispose()


# --- backup and restore, as docs/deployment.md says -----------------------------------------------


def client_tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        message = f"{name} is not installed; it would prove the backup and restore of the docs"
        if IN_CI:
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    return found


def option_file(path: Path, url: str) -> Path:
    """The account's password in a file only its owner reads, never on the command line."""
    parsed = make_url(url)
    path.write_text(
        "[client]\n"
        f"user={parsed.username}\npassword={parsed.password or ''}\n"
        f"host={parsed.host}\nport={parsed.port or 3306}\n", encoding="utf-8")
    path.chmod(0o600)
    return path


def table_rows(url: str) -> dict[str, list[tuple[Any, ...]]]:
    engine = create_engine(url)
    with engine.connect() as conn:
        found = {
            table.name: sorted(tuple(row) for row in conn.execute(table.select()))
            for table in t.metadata.sorted_tables
        }
        found[VERSION_TABLE] = [(applied_revision(conn),)]
    engine.dispose()
    return found


@pytest.mark.mysql
def test_the_mariadb_client_reads_schema_sql_as_the_tests_do(mysql_databases, tmp_path):
    """Comments, and the DELIMITER of the triggers' and procedures' bodies, as the client reads
    them: the same tables, procedures and triggers as the statements the tests run."""
    client = client_tool("mariadb")
    by_client, by_tests = mysql_databases(), mysql_databases()
    apply_schema_sql(by_tests)
    options = option_file(tmp_path / "admin.cnf", by_client)
    with SCHEMA_SQL.open("rb") as script:
        done = subprocess.run([client, f"--defaults-extra-file={options}",
                               str(make_url(by_client).database)],
                              stdin=script, stderr=subprocess.PIPE, check=False)

    assert done.returncode == 0, done.stderr.decode()
    assert describe(by_client) == describe(by_tests)
    assert describe_procedures(by_client) == describe_procedures(by_tests)
    assert describe_triggers(by_client) == describe_triggers(by_tests)


@pytest.mark.mysql
def test_a_backup_by_the_owner_account_restores_everything(mysql_url, tmp_path, clock):
    dump_tool, client = client_tool("mariadb-dump"), client_tool("mariadb")
    admin = create_engine(mysql_url)
    owner, password = f"srt_{uuid.uuid4().hex[:8]}_owner", f"pw-{uuid.uuid4().hex}"
    create_account(admin, AccountRole.OWNER, owner, "%", password)
    owner_url = make_url(mysql_url).set(username=owner, password=password)
    owner_url_text = owner_url.render_as_string(hide_password=False)
    try:
        services = build_services(DatabaseSettings(owner_url_text), bcrypt_cost=4, clock=clock)
        ensure_schema(services.engine)
        services.catalogue.seed_interests()
        services.catalogue.seed_demo()
        services.auth.register("Ada", "ada@example.edu", PASSWORD)
        services.dispose()
        before_rows, before_schema = table_rows(mysql_url), describe(mysql_url)
        before_procedures = describe_procedures(mysql_url)
        before_triggers = describe_triggers(mysql_url)
        options = option_file(tmp_path / "owner.cnf", owner_url_text)
        dump = tmp_path / "studentres.sql"
        database = str(owner_url.database)

        with dump.open("wb") as out:
            done = subprocess.run(
                [dump_tool, f"--defaults-extra-file={options}", "--single-transaction",
                 "--routines", "--triggers", "--no-tablespaces", database],
                stdout=out, stderr=subprocess.PIPE, check=False, env=dict(os.environ))
        assert done.returncode == 0, done.stderr.decode()
        with admin.begin() as conn:  # the disaster: every table and procedure gone
            drop_every_table(conn)
            for name in before_procedures:
                conn.exec_driver_sql(f"DROP PROCEDURE {name}")
        assert table_rows_or_none(mysql_url) is None
        with dump.open("rb") as dumped:
            restored = subprocess.run(
                [client, f"--defaults-extra-file={options}", database],
                stdin=dumped, stderr=subprocess.PIPE, check=False)
        assert restored.returncode == 0, restored.stderr.decode()

        assert describe(mysql_url) == before_schema
        assert describe_procedures(mysql_url) == before_procedures
        assert describe_triggers(mysql_url) == before_triggers
        assert table_rows(mysql_url) == before_rows
        services = build_services(DatabaseSettings(owner_url_text), bcrypt_cost=4, clock=clock)
        assert inspect_schema(services.engine).current
        assert services.auth.login("ada@example.edu", PASSWORD).student.name == "Ada"
        services.dispose()
    finally:
        with admin.begin() as conn:
            conn.execute(text("DROP USER IF EXISTS :user@'%'"), {"user": owner})
        admin.dispose()


def table_rows_or_none(url: str) -> list[str] | None:
    engine = create_engine(url)
    with engine.connect() as conn:
        names = conn.exec_driver_sql("SHOW TABLES").scalars().all()
    engine.dispose()
    return list(names) or None
