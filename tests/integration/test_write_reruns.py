"""Service writes rerun after a certification failure or a lost connection, and never apply
twice: an RSVP, a save, an advisor's change and its audit entry survive a COMMIT whose
acknowledgement was lost (the COMMIT went through). On SQLite and MariaDB."""

from __future__ import annotations

import pytest
from sqlalchemy import event, func, select

from studentres_desktop.bootstrap import build_services
from studentres_desktop.domain.models import AuditAction, RsvpState
from studentres_desktop.persistence import tables as t
from studentres_desktop.persistence.engine import DatabaseSettings
from studentres_desktop.persistence.nodes import node_problem
from studentres_desktop.persistence.schema import ensure_schema
from tests.support.accounts import PASSWORD, advisor, create, draft, student
from tests.support.faults import DEADLOCK, LOST, NOT_AVAILABLE, failing_commits


def count(services, table, *where) -> int:
    with services.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table).where(*where)).scalar_one()


@pytest.mark.parametrize("errno", [LOST, NOT_AVAILABLE])
def test_an_rsvp_whose_acknowledgement_was_lost_is_taken_once(services, monkeypatch, errno):
    desk = advisor(services)
    (talk,) = create(services, desk, draft("Talk", capacity=1))
    ada = student(services, "ada@example.edu")
    bob = student(services, "bob@example.edu", "Bob")
    with failing_commits(monkeypatch) as faults:
        faults.add(errno, committed=True)
        status = services.plan.rsvp(ada, talk.key)
        assert faults.commits == 1  # the rerun found the write and did not commit again
    assert status.state is RsvpState.GOING
    assert count(services, t.rsvps) == 1
    # Nobody lost their place to a phantom: the one place is Ada's, Bob waits first in line.
    assert services.plan.rsvp(bob, talk.key).position == 1


def test_an_rsvp_that_lost_certification_is_run_again(services, monkeypatch):
    desk = advisor(services)
    (talk,) = create(services, desk, draft("Talk", capacity=3))
    ada = student(services)
    with failing_commits(monkeypatch) as faults:
        faults.add(DEADLOCK, times=2)
        status = services.plan.rsvp(ada, talk.key)
        assert faults.commits == 3
    assert status.state is RsvpState.GOING and status.going == 1
    assert count(services, t.rsvps) == 1


def test_a_save_whose_acknowledgement_was_lost_says_it_was_new(services, monkeypatch):
    desk = advisor(services)
    (talk,) = create(services, desk, draft("Talk"))
    ada = student(services)
    with failing_commits(monkeypatch) as faults:
        faults.add(LOST, committed=True)
        assert services.plan.save(ada, talk.key) is True
    assert count(services, t.saved_resources) == 1
    assert services.plan.save(ada, talk.key) is False


def test_an_advisors_change_and_its_audit_entry_are_recorded_once(services, monkeypatch):
    desk = advisor(services)
    ada = student(services)
    ada_id = services.auth.current_student(ada).id
    with failing_commits(monkeypatch) as faults:
        faults.add(LOST, committed=True)
        (talk,) = create(services, desk, draft("Workshop", capacity=5))
        faults.add(NOT_AVAILABLE, committed=True)
        status = services.desk.add_attendee(desk, talk.key, ada_id)
        faults.add(DEADLOCK)
        faults.add(LOST, committed=True)
        services.plan.rsvp(desk, talk.key)
    assert count(services, t.interest_resources, t.interest_resources.c.title == "Workshop") == 1
    assert status.state is RsvpState.GOING
    assert count(services, t.rsvps) == 2
    actions = [entry.action for entry in services.desk.audit_log(desk)]
    assert actions.count(AuditAction.RESOURCE_CREATED) == 1
    assert actions.count(AuditAction.RSVP_ADDED) == 2  # one at the desk, one for themselves


def test_a_registration_whose_acknowledgement_was_lost_is_not_refused_as_taken(
        services, monkeypatch):
    with failing_commits(monkeypatch) as faults:
        faults.add(LOST, committed=True)
        student_ = services.auth.register("Cleo", "cleo@example.edu", PASSWORD)
    assert services.auth.login("cleo@example.edu", PASSWORD).student.id == student_.id


def test_a_login_rerun_after_a_lost_acknowledgement_counts_a_failure_once(
        services, monkeypatch):
    services.auth.register("Dan", "dan@example.edu", PASSWORD)
    with failing_commits(monkeypatch) as faults:
        faults.add(LOST, committed=True)
        with pytest.raises(Exception, match="not correct"):
            services.auth.login("dan@example.edu", "wrong password 123")
    with services.engine.connect() as conn:
        failures = conn.execute(select(t.login_throttle.c.failures)).scalar_one()
    assert failures == 1


# --- auto-increment steps of a cluster ------------------------------------------------------------


