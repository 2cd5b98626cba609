"""The owner, app and advisor server accounts: each can do its job and nothing more (MariaDB).

The accounts are made by `studentres-admin create-db-user` as a real IT person would, the schema
is installed by the owner, and the workstation accounts then run the app through the services.
Every account created here has a name unique to this run and is dropped afterwards.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from studentres_desktop.bootstrap import Services, build_services, check_database
from studentres_desktop.cli import main
from studentres_desktop.domain.errors import (
    AccessDenied,
    InvalidCredentials,
    LoginThrottled,
    SchemaTooOld,
)
from studentres_desktop.domain.models import ResourceDraft, ResourceFilter, ResourceKind, RsvpState
from studentres_desktop.persistence import tables as t
from studentres_desktop.persistence.accounts import GRANTS, AccountRole, grant_statements
from studentres_desktop.persistence.db_errors import mysql_errno
from studentres_desktop.persistence.engine import DatabaseSettings
from studentres_desktop.persistence.revisions import HEAD, VERSION_TABLE
from studentres_desktop.persistence.schema import PRIVATE_TABLES, inspect_schema
from studentres_desktop.persistence.search_index import WORDS_TABLE
from studentres_desktop.services.passwords import PREFIX, PasswordHasher
from tests.conftest import ROOT
from tests.support.embedders import HashingEmbedder

PASSWORD = "correct horse battery"
# Refused for want of a privilege: table, column, routine, global (FILE), database, GRANT.
PERMISSION_ERRORS = {1044, 1045, 1142, 1143, 1227, 1370, 1410}


def cli(*args: str, stdin: str | None = None, expect: int | None = 0) -> Result:
    result = CliRunner().invoke(main, list(args), input=stdin, catch_exceptions=False)
    if expect is not None:
        assert result.exit_code == expect, result.output
    return result


@dataclass
class Server:
    admin_url: str  # the test's administrator, on this test's database
    database: str
    urls: dict[str, str]  # role → URL of the account made for it

    def services(self, role: str) -> Services:
        return build_services(DatabaseSettings(self.urls[role]), bcrypt_cost=4,
                              embedder_loader=HashingEmbedder)


def account_url(admin_url: str, user: str, password: str) -> str:
    url = make_url(admin_url).set(username=user, password=password)
    return url.render_as_string(hide_password=False)


@pytest.fixture
def server(mysql_url: str) -> Iterator[Server]:
    """A database with an owner who installed the schema and the demo catalogue, and an app and
    an advisor account made for it."""
    database = make_url(mysql_url).database
    assert database
    run = uuid.uuid4().hex[:8]
    admin = create_engine(mysql_url)
    made: list[str] = []
    urls: dict[str, str] = {}
    try:
        for role in ("owner", "app", "advisor"):
            user, password = f"srt_{run}_{role}", f"pw-{uuid.uuid4().hex}"
            made.append(user)
            cli("create-db-user", "--role", role, "--password-stdin", user, "--db", mysql_url,
                stdin=password + "\n")
            urls[role] = account_url(mysql_url, user, password)
            if role == "owner":  # the owner installs the schema before the others can exist
                cli("init-db", "--db", urls["owner"])
                cli("seed-demo", "--db", urls["owner"])
        yield Server(mysql_url, database, urls)
    finally:
        with admin.begin() as conn:
            for user in made:
                conn.execute(text("DROP USER IF EXISTS :user@'%'"), {"user": user})
        admin.dispose()


def refused(url: str, statement: str) -> int | None:
    """Run one statement as an account; the error number if the server refused it."""
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql(statement)
    except DBAPIError as error:
        return mysql_errno(error)
    finally:
        engine.dispose()
    return None


# --- what each account can do ---------------------------------------------------------------------


@pytest.mark.mysql
def test_a_student_workstation_account_runs_the_whole_student_flow(server):
    services = server.services("app")
    try:
        check_database(services)  # the schema looks current although hashes are hidden
        services.auth.register("Ada Lovelace", "ada@example.edu", PASSWORD)
        with pytest.raises(InvalidCredentials):
            services.auth.login("ada@example.edu", "wrong password!")
        token = services.auth.login("ada@example.edu", PASSWORD).token
        services.interests.set_for_student(token, ["AI", "Robotics"], primary="Robotics")
        services.auth.set_learning_goal(token, "build drones")

        mine = services.resources.for_student(token, ResourceFilter(limit=50))
        everything = services.resources.browse(token, ResourceFilter(limit=50))
        services.recommendations.prepare()  # embeds the catalogue: the app stores vectors
        ranked = services.recommendations.for_student(token, limit=5)

        assert mine.items and all({"AI", "Robotics"} & set(r.interest_tags) for r in mine.items)
        assert len(everything.items) > len(mine.items)
        assert ranked.engine == "semantic" and len(ranked.items) == 5
        assert services.auth.current_student(token).primary_interest == "Robotics"

        # The student's plan: save, RSVP and cancel, and the calendar of what is saved.
        limited = next(r for r in everything.items if r.capacity)
        assert services.plan.save(token, limited.key)
        assert [e.key for e in services.plan.saved(token)] == [limited.key]
        assert services.plan.rsvp(token, limited.key).state is RsvpState.GOING
        assert services.calendar.for_saved(token).events == (1 if limited.starts_at else 0)
        assert services.plan.cancel_rsvp(token, limited.key).state is not RsvpState.GOING
        assert services.plan.unsave(token, limited.key)

        services.auth.change_password(token, PASSWORD, "a brand new passphrase")
        assert services.auth.login("ada@example.edu", "a brand new passphrase").student.id
        with pytest.raises(AccessDenied):  # an advisor's action, refused by the server too
            services.catalogue.add([ResourceDraft(ResourceKind.EVENT, "Not from a kiosk")])
    finally:
        services.dispose()


@pytest.mark.mysql
def test_a_kiosk_account_also_manages_the_catalogue(server, tmp_path):
    services = server.services("advisor")
    try:
        services.auth.register("Grace Hopper", "grace@example.edu", PASSWORD)
        cli("grant-advisor", "grace@example.edu", "--db", server.urls["owner"])  # IT does this
        token = services.auth.login("grace@example.edu", PASSWORD).token

        created = services.resources.create(token, ResourceDraft(
            ResourceKind.WORKSHOP, "Soldering for beginners", interest_tags=("Robotics",)))
        edited = services.resources.update(token, created.row_id, created.kind, ResourceDraft(
            ResourceKind.WORKSHOP, "Soldering, step by step", interest_tags=("Robotics", "AI")))
        csv = tmp_path / "resources.csv"
        csv.write_text("kind,title,description,interest_tags,starts_at,ends_at,location,url,"
                       "capacity\nevent,Career fair,,Career Skills,,,,,\n"
                       "training,Git basics,,Software Engineering,,,,,\n", encoding="utf-8")
        imported = services.catalogue.import_csv(csv)
        # A student saved it and holds a place: the desk sees them, the delete keeps the entry.
        services.resources.update(token, edited.row_id, edited.kind, ResourceDraft(
            ResourceKind.WORKSHOP, "Soldering, step by step", interest_tags=("Robotics", "AI"),
            capacity=3))
        services.auth.register("Ada Lovelace", "ada@example.edu", PASSWORD)
        student = services.auth.login("ada@example.edu", PASSWORD).token
        services.plan.save(student, edited.key)
        services.plan.rsvp(student, edited.key)
        assert [a.email for a in services.desk.attendees(token, edited.key).going] == [
            "ada@example.edu"]
        services.resources.delete(token, edited.row_id, edited.kind)
        assert [e.removed for e in services.plan.saved(student)] == [True]
        assert services.desk.audit_log(token)  # the advisor's changes, readable at the desk
        titles = {r.title for r in services.resources.browse(
            token, ResourceFilter(limit=200)).items}

        assert set(edited.interest_tags) == {"Robotics", "AI"}
        assert imported == 2
        assert {"Career fair", "Git basics"} <= titles
        assert not {"Soldering for beginners", "Soldering, step by step"} & titles
    finally:
        services.dispose()


def words_of(url: str, row_id: int) -> set[tuple[str, int]]:
    """The (word, slot) entries of one row in the word table, read as the given account."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                text("SELECT word, slot FROM resource_words WHERE resource_id = :id"),
                {"id": row_id}).all()
    finally:
        engine.dispose()
    return {(str(word), int(slot)) for word, slot in rows}


