"""The advisor's desk through the services: conflict-safe editing, the audit log, attendance,
the desk look-up, CSV import and export, and access control; on SQLite and MariaDB."""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from studentres_desktop.domain.errors import (
    AccessDenied,
    CatalogueImportFailed,
    EditConflict,
    ImportCancelled,
    NotFound,
    ValidationError,
)
from studentres_desktop.domain.models import (
    AuditAction,
    AuditFilter,
    ResourceKind,
    RsvpState,
)
from studentres_desktop.persistence import tables as t
from studentres_desktop.services.catalogue import CSV_COLUMNS
from tests.support.accounts import SOON, advisor, create, draft, student

HEADER = ",".join(CSV_COLUMNS)


def count(services, table) -> int:
    with services.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table)).scalar_one()


def write_csv(path: Path, *lines: str) -> Path:
    path.write_text("\n".join([HEADER, *lines]) + "\n", encoding="utf-8")
    return path


def catalogue(services) -> list[tuple]:
    """The catalogue as comparable values, ignoring row ids and versions."""
    return sorted(
        (r.kind.value, r.title, r.description, tuple(sorted(r.interest_tags)), r.starts_at,
         r.ends_at, r.location, r.url, r.capacity)
        for r in services.recommendations.all_resources()
    )


# --- optimistic locking ---------------------------------------------------------------------------


def test_the_second_of_two_conflicting_edits_is_refused_naming_what_changed(services):
    first, second = advisor(services), advisor(services, "other@example.edu", "Other")
    (talk,) = create(services, first, draft("Talk", capacity=10, location="Room 1"))
    assert talk.version == 1

    saved = services.resources.update(first, talk.row_id, talk.kind,
                                      draft("Talk, moved", capacity=10, location="Room 2"),
                                      expected=talk)
    assert saved.version == 2

    with pytest.raises(EditConflict) as caught:
        services.resources.update(second, talk.row_id, talk.kind,
                                  draft("Talk", capacity=20, location="Room 1"), expected=talk)
    conflict = caught.value
    assert conflict.changed_fields == ("title", "location")
    assert "title, location" in conflict.message
    assert conflict.current == saved
    # Nothing of the refused edit was written; retrying on the current values works.
    assert services.resources.get(first, talk.row_id, talk.kind).capacity == 10
    retried = services.resources.update(second, talk.row_id, talk.kind,
                                        draft("Talk, moved", capacity=20, location="Room 2"),
                                        expected=conflict.current)
    assert (retried.capacity, retried.version) == (20, 3)


def test_browse_pages_carry_the_version_an_edit_must_match(services):
    desk = advisor(services)
    (talk,) = create(services, desk, draft("Talk"))
    services.resources.update(desk, talk.row_id, talk.kind, draft("Talk v2"), expected=talk)

    (listed,) = services.resources.browse(desk).items
    assert listed.version == 2
    services.resources.update(desk, talk.row_id, talk.kind, draft("Talk v3"), expected=listed)
    with pytest.raises(EditConflict):
        services.resources.delete(desk, talk.row_id, talk.kind, expected=listed)


def test_a_stale_delete_is_refused(services):
    desk = advisor(services)
    (talk,) = create(services, desk, draft("Talk"))
    services.resources.update(desk, talk.row_id, talk.kind, draft("Talk"), expected=talk)
    with pytest.raises(EditConflict) as caught:
        services.resources.delete(desk, talk.row_id, talk.kind, expected=talk)
    assert caught.value.changed_fields == ()
    assert services.resources.get(desk, talk.row_id, talk.kind).title == "Talk"


def test_a_row_written_by_plain_sql_has_version_one(services):
    with services.engine.begin() as conn:
        conn.execute(text("INSERT INTO interest_resources (interest_tag, workshop) "
                          "VALUES ('AI', 'Old')"))
    desk = advisor(services)
    (old,) = services.resources.browse(desk).items
    assert (old.legacy, old.version) == (True, 1)


# --- the audit log --------------------------------------------------------------------------------


