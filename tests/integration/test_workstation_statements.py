"""What a workstation sends to MariaDB per action: no PING before each statement, an RSVP's
READ COMMITTED for its own transaction only, and a connection that died between two statements
still reruns the write."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest
from sqlalchemy import create_engine, event, func, insert, select, text

from studentres_desktop.bootstrap import Services, build_services
from studentres_desktop.domain.models import Interest, ResourceFilter
from studentres_desktop.persistence import tables as t
from studentres_desktop.persistence.engine import DatabaseSettings
from studentres_desktop.persistence.schema import ensure_schema
from studentres_desktop.persistence.uow import RetryPolicy, UnitOfWork, run_write
from tests.support.accounts import advisor, create, draft, student
from tests.support.driver_calls import recorded_commands

pytestmark = pytest.mark.mysql
NOW = datetime(2026, 1, 5, 9, 0)


@pytest.fixture
def mysql_services(mysql_url: str, clock) -> Iterator[Services]:  # type: ignore[no-untyped-def]
    services = build_services(DatabaseSettings(mysql_url), bcrypt_cost=4, clock=clock)
    ensure_schema(services.engine)
    services.catalogue.seed_interests()
    try:
        yield services
    finally:
        services.dispose()


def interest_count(uow: UnitOfWork) -> int:
    conn = uow._conn
    assert conn is not None
    return int(conn.execute(select(func.count()).select_from(t.interests)).scalar_one())


def add_interest_elsewhere(mysql_url: str, tag: str) -> None:
    other = create_engine(mysql_url)
    try:
        with other.begin() as conn:
            conn.execute(insert(t.interests).values(tag=tag, label=tag.title()))
    finally:
        other.dispose()


def test_a_page_of_statuses_pings_the_server_once_per_checkout(mysql_services):
    desk = advisor(mysql_services)
    talks = create(mysql_services, desk, draft("One", capacity=2), draft("Two", capacity=2))
    ada = student(mysql_services)
    with recorded_commands() as sent:
        statuses = mysql_services.plan.statuses(ada, [talk.key for talk in talks])
        saved = mysql_services.plan.saved_keys(ada, [talk.key for talk in talks])
        page = mysql_services.resources.browse(ada, ResourceFilter(limit=50))
    # Three units of work of one to four statements each: one pre-ping each, none per statement.
    assert sent.count("PING") == 3 and sent.count("SELECT") >= 3
    assert set(statuses) == {talk.key for talk in talks} and saved == frozenset()
    assert {item.key for item in page.items} == {talk.key for talk in talks}


def test_an_exclusive_unit_of_work_reads_committed_rows_and_leaves_the_session_as_it_was(
        mysql_services, mysql_url):
    engine = mysql_services.engine
    with UnitOfWork(engine).exclusive() as uow:
        before = interest_count(uow)
        add_interest_elsewhere(mysql_url, "committed-meanwhile")
        assert interest_count(uow) == before + 1  # READ COMMITTED: the new row is seen
    # The same pooled connection, a plain unit of work: REPEATABLE READ keeps its snapshot.
    with UnitOfWork(engine) as uow:
        before = interest_count(uow)
        add_interest_elsewhere(mysql_url, "not-seen-yet")
        assert interest_count(uow) == before


def kill_connection(mysql_url: str, connection_id: int) -> None:
    """The server drops that connection, as when its node dies."""
    admin = create_engine(mysql_url)
    try:
        with admin.begin() as other:
            other.execute(text(f"KILL CONNECTION {connection_id}"))
    finally:
        admin.dispose()


def interests_tagged(services: Services, tag: str) -> int:
    with services.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(t.interests)
                                .where(t.interests.c.tag == tag)).scalar_one())


def connection_id(uow: UnitOfWork) -> int:
    conn = uow._conn
    assert conn is not None
    return int(conn.execute(text("SELECT CONNECTION_ID()")).scalar_one())


def test_a_write_whose_connection_died_between_two_statements_runs_again(
        mysql_services, mysql_url):
    attempts: list[int] = []

    def work(uow: UnitOfWork) -> None:
        attempts.append(connection_id(uow))
        if len(attempts) == 1:  # the server drops this connection before the next statement
            kill_connection(mysql_url, attempts[0])
        uow.interests.add_missing([Interest("after-kill", "After kill")])

    run_write(lambda: UnitOfWork(mysql_services.engine), work,
              policy=RetryPolicy(sleep=lambda _seconds: None))
    assert len(attempts) == 2 and attempts[0] != attempts[1]
    assert interests_tagged(mysql_services, "after-kill") == 1


def test_a_committed_write_is_not_rolled_back_and_a_failed_one_is(mysql_services):
    engine = mysql_services.engine
    with recorded_commands() as sent:
        run_write(lambda: UnitOfWork(engine), lambda uow: uow.operations.record("kept", NOW))
        assert sent[-1] == "COMMIT"  # and no ROLLBACK after it

        def failing(uow: UnitOfWork) -> None:
            uow.operations.record("dropped", NOW)
            raise ValueError("the service refused it")

        sent.clear()
        with pytest.raises(ValueError):
            run_write(lambda: UnitOfWork(engine), failing)
        assert sent[-1] == "ROLLBACK"
        # The same pooled connection again: nothing of the failed write is left in it.
        with UnitOfWork(engine) as uow:
            assert uow.operations.applied("kept") and not uow.operations.applied("dropped")
        sent.clear()
        with UnitOfWork(engine) as uow:
            uow.operations.applied("kept")
        # A read ends its snapshot once (after the pool's check of the connection).
        assert [command for command in sent if command != "PING"] == ["SELECT", "ROLLBACK"]


def test_a_write_whose_connection_died_before_its_commit_runs_again(mysql_services, mysql_url):
    # The COMMIT is what fails: the C extension's commit() raised the client library's own
    # error, which was neither a driver error nor rerun.
    engine = mysql_services.engine
    attempts: list[int] = []

    def work(uow: UnitOfWork) -> None:
        attempts.append(connection_id(uow))
        uow.interests.add_missing([Interest("before-commit", "Before commit")])

    def kill_first_attempt(_conn: object) -> None:  # runs right before the DBAPI COMMIT
        if len(attempts) == 1:
            kill_connection(mysql_url, attempts[0])

    event.listen(engine, "commit", kill_first_attempt)
    try:
        run_write(lambda: UnitOfWork(engine), work,
                  policy=RetryPolicy(sleep=lambda _seconds: None))
    finally:
        event.remove(engine, "commit", kill_first_attempt)
    assert len(attempts) == 2 and attempts[0] != attempts[1]
    assert interests_tagged(mysql_services, "before-commit") == 1