@pytest.mark.mysql
def test_a_kiosks_catalogue_changes_keep_the_word_table_in_step(server):
    """The triggers write resource_words as their definer, the owner: the kiosk cannot."""
    services = server.services("advisor")
    try:
        services.auth.register("Grace Hopper", "grace@example.edu", PASSWORD)
        cli("grant-advisor", "grace@example.edu", "--db", server.urls["owner"])
        token = services.auth.login("grace@example.edu", PASSWORD).token
        created = services.resources.create(token, ResourceDraft(
            ResourceKind.WORKSHOP, "Soldering basics", description="Irons and flux",
            location="Lab 2", interest_tags=("Robotics",)))
        after_create = words_of(server.urls["app"], created.row_id)
        services.resources.update(token, created.row_id, created.kind, ResourceDraft(
            ResourceKind.WORKSHOP, "Soldering, step by step", interest_tags=("Robotics",)))
        after_edit = words_of(server.urls["app"], created.row_id)
        services.resources.delete(token, created.row_id, created.kind)
        after_delete = words_of(server.urls["app"], created.row_id)
    finally:
        services.dispose()

    assert after_create == {("Soldering", 0), ("basics", 0), ("Irons", 0), ("and", 0),
                            ("flux", 0), ("Lab", 0), ("2", 0)}
    assert after_edit == {("Soldering", 0), ("step", 0), ("by", 0)}
    assert after_delete == set()