def test_every_change_by_an_advisor_is_audited_with_before_and_after(services, clock):
    desk = advisor(services)
    (talk,) = create(services, desk, draft("Talk", capacity=1))
    clock.advance(minutes=1)
    services.resources.update(desk, talk.row_id, talk.kind, draft("Talk!", capacity=1),
                              expected=talk)
    clock.advance(minutes=1)
    services.resources.delete(desk, talk.row_id, talk.kind)

    entries = services.desk.audit_log(desk)

    assert [e.action for e in entries] == [AuditAction.RESOURCE_DELETED,
                                           AuditAction.RESOURCE_UPDATED,
                                           AuditAction.RESOURCE_CREATED]
    deleted, updated, created = entries
    assert {e.advisor_email for e in entries} == {"desk@example.edu"}
    assert {e.resource_key for e in entries} == {talk.key}
    assert created.before is None and created.after["title"] == "Talk"
    assert (updated.before["title"], updated.after["title"]) == ("Talk", "Talk!")
    assert (updated.before["version"], updated.after["version"]) == (1, 2)
    assert deleted.before["title"] == "Talk!" and deleted.after is None
    assert "0 students affected" in deleted.detail
    assert created.occurred_at == clock.now - timedelta(minutes=2)


def test_the_audit_log_filters_by_action_advisor_resource_and_time(services, clock):
    ada, bo = advisor(services, "ada@example.edu"), advisor(services, "bo@example.edu")
    (first,) = create(services, ada, draft("First"))
    clock.advance(minutes=10)
    (_second,) = create(services, bo, draft("Second"))
    services.resources.update(bo, first.row_id, first.kind, draft("First!"))

    def actions(**criteria):
        return [(e.action.value, e.resource_title)
                for e in services.desk.audit_log(ada, AuditFilter(**criteria))]

    assert actions(action=AuditAction.RESOURCE_CREATED) == [("resource.create", "Second"),
                                                           ("resource.create", "First")]
    assert actions(advisor="bo@") == [("resource.update", "First!"),
                                      ("resource.create", "Second")]
    assert actions(resource_id=first.row_id) == [("resource.update", "First!"),
                                                 ("resource.create", "First")]
    assert actions(until=clock.now) == [("resource.create", "First")]
    assert actions(since=clock.now, limit=1) == [("resource.update", "First!")]
    with pytest.raises(ValidationError) as caught:
        services.desk.audit_log(ada, AuditFilter(limit=0))
    assert caught.value.field == "limit"


def test_a_failed_change_leaves_no_audit_entry(services):
    desk = advisor(services)
    with pytest.raises(ValidationError):
        services.resources.create(desk, draft("Bad", tags=("Nope",)))
    assert services.desk.audit_log(desk) == ()


# --- attendance and RSVPs at the desk -------------------------------------------------------------


def test_attendance_lists_going_and_the_waitlist_in_order(services):
    desk = advisor(services)
    (talk,) = create(services, desk, draft("Talk", capacity=1))
    ids = []
    for n, name in enumerate(["Ann", "Ben", "Cat"]):
        token = student(services, f"{name.lower()}@example.edu", name)
        ids.append(services.auth.current_student(token).id)
        services.plan.rsvp(token, talk.key)
        assert n == 0 or services.plan.status(token, talk.key).position == n

    attendance = services.desk.attendees(desk, talk.key)

    assert attendance.resource.key == talk.key
    assert [(a.name, a.state) for a in attendance.going] == [("Ann", RsvpState.GOING)]
    assert [(a.name, a.position) for a in attendance.waitlisted] == [("Ben", 1), ("Cat", 2)]

    # The advisor cancels Ann's place: Ben is promoted, and both changes are audited.
    services.desk.remove_attendee(desk, talk.key, ids[0])
    after = services.desk.attendees(desk, talk.key)
    assert [a.name for a in after.going] == ["Ben"]
    assert [(a.name, a.position) for a in after.waitlisted] == [("Cat", 1)]
    (cancelled,) = services.desk.audit_log(desk, AuditFilter(action=AuditAction.RSVP_CANCELLED))
    assert cancelled.before["student"] == "ann@example.edu"
    assert cancelled.after["promoted_from_waitlist"] == ["ben@example.edu"]

    status = services.desk.add_attendee(desk, talk.key, ids[0])
    assert status.label == "Waitlisted (2)"
    (added,) = services.desk.audit_log(desk, AuditFilter(action=AuditAction.RSVP_ADDED))
    assert added.after == {"student": "ann@example.edu", "status": "waitlisted", "position": 2}


