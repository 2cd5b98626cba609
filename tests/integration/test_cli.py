"""`studentres-admin` end to end through click's CliRunner, on SQLite and on MariaDB/MySQL.

Each test prepares its own database; the autouse fixture in tests/conftest.py points the user's
config, data and log folders at a temporary folder, so the default database and the log file
the CLI writes are the test's own.
"""

from __future__ import annotations

import json
import logging
import os
import re
import ssl
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import create_engine, func, select

from studentres_desktop.cli import main
from studentres_desktop.domain.errors import DatabaseError
from studentres_desktop.paths import default_database_file, user_log_dir
from studentres_desktop.persistence import tables as t
from studentres_desktop.persistence.repositories import ResourceRepository
from studentres_desktop.services import resources as resource_service
from studentres_desktop.services.catalogue import CSV_COLUMNS

HEADER = ",".join(CSV_COLUMNS)
SECRET = "secretpw"
UNREACHABLE = f"mysql+mysqlconnector://u:{SECRET}@127.0.0.1:1/x"
PROBLEM_LINE = re.compile(r"^\s*line (\d+), (\w+): ", re.MULTILINE)


# --- fixtures and helpers -------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _close_log_handlers():
    """Every CLI call adds a file handler to the root logger; drop this test's ones after it."""
    root = logging.getLogger()
    before, level = list(root.handlers), root.level
    yield
    for handler in [h for h in root.handlers if h not in before]:
        root.removeHandler(handler)
        handler.close()
    root.setLevel(level)


@pytest.fixture(params=["sqlite", pytest.param("mysql", marks=pytest.mark.mysql)])
def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A database with no tables at all."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    return request.getfixturevalue("mysql_databases")()  # type: ignore[no-any-return]


@pytest.fixture
def ready_url(database_url: str) -> str:
    """The test's database after `init-db`: current schema and the interest vocabulary."""
    cli("init-db", "--db", database_url, expect=0)
    return database_url


def cli(*args: str, env: dict[str, str] | None = None, expect: int | None = None) -> Result:
    # catch_exceptions=False: an exception escaping the CLI fails the test with its traceback.
    result = CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)
    if expect is not None:
        assert result.exit_code == expect, result.output
    return result


def listed(url: str, *args: str) -> list[dict]:
    result = cli("list-resources", "--db", url, "--json", "--limit", "500", *args, expect=0)
    return json.loads(result.stdout)


def count(url: str, table) -> int:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(table)).scalar_one()
    finally:
        engine.dispose()


def stored(url: str) -> tuple[int, int]:
    """Rows in the resource table and in its tag table."""
    return count(url, t.interest_resources), count(url, t.resource_interests)


def write_csv(tmp_path: Path, content: str | bytes, name: str = "resources.csv") -> Path:
    path = tmp_path / name
    if isinstance(content, str):
        content = content.encode("utf-8")
    path.write_bytes(content)
    return path


def problems(result: Result) -> list[tuple[int, str]]:
    return [(int(line), field) for line, field in PROBLEM_LINE.findall(result.stderr)]


def assert_one_line_error(result: Result) -> None:
    assert result.exit_code != 0
    assert "Traceback" not in result.output
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1, result.stderr
    assert result.stderr.strip() == errors[0]


# --- init-db and seed-demo ------------------------------------------------------------------------


def test_init_db_creates_the_schema_and_interests_and_a_second_run_changes_nothing(
    empty_database_url,
):
    first = cli("init-db", "--db", empty_database_url, expect=0)
    assert "created table interest_resources" in first.stdout
    interests = count(empty_database_url, t.interests)
    assert interests >= 8
    assert f"; {interests} interests added." in first.stdout

    second = cli("init-db", "--db", empty_database_url, expect=0)

    assert second.stdout.strip() == "Schema is current (0 changes); 0 interests added."
    assert count(empty_database_url, t.interests) == interests
    cli("check", "--db", empty_database_url, expect=0)