@pytest.mark.mysql
def test_the_owner_is_told_of_a_missing_word_trigger_which_workstations_cannot_see(server):
    admin = create_engine(server.admin_url)
    with admin.begin() as conn:
        conn.exec_driver_sql("DROP TRIGGER trg_resource_words_delete")
    admin.dispose()
    reports = {}
    for role in ("owner", "app", "advisor"):
        engine = create_engine(server.urls[role])
        try:
            reports[role] = inspect_schema(engine)
        finally:
            engine.dispose()
    repaired = cli("init-db", "--db", server.urls["owner"]).stdout

    assert reports["owner"].problems == ("search index: trg_resource_words_delete is missing",)
    assert reports["app"].current and reports["advisor"].current
    assert "trg_resource_words_delete" in repaired
    assert "OK, the schema is current" in cli("check", "--db", server.urls["owner"]).stdout


# --- and nothing more -----------------------------------------------------------------------------

FORBIDDEN_FOR_BOTH = [
    "DROP TABLE interest_resources",
    "CREATE TABLE intruder (id INT)",
    "ALTER TABLE students_data ADD COLUMN intruder INT",
    "SELECT password_hash FROM students_data",
    "SELECT * FROM students_data",
    "DELETE FROM students_data",
    "UPDATE students_data SET password_hash = 'x'",
    "UPDATE students_data SET `role` = 'advisor'",
    "INSERT INTO students_data (name, email, password_hash) VALUES ('x', 'x@x.edu', 'x')",
    "SELECT * FROM login_throttle",
    "DELETE FROM login_throttle",
    "GRANT SELECT ON {database}.interests TO CURRENT_USER",
    "SELECT id INTO OUTFILE '/tmp/studentres-{run}.csv' FROM interests",
    "CREATE PROCEDURE intruder() SELECT password_hash FROM students_data",
    "DROP PROCEDURE sr_login_attempt",
    "CALL sr_check_proof('ada@example.edu', 'x', @wait, @id, @role)",  # an internal helper
    "CREATE USER intruder IDENTIFIED BY 'intruder-password'",
    # Only the triggers, as the owner, write the word table.
    "INSERT INTO resource_words (word, slot, resource_id) VALUES ('intruder', 0, 1)",
    "UPDATE resource_words SET word = 'intruder'",
    "DELETE FROM resource_words",
    "DROP TRIGGER trg_resource_words_insert",
    "CREATE TRIGGER intruder AFTER INSERT ON interest_resources FOR EACH ROW DELETE FROM"
    " resource_words",
]
FORBIDDEN_FOR_APP = [
    "DELETE FROM interest_resources",
    "INSERT INTO interest_resources (title) VALUES ('x')",
    "UPDATE interest_resources SET title = 'x'",
    "DELETE FROM resource_interests",
]