def test_an_advisors_own_rsvp_is_audited_and_a_students_is_not(services):
    desk = advisor(services)
    (talk,) = create(services, desk, draft("Talk", capacity=1))
    token = student(services)
    services.plan.rsvp(token, talk.key)
    services.plan.rsvp(desk, talk.key)
    services.plan.cancel_rsvp(token, talk.key)  # the advisor is promoted
    services.plan.cancel_rsvp(desk, talk.key)

    entries = services.desk.audit_log(desk, AuditFilter(resource_id=talk.row_id))

    assert [e.action for e in entries] == [AuditAction.RSVP_CANCELLED, AuditAction.RSVP_ADDED,
                                           AuditAction.RESOURCE_CREATED]
    assert entries[1].after == {"student": "desk@example.edu", "status": "waitlisted",
                                "position": 1}
    cancelled = entries[0]
    assert cancelled.before == {"student": "desk@example.edu", "status": "going",
                                "position": None}
    assert {e.advisor_email for e in entries} == {"desk@example.edu"}


# --- helping a student at the desk ----------------------------------------------------------------


def test_desk_look_up_shows_a_students_plan_without_password_data(make_services):
    services = make_services(recommender="lexical")
    desk = advisor(services)
    talk, workshop = create(services, desk, draft("Talk on AI", capacity=5),
                            draft("AI workshop", kind=ResourceKind.WORKSHOP, days=1))
    token = student(services, "maria.lopez@example.edu", "María López", interests=("AI",))
    services.plan.save(token, workshop.key)
    services.plan.rsvp(token, talk.key)
    student(services, "mario@example.edu", "Mario", interests=())

    by_email = services.desk.find_students(desk, "MARIA.LOPEZ@example.edu")
    by_name = services.desk.find_students(desk, "lópez")
    assert [s.email for s in by_email] == ["maria.lopez@example.edu"]
    assert [s.name for s in by_name] == ["María López"]
    assert {s.name for s in services.desk.find_students(desk, "mari")} == {"María López",
                                                                          "Mario"}

    overview = services.desk.student_overview(desk, by_email[0].id)

    assert overview.student.email == "maria.lopez@example.edu"
    assert [i.tag for i in overview.interests] == ["AI"]
    assert [e.title for e in overview.saved] == ["AI workshop"]
    assert [(r.resource.title, r.status.label) for r in overview.rsvps] == [("Talk on AI",
                                                                             "Going")]
    assert {s.resource.title for s in overview.recommended} == {"Talk on AI", "AI workshop"}
    assert all(s.reason for s in overview.recommended)
    with services.engine.connect() as conn:
        stored_hash = conn.execute(
            select(t.students_data.c.password_hash)
            .where(t.students_data.c.email == "maria.lopez@example.edu")
        ).scalar_one()
    shown = repr(overview) + repr(by_email)
    assert "password" not in shown and stored_hash not in shown
    assert not any("password" in f.name for f in dataclasses.fields(overview.student))
    with pytest.raises(NotFound):
        services.desk.student_overview(desk, 424242)


# --- CSV import and export ------------------------------------------------------------------------


def test_import_preview_lists_row_errors_and_changes_nothing(services, tmp_path):
    desk = advisor(services)
    path = write_csv(
        tmp_path / "mixed.csv",
        "workshop,Good one,,AI,2027-02-01T10:00,,,,",
        "seminar,,,Nope,yesterday,,,ftp://x,-3",
        "event,Fine too,,Robotics,,,,,",
    )
    before = count(services, t.interest_resources)

    preview = services.desk.preview_import(desk, path)

    assert not preview.importable
    assert [row.line for row in preview.rows] == [2, 3, 4]
    good, bad, fine = preview.rows
    assert good.draft is not None and good.problems == ()
    assert fine.draft is not None
    assert bad.draft is None and bad.cells["kind"] == "seminar"
    assert [(p.line, p.field) for p in bad.problems] == [
        (3, "kind"), (3, "title"), (3, "interest_tags"), (3, "starts_at"), (3, "url"),
        (3, "capacity")]
    assert preview.problems == bad.problems
    assert count(services, t.interest_resources) == before
    with pytest.raises(CatalogueImportFailed):
        services.desk.import_resources(desk, preview)
    assert count(services, t.interest_resources) == before