def test_seed_demo_adds_a_realistic_catalogue_once(ready_url):
    first = cli("seed-demo", "--db", ready_url, expect=0)
    resources = listed(ready_url)

    assert first.stdout.strip() == f"Added {len(resources)} demo resources."
    assert len(resources) >= 40
    assert len({tag for r in resources for tag in r["interest_tags"]}) >= 8
    assert {r["kind"] for r in resources} == {"workshop", "training", "event"}
    dated = [r for r in resources if r["starts_at"]]
    assert len(dated) >= 30
    assert all(r["location"].strip() for r in dated)
    assert all(r["title"] and r["description"] for r in resources)

    before = stored(ready_url)
    again = cli("seed-demo", "--db", ready_url, expect=0)
    assert again.stdout.strip() == "Added 0 demo resources."
    assert stored(ready_url) == before


def test_seed_demo_on_a_database_without_tables_says_to_run_init_db(empty_database_url):
    result = cli("seed-demo", "--db", empty_database_url)
    assert_one_line_error(result)
    assert "init-db" in result.stderr


# --- import-resources -----------------------------------------------------------------------------

# As a spreadsheet saves it: byte order mark, CRLF line ends, a quoted description over three
# lines with commas and quotes, empty interest_tags, times with and without offsets.
GOOD_CSV = (
    "\ufeff" + HEADER + "\r\n"
    'workshop,ROS 2 for beginners,"Install ROS 2, then:\r\n- build a node\r\n- say ""hi""",'
    "Robotics;AI,2027-03-14T14:00+02:00,2027-03-14T16:30+02:00,"
    '"Engineering Building, Room 2.14",https://events.example.edu/ros2,25\r\n'
    "training,Self-paced SQL,,,,,Online (self-paced),,\r\n"
    "event,Hack night,Pizza provided,Software Engineering,2027-02-01T18:00:00Z,"
    "2027-02-01T23:30:00Z,Student Union — Main Hall,https://events.example.edu/hack-night,\r\n"
    "event,Zoë's café talk,,Career Skills;AI,2027-02-01T09:00,,Café Ψ,,120\r\n"
)

EXPECTED_FROM_GOOD_CSV = [  # soonest first, undated last; offsets converted to UTC+1
    {
        "kind": "event",
        "title": "Zoë's café talk",
        "description": "",
        "interest_tags": ["Career Skills", "AI"],
        "starts_at": "2027-02-01T09:00:00",
        "ends_at": None,
        "location": "Café Ψ",
        "url": "",
        "capacity": 120,
    },
    {
        "kind": "event",
        "title": "Hack night",
        "description": "Pizza provided",
        "interest_tags": ["Software Engineering"],
        "starts_at": "2027-02-01T19:00:00",
        "ends_at": "2027-02-02T00:30:00",
        "location": "Student Union — Main Hall",
        "url": "https://events.example.edu/hack-night",
        "capacity": None,
    },
    {
        "kind": "workshop",
        "title": "ROS 2 for beginners",
        "description": 'Install ROS 2, then:\r\n- build a node\r\n- say "hi"',
        "interest_tags": ["Robotics", "AI"],
        "starts_at": "2027-03-14T13:00:00",
        "ends_at": "2027-03-14T15:30:00",
        "location": "Engineering Building, Room 2.14",
        "url": "https://events.example.edu/ros2",
        "capacity": 25,
    },
    {
        "kind": "training",
        "title": "Self-paced SQL",
        "description": "",
        "interest_tags": [],
        "starts_at": None,
        "ends_at": None,
        "location": "Online (self-paced)",
        "url": "",
        "capacity": None,
    },
]


def without_ids(resources: list[dict]) -> list[dict]:
    return [{k: v for k, v in r.items() if k not in ("key", "row_id")} for r in resources]


def test_import_of_a_good_csv_lists_exactly_its_rows(ready_url, tmp_path, utc_plus_one):
    path = write_csv(tmp_path, GOOD_CSV)

    result = cli("import-resources", "--db", ready_url, str(path), expect=0)

    assert result.stdout.strip() == f"Imported 4 resources from {path}."
    assert without_ids(listed(ready_url)) == EXPECTED_FROM_GOOD_CSV