@pytest.mark.mysql
@pytest.mark.parametrize("role", ["app", "advisor"])
def test_workstation_accounts_are_refused_everything_beyond_their_job(server, role):
    statements = FORBIDDEN_FOR_BOTH + (FORBIDDEN_FOR_APP if role == "app" else [])
    run = uuid.uuid4().hex[:8]
    outcomes = {
        statement: refused(server.urls[role],
                           statement.format(database=f"`{server.database}`", run=run))
        for statement in statements
    }
    allowed = {s: errno for s, errno in outcomes.items() if errno not in PERMISSION_ERRORS}
    assert allowed == {}
    assert not Path(f"/tmp/studentres-{run}.csv").exists()


@pytest.mark.mysql
def test_a_stolen_workstation_credential_gets_no_hash_and_no_way_past_the_throttle(server):
    owner = server.services("owner")
    owner.auth.register("Ada", "ada@example.edu", PASSWORD)
    owner.dispose()
    hasher = PasswordHasher(rounds=4)
    engine = create_engine(server.urls["app"])
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql("SET timestamp = UNIX_TIMESTAMP('2099-01-01')")  # no effect
            conn.exec_driver_sql("CALL sr_login_challenge('ada@example.edu', @wait, @setting)")
            wait, setting = conn.exec_driver_sql("SELECT @wait, @setting").one()
            attempts = []
            for guess in ["guess one", "guess two", "guess three", "guess four", "guess five",
                          PASSWORD]:
                conn.exec_driver_sql("CALL sr_login_attempt(%s, %s, @wait, @id, @role)",
                                     ("ada@example.edu", hasher.proof(guess, setting)))
                attempts.append(tuple(conn.exec_driver_sql("SELECT @wait, @id").one()))
    finally:
        engine.dispose()

    assert wait == 0
    assert setting.startswith(PREFIX + "$2b$04$") and len(setting) == len(PREFIX) + 29
    assert attempts[:5] == [(0, None)] * 5  # five wrong guesses, counted
    assert attempts[5][0] == 2 and attempts[5][1] is None  # the right one now waits, too


@pytest.mark.mysql
def test_the_app_explains_a_throttled_login_the_same_way_on_the_server(server):
    services = server.services("app")
    try:
        services.auth.register("Ada", "ada@example.edu", PASSWORD)
        for _ in range(5):
            with pytest.raises(InvalidCredentials):
                services.auth.login("ada@example.edu", "wrong password!")
        with pytest.raises(LoginThrottled) as throttled:
            services.auth.login("ada@example.edu", PASSWORD)
        assert throttled.value.retry_after_seconds == 2
    finally:
        services.dispose()


# --- creating accounts ----------------------------------------------------------------------------


@pytest.mark.mysql
def test_workstation_accounts_wait_for_the_schema_and_names_are_checked(mysql_url):
    run = uuid.uuid4().hex[:8]
    before_schema = cli("create-db-user", "--role", "app", "--password-stdin", f"srt_{run}_x",
                        "--db", mysql_url, stdin="a long enough password\n", expect=1)
    bad_name = cli("create-db-user", "--role", "app", "--password-stdin", "x'@'%' --",
                   "--db", mysql_url, stdin="a long enough password\n", expect=1)
    short = cli("create-db-user", "--role", "owner", "--password-stdin", f"srt_{run}_y",
                "--db", mysql_url, stdin="short\n", expect=1)

    assert "studentres-admin init-db" in before_schema.stderr
    assert bad_name.stderr.startswith("Error: USER: ")
    assert "at least 12 characters" in short.stderr
    for user in (f"srt_{run}_x", f"srt_{run}_y"):  # neither was created
        assert refused(mysql_url, f"DROP USER '{user}'@'%'") == 1396


@pytest.mark.mysql
def test_an_existing_account_is_not_changed(server):
    user = make_url(server.urls["app"]).username
    result = cli("create-db-user", "--role", "advisor", "--password-stdin", user,
                 "--db", server.admin_url, stdin="another long password\n", expect=1)
    assert "exists already" in result.stderr
    assert refused(server.urls["app"], "DELETE FROM interest_resources") == 1142


