"""`studentres-admin export-resources`, `audit` and `attendees`, on SQLite and MariaDB."""

from __future__ import annotations

import csv
import io
import json

import pytest
from sqlalchemy import text

from studentres_desktop.bootstrap import build_services
from studentres_desktop.persistence.engine import DatabaseSettings
from tests.integration.test_cli import (  # noqa: F401 - fixtures
    _close_log_handlers,
    assert_one_line_error,
    cli,
    listed,
    ready_url,
    write_csv,
)
from tests.support.accounts import advisor, create, draft, student

CATALOGUE_CSV = """kind,title,description,interest_tags,starts_at,ends_at,location,url,capacity
workshop,Intro to ML,"Two lines,
with a comma",AI;Data Science,2027-03-01T10:00,2027-03-01T12:00,Lab 3,https://example.edu/ml,20
event,Robot Day,,Robotics,2027-04-02,,,,
training,Undated,,,,,,,
"""


def comparable(resources: list[dict]) -> list[dict]:
    return sorted(({k: v for k, v in r.items() if k not in ("key", "row_id")}
                   for r in resources), key=lambda r: (r["kind"], r["title"]))


@pytest.fixture
def other_url(request, database_url, tmp_path) -> str:
    """A second, empty database on the same backend."""
    if database_url.startswith("sqlite"):
        url = f"sqlite:///{tmp_path / 'other.sqlite3'}"
    else:
        url = request.getfixturevalue("mysql_databases")()
    cli("init-db", "--db", url, expect=0)
    return url


def test_export_then_import_into_an_empty_database_gives_an_equal_catalogue(
        ready_url, other_url, tmp_path):  # noqa: F811
    cli("import-resources", "--db", ready_url, str(write_csv(tmp_path, CATALOGUE_CSV)),
        expect=0)
    with_legacy = "INSERT INTO interest_resources (interest_tag, workshop, event) VALUES " \
                  "('AI', 'Old workshop', 'Old event')"
    engine = build_services(DatabaseSettings(ready_url)).engine
    with engine.begin() as conn:
        conn.execute(text(with_legacy))
    engine.dispose()
    exported = tmp_path / "export.csv"

    result = cli("export-resources", "--db", ready_url, str(exported), expect=0)
    assert result.stdout.strip() == f"Exported 5 resources to {exported}."
    cli("import-resources", "--db", other_url, str(exported), expect=0)

    assert comparable(listed(other_url)) == comparable(listed(ready_url))


def test_audit_prints_the_import_as_json_and_as_a_table(ready_url, tmp_path):  # noqa: F811
    cli("import-resources", "--db", ready_url, str(write_csv(tmp_path, CATALOGUE_CSV)),
        expect=0)

    entries = json.loads(cli("audit", "--db", ready_url, "--json", expect=0).stdout)
    table = cli("audit", "--db", ready_url, "--limit", "1", expect=0).stdout

    (entry,) = entries
    assert entry["action"] == "catalogue.import"
    assert entry["advisor_email"].startswith("studentres-admin (")
    assert entry["after"]["count"] == 3 and entry["after"]["source"] == "resources.csv"
    assert "catalogue.import" in table and "3 resources from resources.csv" in table
    empty = cli("audit", "--db", ready_url, "--action", "resource.delete", expect=0)
    assert empty.stdout.strip() == "No audit entries match."


def test_attendees_lists_going_and_waitlisted_as_text_and_csv(ready_url):  # noqa: F811
    services = build_services(DatabaseSettings(ready_url), bcrypt_cost=4)
    try:
        desk = advisor(services)
        (talk,) = create(services, desk, draft("Talk", capacity=1, days=400))
        for name in ("Ann", "Ben", "Cat"):
            services.plan.rsvp(student(services, f"{name.lower()}@example.edu", name),
                               talk.key)
    finally:
        services.dispose()

    shown = cli("attendees", "--db", ready_url, str(talk.row_id), expect=0).stdout
    as_csv = cli("attendees", "--db", ready_url, talk.key, "--csv", expect=0).stdout

    assert "1 going of 1, 2 waitlisted" in shown
    assert shown.index("Ann") < shown.index("Waitlist:") < shown.index("Ben") < shown.index(
        "Cat")
    rows = list(csv.DictReader(io.StringIO(as_csv)))
    assert [(r["status"], r["position"], r["email"]) for r in rows] == [
        ("going", "", "ann@example.edu"), ("waitlisted", "1", "ben@example.edu"),
        ("waitlisted", "2", "cat@example.edu")]


def test_attendees_of_a_shared_original_row_asks_which_item(ready_url):  # noqa: F811
    services = build_services(DatabaseSettings(ready_url), bcrypt_cost=4)
    with services.engine.begin() as conn:
        conn.execute(text("INSERT INTO interest_resources (interest_tag, workshop, event) "
                          "VALUES ('AI', 'Old workshop', 'Old event')"))
        row_id = conn.execute(text("SELECT MAX(id) FROM interest_resources")).scalar_one()
    services.dispose()

    result = cli("attendees", "--db", ready_url, str(row_id))

    assert_one_line_error(result)
    assert f"{row_id}:workshop, {row_id}:event" in result.stderr
    assert "nobody yet" in cli("attendees", "--db", ready_url, f"{row_id}:event",
                               expect=0).stdout
    assert_one_line_error(cli("attendees", "--db", ready_url, "424242"))