def test_a_bad_header_or_file_is_a_preview_problem_not_a_crash(services, tmp_path):
    desk = advisor(services)
    with pytest.raises(ValidationError) as missing:
        services.desk.preview_import(desk, tmp_path / "missing.csv")
    assert "cannot be read" in missing.value.message
    (tmp_path / "bad.csv").write_text("kind,title\nworkshop,x\n", encoding="utf-8")
    bad = services.desk.preview_import(desk, tmp_path / "bad.csv")
    assert bad.rows == () and [(p.line, p.field) for p in bad.problems] == [(1, "header")]
    (tmp_path / "latin1.csv").write_bytes(HEADER.encode() + b"\nworkshop,Caf\xe9,,,,,,,\n")
    latin = services.desk.preview_import(desk, tmp_path / "latin1.csv")
    assert [(p.line, p.field) for p in latin.problems] == [(2, "file")]


def test_a_cancelled_import_changes_nothing(services, tmp_path):
    desk = advisor(services)
    path = write_csv(tmp_path / "many.csv",
                     *(f"workshop,Item {n},,AI,,,,," for n in range(250)))
    preview = services.desk.preview_import(desk, path)
    assert preview.importable
    seen: list[tuple[int, int]] = []

    with pytest.raises(ImportCancelled):
        services.desk.import_resources(desk, preview, progress=lambda d, n: seen.append((d, n)),
                                       cancelled=lambda: len(seen) >= 2)

    assert seen == [(100, 250), (200, 250)]
    assert count(services, t.interest_resources) == 0
    assert services.desk.audit_log(desk) == ()


def test_a_successful_import_reports_progress_and_leaves_one_audit_entry(services, tmp_path):
    desk = advisor(services)
    path = write_csv(tmp_path / "many.csv",
                     *(f"workshop,Item {n},,AI,,,,," for n in range(150)))
    seen: list[tuple[int, int]] = []
    preview = services.desk.preview_import(desk, path)

    added = services.desk.import_resources(desk, preview, source="many.csv",
                                           progress=lambda d, n: seen.append((d, n)),
                                           cancelled=lambda: False)

    assert added == 150 and seen == [(100, 150), (150, 150)]
    assert count(services, t.interest_resources) == 150
    (entry,) = services.desk.audit_log(desk)
    assert (entry.action, entry.advisor_email) == (AuditAction.CATALOGUE_IMPORTED,
                                                   "desk@example.edu")
    assert entry.after["count"] == 150 and len(entry.after["keys"]) == 150
    assert "150 resources from many.csv" in entry.detail


def test_a_preview_with_problems_is_never_imported(services, tmp_path):
    desk = advisor(services)
    path = write_csv(tmp_path / "two.csv", "workshop,Good,,AI,,,,,", "workshop,,,AI,,,,,")
    preview = services.desk.preview_import(desk, path)
    assert [row.draft is not None for row in preview.rows] == [True, False]
    with pytest.raises(CatalogueImportFailed) as caught:
        services.desk.import_resources(desk, preview)
    assert [(p.line, p.field) for p in caught.value.problems] == [(3, "title")]
    assert count(services, t.interest_resources) == 0