@pytest.mark.mysql
def test_nothing_assumes_consecutive_ids(mysql_url, clock):
    """Galera makes auto-increment step by the cluster size; here by 3, as with 3 nodes."""
    services = build_services(DatabaseSettings(mysql_url), bcrypt_cost=4, clock=clock)

    @event.listens_for(services.engine, "connect")
    def _step_by_three(dbapi_connection, _record):  # type: ignore[no-untyped-def]
        cursor = dbapi_connection.cursor()
        cursor.execute("SET SESSION auto_increment_increment = 3")
        cursor.close()

    try:
        ensure_schema(services.engine)
        services.catalogue.seed_interests()
        desk = advisor(services)
        talks = create(services, desk, draft("One", capacity=1), draft("Two", capacity=1))
        assert talks[1].row_id - talks[0].row_id == 3
        tokens = [student(services, f"s{n}@example.edu", f"S{n}") for n in range(3)]
        ids = [services.auth.current_student(token).id for token in tokens]
        assert ids[1] - ids[0] == 3
        states = [services.plan.rsvp(token, talks[0].key) for token in tokens]
        assert [s.state for s in states] == [RsvpState.GOING, RsvpState.WAITLISTED,
                                             RsvpState.WAITLISTED]
        assert [s.position for s in states[1:]] == [1, 2]
        services.plan.cancel_rsvp(tokens[0], talks[0].key)
        attendance = services.desk.attendees(desk, talks[0].key)
        assert [a.student_id for a in attendance.going] == [ids[1]]
        assert [(a.student_id, a.position) for a in attendance.waitlisted] == [(ids[2], 1)]
        entries = services.desk.audit_log(desk)
        assert len({e.id for e in entries}) == len(entries) >= 2
        assert services.plan.saved_keys(tokens[1], [t.key for t in talks]) == frozenset()
    finally:
        services.dispose()


# --- the node checks against a real server --------------------------------------------------------


@pytest.mark.mysql
def test_a_server_without_galera_is_ready_and_a_dead_host_is_skipped(mysql_url, clock):
    from sqlalchemy.engine import make_url

    url = make_url(mysql_url)
    hosts = ((url.host or "127.0.0.1", 1), (url.host or "127.0.0.1", url.port or 3306))
    services = build_services(DatabaseSettings(mysql_url, hosts=hosts), bcrypt_cost=4,
                              clock=clock)
    try:
        with services.engine.connect() as conn:
            assert node_problem(conn.connection.dbapi_connection) is None
        ensure_schema(services.engine)
        services.catalogue.seed_interests()
        assert services.catalogue.is_empty()
    finally:
        services.dispose()


@pytest.mark.mysql
def test_a_node_answering_1047_is_left_and_the_write_runs_again_on_a_new_connection(
        mysql_url, clock):
    from sqlalchemy import insert, text

    from studentres_desktop.persistence.uow import RetryPolicy, UnitOfWork, run_write

    services = build_services(DatabaseSettings(mysql_url), bcrypt_cost=4, clock=clock)
    ensure_schema(services.engine)
    connections: list[object] = []

    def work(uow: UnitOfWork) -> None:
        conn = uow._conn
        assert conn is not None
        connections.append(conn.connection.dbapi_connection)
        if len(connections) == 1:  # what a node cut off from its cluster answers
            conn.execute(text("SIGNAL SQLSTATE '08S01' SET MYSQL_ERRNO = 1047, MESSAGE_TEXT = "
                              "'WSREP has not yet prepared node for application use'"))
        conn.execute(insert(t.interests).values(tag="galera", label="Galera"))

    try:
        run_write(lambda: UnitOfWork(services.engine), work,
                  policy=RetryPolicy(sleep=lambda _seconds: None))
        assert len(connections) == 2
        assert connections[0] is not connections[1]  # the pool let the first one go
        assert count(services, t.interests, t.interests.c.tag == "galera") == 1
    finally:
        services.dispose()


def test_every_rsvp_change_writes_the_resources_lock_row(services):
    """Galera does not lock rows across nodes; two RSVP changes conflict at certification only
    because each writes this row (docs/cluster.md)."""
    desk = advisor(services)
    (talk,) = create(services, desk, draft("Talk", capacity=1))
    ada = student(services)
    bob = student(services, "bob@example.edu", "Bob")
    bob_id = services.auth.current_student(bob).id

    def changes() -> int | None:
        with services.engine.connect() as conn:
            return conn.execute(select(t.resource_locks.c.changes).where(
                t.resource_locks.c.resource_id == talk.row_id)).scalar_one_or_none()

    assert changes() is None
    services.plan.rsvp(ada, talk.key)
    services.desk.add_attendee(desk, talk.key, bob_id)  # the waitlist
    services.plan.cancel_rsvp(ada, talk.key)  # Bob is promoted
    assert changes() == 3
    services.resources.delete(desk, talk.row_id, talk.kind)
    assert changes() is None  # the lock row goes with its resource
