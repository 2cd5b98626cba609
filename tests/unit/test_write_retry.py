"""The retrying unit of work: which errors rerun a transaction, how often, how long it waits,
and that a rerun never applies a write twice."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import exc as sa_exc
from sqlalchemy import func, insert, select

from studentres_desktop.domain.errors import DatabaseUnavailable, DomainError, NotFound
from studentres_desktop.persistence import tables as t
from studentres_desktop.persistence.db_errors import (
    RERUN_ERRNOS,
    TransactionInterrupted,
    is_rerunnable,
    to_domain_error,
)
from studentres_desktop.persistence.engine import DatabaseSettings, create_database_engine
from studentres_desktop.persistence.schema import ensure_schema
from studentres_desktop.persistence.uow import RetryPolicy, UnitOfWork, run_write
from tests.support.faults import (
    DEADLOCK,
    LOCK_WAIT,
    LOST,
    NOT_AVAILABLE,
    DriverError,
    driver_failure,
    failing_commits,
)


@pytest.fixture
def engine(tmp_path: Path):
    engine = create_database_engine(DatabaseSettings(f"sqlite:///{tmp_path / 'retry.sqlite3'}"))
    ensure_schema(engine)
    yield engine
    engine.dispose()


class Recorder:
    """A policy that never sleeps: it records the waits it was asked for."""

    def __init__(self, attempts: int = 6, budget: float = 20.0, draw: float = 0.5) -> None:
        self.waits: list[float] = []
        self.now = 0.0
        self.policy = RetryPolicy(attempts=attempts, base_delay=0.1, max_delay=1.0,
                                  budget=budget, sleep=self._sleep, random=lambda: draw,
                                  monotonic=lambda: self.now)

    def _sleep(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.now += seconds


def add_interest(tag: str):
    def work(uow: UnitOfWork) -> str:
        uow._conn.execute(insert(t.interests).values(tag=tag, label=tag))
        return tag
    return work


def interests_named(engine, tag: str) -> int:
    with engine.connect() as conn:
        return int(conn.execute(
            select(func.count()).select_from(t.interests).where(t.interests.c.tag == tag)
        ).scalar_one())


@pytest.mark.parametrize("errno", sorted(RERUN_ERRNOS))
def test_these_errors_rerun_the_transaction(errno):
    assert is_rerunnable(driver_failure(errno))
    assert isinstance(to_domain_error(driver_failure(errno)), TransactionInterrupted)


@pytest.mark.parametrize("errno", [LOCK_WAIT, 1062, 1452, 1045, 2003, 1146])
def test_others_do_not(errno):
    assert not is_rerunnable(driver_failure(errno))
    assert not isinstance(to_domain_error(driver_failure(errno)), TransactionInterrupted)


def test_a_constraint_error_is_never_rerun():
    error = sa_exc.IntegrityError("INSERT", None, DriverError(1062))
    assert not is_rerunnable(error)


@pytest.mark.parametrize("error", [
    sa_exc.ResourceClosedError("This Connection is closed"),
    sa_exc.PendingRollbackError("Can't reconnect until invalid transaction is rolled back"),
    sa_exc.DisconnectionError("connection invalidated"),
])
def test_a_connection_closed_under_us_is_unavailable_and_rerun(error):
    mapped = to_domain_error(error)
    assert isinstance(mapped, TransactionInterrupted)
    assert isinstance(mapped, DatabaseUnavailable) and mapped.transient
    assert str(error) not in mapped.message  # no SQLAlchemy wording reaches a person


def test_the_waits_grow_with_full_jitter_up_to_the_cap():
    policy = RetryPolicy(base_delay=0.1, max_delay=1.0, random=lambda: 1.0)
    assert [policy.delay(n) for n in range(6)] == pytest.approx([0.1, 0.2, 0.4, 0.8, 1.0, 1.0])
    assert RetryPolicy(base_delay=0.1, random=lambda: 0.0).delay(3) == 0.0
    draws = iter([0.25, 0.75])
    jittered = RetryPolicy(base_delay=0.1, random=lambda: next(draws))
    assert [jittered.delay(2), jittered.delay(2)] == pytest.approx([0.1, 0.3])


@pytest.mark.parametrize("errno", [DEADLOCK, LOST, NOT_AVAILABLE])
def test_an_interrupted_commit_is_rerun_and_applied_once(engine, monkeypatch, errno):
    recorder = Recorder()
    with failing_commits(monkeypatch) as faults:
        faults.add(errno, times=2)
        result = run_write(lambda: UnitOfWork(engine), add_interest("galera"),
                           policy=recorder.policy)
    assert result == "galera"
    assert faults.commits == 3
    assert len(recorder.waits) == 2
    assert interests_named(engine, "galera") == 1


def test_a_lost_acknowledgement_of_a_commit_that_went_through_is_not_applied_twice(
        engine, monkeypatch):
    calls = []

    def work(uow: UnitOfWork) -> int:
        calls.append(1)
        add_interest("once")(uow)
        return len(calls)

    with failing_commits(monkeypatch) as faults:
        faults.add(LOST, committed=True)
        faults.add(NOT_AVAILABLE, committed=True)
        result = run_write(lambda: UnitOfWork(engine), work, policy=Recorder().policy)
    # The first attempt committed: the rerun finds its operation id, writes nothing, and
    # answers with what that attempt computed. (A duplicate would also raise: tag is the key.)
    assert result == 1
    assert calls == [1]
    assert interests_named(engine, "once") == 1
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(t.applied_operations)
                            ).scalar_one() == 1


def test_the_number_of_attempts_is_bounded(engine, monkeypatch):
    recorder = Recorder(attempts=4)
    with failing_commits(monkeypatch) as faults:
        faults.add(DEADLOCK, times=10)
        with pytest.raises(TransactionInterrupted):
            run_write(lambda: UnitOfWork(engine), add_interest("never"), policy=recorder.policy)
    assert faults.commits == 4
    assert len(recorder.waits) == 3
    assert interests_named(engine, "never") == 0


def test_no_rerun_starts_once_the_time_budget_is_spent(engine, monkeypatch):
    recorder = Recorder(attempts=100, budget=1.0, draw=1.0)  # waits 0.1, 0.2, 0.4, 0.8 ...
    with failing_commits(monkeypatch) as faults:
        faults.add(LOST, times=50)
        with pytest.raises(TransactionInterrupted):
            run_write(lambda: UnitOfWork(engine), add_interest("late"), policy=recorder.policy)
    assert recorder.now >= 1.0
    assert sum(recorder.waits[:-1]) < 1.0
    assert faults.commits == len(recorder.waits) + 1 < 10


def test_a_lock_wait_timeout_is_not_rerun(engine, monkeypatch):
    recorder = Recorder()
    with failing_commits(monkeypatch) as faults:
        faults.add(LOCK_WAIT)
        with pytest.raises(DatabaseUnavailable) as raised:
            run_write(lambda: UnitOfWork(engine), add_interest("slow"), policy=recorder.policy)
    assert not isinstance(raised.value, TransactionInterrupted)
    assert faults.commits == 1 and recorder.waits == []


def test_domain_errors_and_constraint_errors_roll_back_without_a_rerun(engine):
    recorder = Recorder()
    attempts = []

    def refused(uow: UnitOfWork) -> None:
        attempts.append(1)
        add_interest("refused")(uow)
        raise NotFound("gone")

    with pytest.raises(NotFound):
        run_write(lambda: UnitOfWork(engine), refused, policy=recorder.policy)
    assert attempts == [1] and interests_named(engine, "refused") == 0

    run_write(lambda: UnitOfWork(engine), add_interest("taken"), policy=recorder.policy)
    with pytest.raises(DomainError) as raised:  # a domain error, not a driver error
        run_write(lambda: UnitOfWork(engine), add_interest("taken"), policy=recorder.policy)
    assert not isinstance(raised.value, TransactionInterrupted)
    assert recorder.waits == []
    assert interests_named(engine, "taken") == 1


def test_operation_ids_older_than_a_day_are_pruned(engine):
    from datetime import datetime, timedelta

    from studentres_desktop.persistence.uow import prune_operations

    now = datetime(2026, 12, 3, 9, 0)
    with engine.begin() as conn:
        conn.execute(insert(t.applied_operations), [
            {"op_id": "old", "applied_at": now - timedelta(days=1, seconds=1)},
            {"op_id": "recent", "applied_at": now - timedelta(hours=23)},
        ])
    assert prune_operations(lambda: UnitOfWork(engine), now) == 1
    with engine.connect() as conn:
        assert conn.execute(select(t.applied_operations.c.op_id)).scalars().all() == ["recent"]


def test_a_bare_driver_error_is_translated_too():
    from mysql.connector import errors as driver_errors

    from studentres_desktop.persistence.db_errors import translated_errors

    with pytest.raises(TransactionInterrupted), translated_errors():
        raise driver_errors.OperationalError("MySQL Connection not available.")
    with pytest.raises(DatabaseUnavailable) as raised, translated_errors():
        raise driver_errors.InterfaceError("Can't connect", errno=2003)
    assert "no database server answers" in raised.value.message
    with pytest.raises(KeyError), translated_errors():  # not a database error: left alone
        raise KeyError("x")