def test_an_export_imports_back_into_an_empty_database_as_an_equal_catalogue(
        make_services, mysql_or_sqlite_second_url, tmp_path):
    services = make_services()
    desk = advisor(services)
    create(services, desk,
           draft("Talk, with \"quotes\"", capacity=40, location="Hall A",
                 url="https://example.edu/talk", description="Line one\nLine two, with comma"),
           draft("Multi-day", kind=ResourceKind.TRAINING, days=3, hours=50,
                 tags=("AI", "Robotics")),
           draft("Undated", kind=ResourceKind.WORKSHOP, days=None, tags=()),
           draft("Émojis 🎓 and accents", days=5, description="  leading spaces kept"))
    with services.engine.begin() as conn:
        conn.execute(text("INSERT INTO interest_resources (interest_tag, workshop, event) "
                          "VALUES ('AI', 'Old workshop', 'Old event')"))
    exported = tmp_path / "catalogue.csv"

    assert services.desk.export_resources(desk, exported) == 6

    target = make_services_on(mysql_or_sqlite_second_url)
    try:
        target.catalogue.seed_interests()
        assert target.catalogue.import_csv(exported) == 6
        assert catalogue(target) == catalogue(services)
    finally:
        target.dispose()


# --- access control -------------------------------------------------------------------------------

ADVISOR_OPERATIONS = {
    "create resource": lambda s, tok, key, path: s.resources.create(tok, draft("X")),
    "update resource": lambda s, tok, key, path: s.resources.update(
        tok, int(key.split(":")[0]), ResourceKind.EVENT, draft("X")),
    "delete resource": lambda s, tok, key, path: s.resources.delete(
        tok, int(key.split(":")[0]), ResourceKind.EVENT),
    "delete impact": lambda s, tok, key, path: s.resources.delete_impact(
        tok, int(key.split(":")[0]), ResourceKind.EVENT),
    "attendees": lambda s, tok, key, path: s.desk.attendees(tok, key),
    "add attendee": lambda s, tok, key, path: s.desk.add_attendee(tok, key, 1),
    "remove attendee": lambda s, tok, key, path: s.desk.remove_attendee(tok, key, 1),
    "audit log": lambda s, tok, key, path: s.desk.audit_log(tok),
    "find students": lambda s, tok, key, path: s.desk.find_students(tok, "a"),
    "student overview": lambda s, tok, key, path: s.desk.student_overview(tok, 1),
    "preview import": lambda s, tok, key, path: s.desk.preview_import(tok, path),
    "import": lambda s, tok, key, path: s.desk.import_resources(
        tok, s.catalogue.preview_csv(path)),
    "export": lambda s, tok, key, path: s.desk.export_resources(tok, path.with_suffix(".out")),
}


@pytest.mark.parametrize("operation", sorted(ADVISOR_OPERATIONS))
def test_every_advisor_operation_refuses_a_students_token(services, tmp_path, operation):
    desk = advisor(services)
    (talk,) = create(services, desk, draft("Talk", capacity=3))
    token = student(services)
    path = write_csv(tmp_path / "one.csv", "workshop,One,,AI,,,,,")
    before = (count(services, t.interest_resources), count(services, t.rsvps),
              count(services, t.audit_log))

    with pytest.raises(AccessDenied):
        ADVISOR_OPERATIONS[operation](services, token, talk.key, path)

    assert (count(services, t.interest_resources), count(services, t.rsvps),
            count(services, t.audit_log)) == before
    assert not path.with_suffix(".out").exists()


def make_services_on(url):
    from studentres_desktop.bootstrap import build_services
    from studentres_desktop.persistence.engine import DatabaseSettings
    from studentres_desktop.persistence.schema import ensure_schema

    built = build_services(DatabaseSettings(url), bcrypt_cost=4)
    ensure_schema(built.engine)
    return built


@pytest.fixture
def mysql_or_sqlite_second_url(request, database_url, tmp_path) -> str:
    """A second, empty database on the same backend as the test's database."""
    if database_url.startswith("sqlite"):
        return f"sqlite:///{tmp_path / 'second.sqlite3'}"
    return request.getfixturevalue("mysql_databases")()


def test_exported_times_are_iso_8601_wall_clock_times(services, tmp_path):
    desk = advisor(services)
    create(services, desk, draft("Talk", tags=()))
    exported = tmp_path / "out.csv"
    services.desk.export_resources(desk, exported)
    header, line = exported.read_text(encoding="utf-8").splitlines()
    assert header == HEADER
    assert line.split(",")[4:6] == [f"{SOON:%Y-%m-%dT%H:%M:%S}",
                                    f"{SOON + timedelta(hours=2):%Y-%m-%dT%H:%M:%S}"]