BAD_CSV = (
    f"{HEADER}\n"
    "workshop,Good row,,AI,2027-01-05T10:00,2027-01-05T12:00,Room 1,,\n"  # 2
    "seminar,Bad kind,,AI,,,,,\n"  # 3
    "workshop,Bad date,,AI,2027-13-01T10:00,,,,\n"  # 4
    'workshop,Ends first,"Two\nlines",AI,2027-01-02T10:00,2027-01-02T09:00,,,\n'  # 5-6
    "workshop,Unknown tag,,AI;Basket Weaving,,,,,\n"  # 7
    "workshop,Bad url,,AI,,,,javascript:alert(1),\n"  # 8
    "workshop,Bad capacity,,AI,,,,,twenty\n"  # 9
    "workshop,,,AI,,,,,\n"  # 10: no title
    "event,Another good row,,Robotics,,,,,\n"  # 11
)


def test_import_with_bad_rows_names_each_line_and_field_and_imports_nothing(ready_url, tmp_path):
    cli(
        "import-resources", "--db", ready_url, str(write_csv(tmp_path, GOOD_CSV, "a.csv")), expect=0
    )
    before = stored(ready_url)

    result = cli("import-resources", "--db", ready_url, str(write_csv(tmp_path, BAD_CSV)))

    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert result.stderr.startswith("Error: Nothing was imported")
    assert problems(result) == [
        (3, "kind"),
        (4, "starts_at"),
        (5, "ends_at"),  # the record over lines 5-6 is named by its first line
        (7, "interest_tags"),
        (8, "url"),
        (9, "capacity"),
        (10, "title"),
    ]
    assert "unknown interest 'Basket Weaving'" in result.stderr
    assert stored(ready_url) == before
    assert "Good row" not in {r["title"] for r in listed(ready_url)}


def test_an_unknown_tag_alone_stops_the_whole_import(ready_url, tmp_path):
    text = f"{HEADER}\nworkshop,Fine,,AI,,,,,\nworkshop,Odd,,Robotics;Knitting,,,,,\n"
    before = stored(ready_url)

    result = cli("import-resources", "--db", ready_url, str(write_csv(tmp_path, text)))

    assert result.exit_code == 1
    assert problems(result) == [(3, "interest_tags")]
    assert "Knitting" in result.stderr
    assert stored(ready_url) == before


def test_a_failure_while_writing_rolls_back_the_rows_already_written(
    ready_url, tmp_path, monkeypatch
):
    written: list[int] = []
    add_many = ResourceRepository.add_many

    def add_then_fail(self, drafts, now):
        written.extend(add_many(self, drafts, now))
        raise DatabaseError()

    monkeypatch.setattr(ResourceRepository, "add_many", add_then_fail)
    before = stored(ready_url)

    result = cli("import-resources", "--db", ready_url, str(write_csv(tmp_path, GOOD_CSV)))

    assert len(written) == 4  # the rows were inserted in the transaction…
    assert_one_line_error(result)
    assert "could not complete the request" in result.stderr
    assert stored(ready_url) == before  # …and rolled back with it


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (HEADER.replace(",url", ""), "missing columns: url"),
        (HEADER + ",price", "unknown columns: price"),
    ],
)
def test_a_header_with_missing_or_extra_columns_is_refused(ready_url, tmp_path, header, expected):
    cells = ",".join(["workshop", "Title"] + [""] * (header.count(",") - 1))
    before = stored(ready_url)

    result = cli(
        "import-resources", "--db", ready_url, str(write_csv(tmp_path, f"{header}\n{cells}\n"))
    )

    assert result.exit_code == 1
    assert problems(result) == [(1, "header")]
    assert expected in result.stderr
    assert HEADER in result.stderr
    assert stored(ready_url) == before


def test_a_file_that_is_not_utf8_names_the_line_and_imports_nothing(ready_url, tmp_path):
    latin1 = f"{HEADER}\nworkshop,Fine,,,,,,,\nevent,Café,,,,,,,\n".encode("latin-1")
    before = stored(ready_url)

    result = cli("import-resources", "--db", ready_url, str(write_csv(tmp_path, latin1)))

    assert result.exit_code == 1
    assert problems(result) == [(3, "file")]
    assert "UTF-8" in result.stderr
    assert stored(ready_url) == before


def test_a_missing_file_is_named_in_a_one_line_error(ready_url, tmp_path):
    absent = tmp_path / "no-such-file.csv"
    result = cli("import-resources", "--db", ready_url, str(absent))
    assert_one_line_error(result)
    assert str(absent) in result.stderr
    assert "cannot be read" in result.stderr