@pytest.mark.mysql
@pytest.mark.parametrize("role", ["app", "advisor"])
def test_only_the_owner_may_upgrade_the_schema_and_workstations_read_its_revision(server, role):
    refusal = cli("upgrade-db", "--db", server.urls[role], expect=1)
    assert ("this database account cannot change the schema; run 'studentres-admin upgrade-db' "
            "with the owner account") in refusal.stderr.lower()
    assert "Traceback" not in refusal.output and "1142" not in refusal.output
    assert "Revision:  " + HEAD in cli("check", "--db", server.urls[role], expect=0).stdout
    assert cli("upgrade-db", "--db", server.urls["owner"], expect=0).stdout.strip() == (
        f"Schema is current (revision {HEAD}); 0 changes.")


@pytest.mark.mysql
def test_an_account_made_before_migrations_is_told_what_it_lacks(server):
    """IT upgraded, but the workstation's account has no SELECT on alembic_version yet."""
    user = make_url(server.urls["app"]).username
    admin = create_engine(server.admin_url)
    with admin.begin() as conn:
        conn.exec_driver_sql(f"REVOKE SELECT ON `{server.database}`.{VERSION_TABLE} "
                             f"FROM '{user}'@'%'")
    admin.dispose()
    services = server.services("app")
    try:
        with pytest.raises(SchemaTooOld) as raised:
            check_database(services)
    finally:
        services.dispose()
    assert "needs SELECT on alembic_version" in str(raised.value)


def test_db_grants_sql_holds_the_grants_create_db_user_runs():
    script = (ROOT / "db" / "grants.sql").read_text(encoding="utf-8")
    sections: dict[str, list[str]] = {}
    current = None
    for line in script.splitlines():
        header = re.fullmatch(r"-- \[(\w+)\]", line.strip())
        if header:
            current = sections.setdefault(header.group(1), [])
        elif line.startswith("GRANT"):
            assert current is not None, line
            current.append(line.rstrip(";"))
    assert sections == {role.value: list(lines) for role, lines in GRANTS.items()}
    assert set(sections) == {role.value for role in AccountRole}


def test_a_database_wide_grant_names_one_database_even_with_an_underscore():
    owner = grant_statements(AccountRole.OWNER, "student_res", "it_owner", "10.1.%")
    advisor = grant_statements(AccountRole.ADVISOR, "student_res", "kiosk", "%")
    assert owner == ["GRANT ALL PRIVILEGES ON `student\\_res`.* TO 'it_owner'@'10.1.%'"]
    assert "GRANT EXECUTE ON `student\\_res`.* TO 'kiosk'@'%'" in advisor
    assert "GRANT SELECT ON `student_res`.interests TO 'kiosk'@'%'" in advisor
    own = GRANTS[AccountRole.ADVISOR]
    assert advisor[-len(own):] == [line.format(database="`student_res`", account="'kiosk'@'%'")
                                   for line in own]


def test_every_table_has_a_grant_for_workstations_or_is_private():
    """A new table needs its line in db/grants.sql (and GRANTS); this names the ones without."""
    granted = {match for line in GRANTS[AccountRole.APP]
               for match in re.findall(r"\{database\}\.(\w+)", line)}
    tables = {table.name for table in t.metadata.sorted_tables} | {VERSION_TABLE, WORDS_TABLE}
    assert tables - granted - PRIVATE_TABLES == set()
    assert granted - tables == set()  # no grant for a table that no longer exists


@pytest.mark.mysql
def test_the_password_can_be_typed_at_a_prompt_twice(server):
    user = f"srt_{uuid.uuid4().hex[:8]}_prompt"
    password = f"typed-{uuid.uuid4().hex}"
    try:
        result = cli("create-db-user", "--role", "app", user, "--db", server.admin_url,
                     stdin=f"{password}\n{password}\n")
        assert password not in result.output  # the prompt does not echo it
        assert refused(account_url(server.admin_url, user, password),
                       "SELECT COUNT(*) FROM interests") is None
        assert refused(account_url(server.admin_url, user, password),
                       "SELECT password_hash FROM students_data") == 1143
    finally:
        admin = create_engine(server.admin_url)
        with admin.begin() as conn:
            conn.execute(text("DROP USER IF EXISTS :user@'%'"), {"user": user})
        admin.dispose()
