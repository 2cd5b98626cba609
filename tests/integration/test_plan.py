"""The student's plan through the services: saving, RSVPs, the waitlist; SQLite and MariaDB."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text

from studentres_desktop.domain.errors import NotFound, RsvpUnavailable, ValidationError
from studentres_desktop.domain.models import ResourceKind, RsvpState
from tests.support.accounts import PASSWORD, advisor, create, draft, student

# --- saving ---------------------------------------------------------------------------------------


def test_save_is_idempotent_and_unsave_forgets(services):
    desk = advisor(services)
    (talk,) = create(services, desk, draft("Talk"))
    token = student(services)

    assert services.plan.save(token, talk.key) is True
    assert services.plan.save(token, talk.key) is False
    assert [e.key for e in services.plan.saved(token)] == [talk.key]
    assert services.plan.saved_keys(token, [talk.key, "999:event"]) == {talk.key}

    assert services.plan.unsave(token, talk.key) is True
    assert services.plan.unsave(token, talk.key) is False
    assert services.plan.saved(token) == ()


def test_saved_list_is_soonest_first_with_past_ones_below(services, clock):
    desk = advisor(services)
    later, undated, sooner, past, older = create(
        services, desk, draft("Later", days=9), draft("Undated", days=None),
        draft("Sooner", days=1), draft("Past", days=-60), draft("Older past", days=-90),
    )
    token = student(services)
    for resource in (past, later, older, undated, sooner):
        services.plan.save(token, resource.key)

    saved = services.plan.saved(token)

    assert [e.title for e in saved] == ["Sooner", "Later", "Undated", "Past", "Older past"]
    assert [e.past for e in saved] == [False, False, False, True, True]
    assert not any(e.removed for e in saved)
    # Time passes: "Sooner" is over now and moves below.
    clock.now = sooner.ends_at + timedelta(days=1)
    token = services.auth.login("ada@example.edu", PASSWORD).token
    assert [e.title for e in services.plan.saved(token)][:3] == ["Later", "Undated", "Sooner"]


def test_saved_entries_survive_logout_and_a_restart(make_services):
    first = make_services()
    desk = advisor(first)
    (talk,) = create(first, desk, draft("Talk"))
    token = student(first)
    first.plan.save(token, talk.key)
    first.auth.logout(token)
    first.dispose()

    restarted = make_services()
    again = restarted.auth.login("ada@example.edu", PASSWORD).token
    assert [e.title for e in restarted.plan.saved(again)] == ["Talk"]


def test_items_of_an_original_style_row_are_saved_by_their_own_key(services):
    with services.engine.begin() as conn:
        conn.execute(text("INSERT INTO interest_resources (interest_tag, workshop, event) "
                          "VALUES ('AI', 'Old workshop', 'Old event')"))
        row_id = conn.execute(text("SELECT id FROM interest_resources")).scalar_one()
    token = student(services)

    services.plan.save(token, f"{row_id}:event")

    (entry,) = services.plan.saved(token)
    assert entry.key == f"{row_id}:event"
    assert entry.title == "Old event"
    assert entry.resource is not None and entry.resource.legacy
    with pytest.raises(NotFound):
        services.plan.save(token, f"{row_id}:training")  # that cell is empty
    statuses = services.plan.statuses(token, [f"{row_id}:event", f"{row_id}:training"])
    assert {key: s.state for key, s in statuses.items()} == {
        f"{row_id}:event": RsvpState.NO_CAPACITY}
    with pytest.raises(RsvpUnavailable):
        services.plan.rsvp(token, f"{row_id}:workshop")


def test_a_deleted_resource_stays_readable_as_removed(services):
    desk = advisor(services)
    (talk,) = create(services, desk, draft("Talk", capacity=3))
    token = student(services)
    other = student(services, "bo@example.edu", "Bo")
    services.plan.save(token, talk.key)
    services.plan.rsvp(other, talk.key)  # Bo did not save it, but had a place

    impact = services.resources.delete_impact(desk, talk.row_id, talk.kind)
    assert (impact.going, impact.saved, impact.students) == (1, 1, 2)
    services.resources.delete(desk, talk.row_id, talk.kind)

    for who in (token, other):
        (entry,) = services.plan.saved(who)
        assert (entry.title, entry.removed, entry.resource) == ("Talk", True, None)
    assert services.plan.my_rsvps(other) == ()
    # The next resource may get the deleted one's row id (SQLite reuses the highest id):
    # the removed entry does not turn into it.
    (replacement,) = create(services, desk, draft("Replacement"))
    assert [e.title for e in services.plan.saved(token)] == ["Talk"]
    if replacement.key == talk.key:
        services.plan.save(token, replacement.key)
        assert [(e.title, e.removed) for e in services.plan.saved(token)] == [
            ("Replacement", False)]


def test_saving_refuses_bad_and_unknown_keys(services):
    token = student(services)
    for bad in ("", "12", "x:event", "12:seminar", "0:event"):
        with pytest.raises(ValidationError) as caught:
            services.plan.save(token, bad)
        assert caught.value.field == "resource"
    with pytest.raises(NotFound):
        services.plan.save(token, "424242:event")


# --- RSVP -----------------------------------------------------------------------------------------


def test_rsvp_takes_places_then_the_waitlist_then_promotes_in_order(services):
    desk = advisor(services)
    (talk,) = create(services, desk, draft("Talk", capacity=2))
    a, b, c, d = (student(services, f"s{n}@example.edu", f"S{n}") for n in range(4))
    outsider = student(services, "e@example.edu", "E")

    assert services.plan.status(a, talk.key).state is RsvpState.OPEN
    assert services.plan.status(a, talk.key).label == "2 places left"
    assert services.plan.rsvp(a, talk.key).state is RsvpState.GOING
    assert services.plan.rsvp(a, talk.key).state is RsvpState.GOING  # asking twice: no change
    assert services.plan.rsvp(b, talk.key).label == "Going"
    assert services.plan.status(outsider, talk.key).label == "Full"
    third = services.plan.rsvp(c, talk.key)
    fourth = services.plan.rsvp(d, talk.key)
    assert (third.state, third.position, third.label) == (RsvpState.WAITLISTED, 1,
                                                          "Waitlisted (1)")
    assert (fourth.position, fourth.going, fourth.waitlisted) == (2, 2, 2)

    after = services.plan.cancel_rsvp(b, talk.key)  # frees a place: c is promoted

    assert after.state is RsvpState.FULL
    assert services.plan.status(c, talk.key).state is RsvpState.GOING
    assert services.plan.status(d, talk.key).position == 1  # moved up, no gap
    services.plan.cancel_rsvp(d, talk.key)  # leaving the waitlist promotes nobody
    statuses = services.plan.statuses(a, [talk.key])
    assert (statuses[talk.key].going, statuses[talk.key].waitlisted) == (2, 0)
    assert services.plan.cancel_rsvp(d, talk.key).state is RsvpState.FULL  # twice: no change


def test_statuses_for_a_page_of_resources(services):
    desk = advisor(services)
    small, open_, plain = create(services, desk, draft("Small", capacity=1),
                                 draft("Open", capacity=5, days=1), draft("Plain", days=2))
    token = student(services)
    other = student(services, "bo@example.edu", "Bo")
    services.plan.rsvp(other, small.key)
    services.plan.rsvp(token, small.key)
    services.plan.rsvp(token, open_.key)

    found = services.plan.statuses(token, [small.key, open_.key, plain.key, "999999:event"])

    assert found[small.key].label == "Waitlisted (1)"
    assert found[open_.key].label == "Going"
    assert found[plain.key].state is RsvpState.NO_CAPACITY
    assert "999999:event" not in found
    assert [e.resource.title for e in services.plan.my_rsvps(token)] == ["Small", "Open"]


def test_no_rsvp_without_a_capacity_or_after_the_end(services, clock):
    desk = advisor(services)
    plain, over = create(services, desk, draft("Plain"), draft("Over", days=-60, capacity=5))
    token = student(services)
    with pytest.raises(RsvpUnavailable, match="no capacity"):
        services.plan.rsvp(token, plain.key)
    with pytest.raises(RsvpUnavailable, match="over"):
        services.plan.rsvp(token, over.key)
    assert services.plan.my_rsvps(token) == ()


def test_raising_the_capacity_promotes_and_removing_it_is_refused(services):
    desk = advisor(services)
    (talk,) = create(services, desk, draft("Talk", capacity=1))
    a, b, c = (student(services, f"s{n}@example.edu", f"S{n}") for n in range(3))
    for token in (a, b, c):
        services.plan.rsvp(token, talk.key)

    edited = services.resources.update(desk, talk.row_id, talk.kind,
                                       draft("Talk", capacity=2), expected=talk)

    assert services.plan.status(b, talk.key).state is RsvpState.GOING
    assert services.plan.status(c, talk.key).position == 1
    with pytest.raises(ValidationError) as caught:
        services.resources.update(desk, talk.row_id, talk.kind, draft("Talk"), expected=edited)
    assert caught.value.field == "capacity"
    assert "3 students" in caught.value.message


def test_changing_the_kind_keeps_saved_entries_and_rsvps(services):
    desk = advisor(services)
    (talk,) = create(services, desk, draft("Talk", capacity=3))
    token = student(services)
    services.plan.save(token, talk.key)
    services.plan.rsvp(token, talk.key)

    moved = services.resources.update(desk, talk.row_id, talk.kind,
                                      draft("Talk", kind=ResourceKind.WORKSHOP, capacity=3))

    assert moved.key != talk.key
    assert [e.key for e in services.plan.saved(token)] == [moved.key]
    assert services.plan.status(token, moved.key).state is RsvpState.GOING


def test_editing_an_original_style_item_keeps_its_saved_entries(services):
    with services.engine.begin() as conn:
        conn.execute(text("INSERT INTO interest_resources (interest_tag, workshop, event) "
                          "VALUES ('AI', 'Old workshop', 'Old event')"))
        row_id = conn.execute(text("SELECT id FROM interest_resources")).scalar_one()
    desk = advisor(services)
    token = student(services)
    services.plan.save(token, f"{row_id}:event")

    moved = services.resources.update(desk, row_id, ResourceKind.EVENT,
                                      draft("New event", capacity=10))

    (entry,) = services.plan.saved(token)
    assert (entry.key, entry.title, entry.removed) == (moved.key, "New event", False)
    assert services.plan.rsvp(token, moved.key).state is RsvpState.GOING


def test_a_database_from_the_original_design_gets_the_plan_tables_and_versions(database_url):
    from studentres_desktop.persistence import tables as t
    from studentres_desktop.persistence.engine import DatabaseSettings, create_database_engine
    from studentres_desktop.persistence.schema import ensure_schema, inspect_schema

    engine = create_database_engine(DatabaseSettings(database_url))
    serial = "INTEGER PRIMARY KEY" + ("" if engine.dialect.name == "sqlite" else " AUTO_INCREMENT")
    with engine.begin() as conn:
        for table in reversed(t.metadata.sorted_tables):
            conn.exec_driver_sql(f"DROP TABLE IF EXISTS {table.name}")
        conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")  # no migration was applied
        conn.exec_driver_sql(f"CREATE TABLE interest_resources (id {serial}, interest_tag "
                             "VARCHAR(64), workshop TEXT, training TEXT, event TEXT)")
        conn.exec_driver_sql(f"CREATE TABLE students_data (id {serial}, name VARCHAR(100), "
                             "email VARCHAR(254) UNIQUE, password_hash VARCHAR(255), "
                             "interest VARCHAR(64))")
        conn.exec_driver_sql("INSERT INTO interest_resources (interest_tag, workshop) "
                             "VALUES ('AI', 'Old workshop')")

    changes = ensure_schema(engine)

    assert {"added column interest_resources.version", "created table saved_resources",
            "created table rsvps", "created table audit_log"} <= set(changes)
    assert inspect_schema(engine).current
    with engine.connect() as conn:
        assert conn.execute(text("SELECT version FROM interest_resources")).scalar_one() == 1
    engine.dispose()