# --- list-resources -------------------------------------------------------------------------------


def test_list_resources_filters_by_interest(ready_url, tmp_path):
    cli("import-resources", "--db", ready_url, str(write_csv(tmp_path, GOOD_CSV)), expect=0)

    def titles(*args: str) -> set[str]:
        return {r["title"] for r in listed(ready_url, *args)}

    assert titles("--interest", "Robotics") == {"ROS 2 for beginners"}
    assert titles("--interest", "AI") == {"ROS 2 for beginners", "Zoë's café talk"}
    assert titles("--interest", "Robotics", "--interest", "Software Engineering") == {
        "ROS 2 for beginners",
        "Hack night",
    }
    assert titles("--interest", "Bioinformatics") == set()
    assert len(titles()) == 4  # without a filter, the untagged one too

    table = cli("list-resources", "--db", ready_url, "--interest", "Robotics", expect=0)
    assert "ROS 2 for beginners" in table.stdout
    assert "Hack night" not in table.stdout
    none = cli("list-resources", "--db", ready_url, "--interest", "Bioinformatics", expect=0)
    assert none.stdout.strip() == "No resources match."


def test_list_resources_says_when_a_broad_search_lists_the_newest_first(ready_url, tmp_path,
                                                                       monkeypatch):
    cli("import-resources", "--db", ready_url, str(write_csv(tmp_path, GOOD_CSV)), expect=0)
    monkeypatch.setattr(resource_service, "BROAD_SEARCH", 0)  # every search is broad

    broad = cli("list-resources", "--db", ready_url, "--search", "self", expect=0)

    assert "Self-paced SQL" in broad.stdout
    assert "newest are listed first" in broad.stderr
    monkeypatch.setattr(resource_service, "BROAD_SEARCH", 1000)
    ranked = cli("list-resources", "--db", ready_url, "--search", "self", expect=0)
    assert ranked.stderr == "" and "Self-paced SQL" in ranked.stdout


def test_list_resources_refuses_a_malformed_tag(ready_url):
    result = cli("list-resources", "--db", ready_url, "--interest", "no/slash")
    assert_one_line_error(result)
    assert "no/slash" in result.stderr


# --- check ----------------------------------------------------------------------------------------


def test_check_on_a_current_schema_reports_the_server_version(ready_url):
    result = cli("check", "--db", ready_url, expect=0)
    assert re.search(r"^Server:\s+.*\d+\.\d+", result.stdout, re.MULTILINE)
    assert "(from --db)" in result.stdout
    assert "Status:    OK" in result.stdout


def test_check_names_the_driver_its_connections_run_on(ready_url):
    import mysql.connector

    result = cli("check", "--db", ready_url, expect=0)

    driver = re.search(r"^Driver:\s+(.*)$", result.stdout, re.MULTILINE)
    assert driver, result.stdout
    if ready_url.startswith("sqlite"):
        assert driver[1] == "sqlite (pysqlite)"
    else:
        kind = "C extension" if mysql.connector.HAVE_CEXT else "pure Python"
        assert driver[1] == (f"mysql-connector-python {mysql.connector.__version__} ({kind}); "
                             f"Python ssl: {ssl.OPENSSL_VERSION}")


def test_check_on_an_empty_database_fails_and_says_to_run_init_db(empty_database_url):
    result = cli("check", "--db", empty_database_url)
    assert result.exit_code != 0
    assert "Traceback" not in result.output
    assert re.search(r"^Server:\s+.*\d+\.\d+", result.stdout, re.MULTILINE)
    assert "table interest_resources is missing" in result.stdout
    assert "run 'studentres-admin init-db'" in result.stderr


# --- errors: unreachable server, bad URLs, no passwords -------------------------------------------


@pytest.mark.parametrize(
    "command",
    [
        ["check"],
        ["init-db"],
        ["seed-demo"],
        ["list-resources"],
        ["-v", "list-resources"],
        ["import-resources", "CSV"],
        ["add-interest", "Knitting", "Knitting"],
        ["grant-advisor", "ada@example.edu"],
    ],
    ids=lambda c: " ".join(c),
)
def test_an_unreachable_server_gives_one_line_without_the_password(command, tmp_path):
    csv_path = write_csv(tmp_path, GOOD_CSV)
    args = [str(csv_path) if arg == "CSV" else arg for arg in command]

    result = cli(*args, "--db", UNREACHABLE)

    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert "Error: The database cannot be reached right now." in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert SECRET not in result.output
    log = (user_log_dir() / "studentres-admin.log").read_text(encoding="utf-8")
    assert "u:***@127.0.0.1:1/x" in log  # the log names the server, masked…
    assert SECRET not in log  # …and never the password


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("not a database url", "is not a database URL"),
        (f"mysql+mysqlconnector://u:{SECRET}@127.0.0.1:port/x", "check the port"),
        (f"mysql+nodriver://u:{SECRET}@127.0.0.1/x", "unknown database driver"),
        (f"postgresql://u:{SECRET}@127.0.0.1/x", "only MySQL/MariaDB and SQLite"),
        (f"mysql+mysqlconnector://u@127.0.0.1:1/x?password={SECRET}", "query parameter"),
    ],
)
def test_a_malformed_url_gives_one_line_naming_where_it_came_from(url, reason):
    from_option = cli("list-resources", "--db", url)
    from_env = cli("list-resources", env={"STUDENTRES_DB_URL": url})

    for result, source in ((from_option, "--db"), (from_env, "STUDENTRES_DB_URL")):
        assert_one_line_error(result)
        assert reason in result.stderr
        assert SECRET not in result.output
        if "postgresql" not in url:  # that one is read fine and refused later, by backend
            assert result.stderr.startswith(f"Error: {source}: ")
    log = user_log_dir() / "studentres-admin.log"
    assert SECRET not in (log.read_text(encoding="utf-8") if log.exists() else "")


def test_an_unusable_config_file_is_named(tmp_path, monkeypatch):
    config = tmp_path / "config.toml"
    config.write_text("[database]\nconnect_timeout = 30\n", encoding="utf-8")
    monkeypatch.setenv("STUDENTRES_CONFIG", str(config))

    result = cli("list-resources", "--db", f"sqlite:///{tmp_path / 'x.sqlite3'}")

    assert_one_line_error(result)
    assert f"{config}: database.connect_timeout" in result.stderr


# --- where the database URL comes from ------------------------------------------------------------


def test_db_option_beats_the_environment_which_beats_the_config_file(tmp_path, monkeypatch):
    files = {name: tmp_path / f"{name}.sqlite3" for name in ("option", "env", "file")}
    config = tmp_path / "config.toml"
    config.write_text(f'[database]\nurl = "sqlite:///{files["file"]}"\n', encoding="utf-8")
    monkeypatch.setenv("STUDENTRES_CONFIG", str(config))
    env = {"STUDENTRES_DB_URL": f"sqlite:///{files['env']}"}

    cli("init-db", "--db", f"sqlite:///{files['option']}", env=env, expect=0)
    assert [p.exists() for p in files.values()] == [True, False, False]
    cli("init-db", env=env, expect=0)
    assert [p.exists() for p in files.values()] == [True, True, False]
    cli("init-db", expect=0)
    assert [p.exists() for p in files.values()] == [True, True, True]

    assert (
        "(from --db)"
        in cli("check", "--db", f"sqlite:///{files['option']}", env=env, expect=0).stdout
    )
    assert "(from STUDENTRES_DB_URL)" in cli("check", env=env, expect=0).stdout
    assert f"(from {config})" in cli("check", expect=0).stdout
    assert not default_database_file().exists()


def test_without_any_setting_the_embedded_database_is_created_with_the_demo_catalogue():
    database = default_database_file()
    assert not database.exists()

    first = cli("list-resources", "--json", "--limit", "500", expect=0)

    assert database.exists()
    assert database.is_relative_to(Path(os.environ["XDG_DATA_HOME"]))
    resources = json.loads(first.stdout)
    assert len(resources) >= 40
    again = json.loads(cli("list-resources", "--json", "--limit", "500", expect=0).stdout)
    assert len(again) == len(resources)  # filled once, not on every start
    assert "(from default)" in cli("check", expect=0).stdout


def test_every_command_takes_the_db_option():
    for name in main.commands:
        result = cli(name, "--help", expect=0)
        assert "--db URL" in result.stdout, name
