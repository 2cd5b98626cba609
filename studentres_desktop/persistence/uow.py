"""Unit of work: one transaction per user action; leaving without commit() rolls back.

Services write through `run_write`, which reruns the whole transaction after a deadlock, a
Galera certification failure or a lost connection (docs/cluster.md), and reads through
`read_with_retry`.
"""

from __future__ import annotations

import logging
import random
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from types import TracebackType
from typing import Self, TypeVar

from sqlalchemy import Connection, Engine, RootTransaction, delete, insert, select
from sqlalchemy.exc import SQLAlchemyError

from studentres_desktop.domain.errors import DatabaseUnavailable
from studentres_desktop.persistence import tables as t
from studentres_desktop.persistence.credentials import CredentialStore, credential_store
from studentres_desktop.persistence.db_errors import (
    TransactionInterrupted,
    is_rerunnable,
    translated_errors,
)
from studentres_desktop.persistence.embeddings import CatalogueIndexRepository
from studentres_desktop.persistence.engine import ENDED_BY_COMMIT
from studentres_desktop.persistence.plan import (
    AuditRepository,
    RsvpRepository,
    SavedRepository,
    StudentDirectory,
)
from studentres_desktop.persistence.repositories import (
    InterestRepository,
    ResourceRepository,
    StudentRepository,
)

T = TypeVar("T")
log = logging.getLogger(__name__)


class OperationLedger:
    """The ids of committed writes, so that a write run again is not applied twice."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def applied(self, op_id: str) -> bool:
        ops = t.applied_operations
        found = self._conn.execute(select(ops.c.op_id).where(ops.c.op_id == op_id)).first()
        return found is not None

    def record(self, op_id: str, now: datetime) -> None:
        self._conn.execute(insert(t.applied_operations).values(op_id=op_id, applied_at=now))

    def prune(self, before: datetime) -> int:
        ops = t.applied_operations
        return int(self._conn.execute(delete(ops).where(ops.c.applied_at < before)).rowcount)


class UnitOfWork:
    """`with uow: …; uow.commit()` — database errors leave it as domain errors."""

    students: StudentRepository
    interests: InterestRepository
    resources: ResourceRepository
    credentials: CredentialStore
    catalogue: CatalogueIndexRepository
    saved: SavedRepository
    rsvps: RsvpRepository
    audit: AuditRepository
    directory: StudentDirectory
    operations: OperationLedger

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._conn: Connection | None = None
        self._tx: RootTransaction | None = None
        self._exclusive = False

    def exclusive(self) -> Self:
        """Take the database's write lock at the start on SQLite (BEGIN IMMEDIATE), so a read
        followed by a write cannot interleave with another writer. On MySQL/MariaDB the
        repositories lock the rows they change instead (SELECT … FOR UPDATE)."""
        self._exclusive = True
        return self

    def __enter__(self) -> Self:
        with translated_errors():
            self._conn = self._engine.connect()
            try:
                self._tx = self._conn.begin()
                if self._exclusive and self._conn.dialect.name == "sqlite":
                    self._conn.exec_driver_sql("BEGIN IMMEDIATE")
                elif self._exclusive:
                    # Each read sees what the previous holder of a row lock committed; under
                    # REPEATABLE READ a plain read before the lock would fix an older snapshot.
                    # For this transaction only: one statement, where changing the session's
                    # level took three and three more to restore it on the way back to the pool.
                    self._conn.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL READ COMMITTED")
            except BaseException:
                self._conn.close()
                self._conn = self._tx = None
                raise
        self.students = StudentRepository(self._conn)
        self.interests = InterestRepository(self._conn)
        self.resources = ResourceRepository(self._conn)
        self.credentials = credential_store(self._conn)
        self.catalogue = CatalogueIndexRepository(self._conn)
        self.saved = SavedRepository(self._conn)
        self.rsvps = RsvpRepository(self._conn)
        self.audit = AuditRepository(self._conn)
        self.directory = StudentDirectory(self._conn)
        self.operations = OperationLedger(self._conn)
        return self

    def commit(self) -> None:
        assert self._tx is not None
        with translated_errors():
            self._tx.commit()
        assert self._conn is not None
        # Nothing is left to roll back on the way back to the pool (see persistence/engine.py).
        self._conn.info[ENDED_BY_COMMIT] = True

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        conn, self._conn, self._tx = self._conn, None, None
        if conn is None:
            return
        try:
            if _interrupted(exc):
                # Not back to the pool: a connection to a node that is leaving the cluster keeps
                # answering pings, and the next attempt would take it again. A new connection
                # goes to a ready node.
                conn.invalidate()
            else:
                conn.close()  # rolls back whatever was not committed
        except Exception:  # noqa: BLE001 - a dead connection cannot close cleanly; drop it
            # A failed rollback on the way back to the pool (e.g. error 1047 from a Galera node
            # leaving its cluster) already closed it; invalidate() would raise ResourceClosedError.
            if not conn.closed:
                conn.invalidate()
        if isinstance(exc, SQLAlchemyError):
            with translated_errors():
                raise exc


def _interrupted(error: BaseException | None) -> bool:
    if isinstance(error, TransactionInterrupted):
        return True
    return isinstance(error, SQLAlchemyError) and is_rerunnable(error)


UnitOfWorkFactory = Callable[[], UnitOfWork]


# --- writes that survive a failover ------------------------------------------------------------


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long a write is run again after a TransactionInterrupted.

    The n-th rerun waits a random time up to min(max_delay, base_delay * 2**n) ("full jitter",
    so that workstations that failed together do not retry together), and no rerun starts once
    `budget` seconds have passed since the first attempt.
    """

    attempts: int = 6
    base_delay: float = 0.05
    max_delay: float = 1.0
    budget: float = 20.0
    sleep: Callable[[float], None] = field(default=time.sleep, compare=False)
    random: Callable[[], float] = field(default=random.random, compare=False)
    monotonic: Callable[[], float] = field(default=time.monotonic, compare=False)

    def delay(self, rerun: int) -> float:
        """The wait before the `rerun`-th rerun (0-based)."""
        return float(self.random() * min(self.max_delay, self.base_delay * 2.0 ** rerun))


DEFAULT_RETRY = RetryPolicy()
OPERATION_LIFETIME = timedelta(days=1)


def read_with_retry(
    uow_factory: UnitOfWorkFactory,
    read: Callable[[UnitOfWork], T],
    policy: RetryPolicy | None = None,
) -> T:
    """Run an idempotent read; if the connection dropped mid-request (e.g. its node died), try
    again on a new connection, as a write would (see run_write)."""
    policy = policy or DEFAULT_RETRY
    started = policy.monotonic()
    rerun = 0
    while True:
        try:
            with uow_factory() as uow:
                return read(uow)
        except DatabaseUnavailable as error:
            if not error.transient or rerun + 1 >= policy.attempts \
                    or policy.monotonic() - started >= policy.budget:
                raise
            policy.sleep(policy.delay(rerun))
            rerun += 1


def run_write(
    uow_factory: UnitOfWorkFactory,
    work: Callable[[UnitOfWork], T],
    *,
    exclusive: bool = False,
    policy: RetryPolicy = DEFAULT_RETRY,
) -> T:
    """Run `work` in a transaction and commit it; after a TransactionInterrupted, run the whole
    of it again, a bounded number of times. Other errors roll back and propagate at once.

    Every attempt records the same operation id in its transaction. A rerun that finds the id
    (the COMMIT went through but its acknowledgement was lost) changes nothing and answers with
    what the attempt that committed computed.
    """
    op_id = uuid.uuid4().hex
    started = policy.monotonic()
    reached_commit: list[T] = []  # what the last attempt that got as far as COMMIT computed
    rerun = 0
    while True:
        try:
            return _attempt(uow_factory, work, op_id, exclusive, reached_commit)
        except TransactionInterrupted as error:
            out_of_budget = policy.monotonic() - started >= policy.budget
            if rerun + 1 >= policy.attempts or out_of_budget:
                log.warning("write gave up after %d attempts: %s", rerun + 1, error.reason)
                raise
            wait = policy.delay(rerun)
            log.info("write interrupted (%s); running it again in %.2f s", error.reason, wait)
            policy.sleep(wait)
            rerun += 1


def _attempt(
    uow_factory: UnitOfWorkFactory,
    work: Callable[[UnitOfWork], T],
    op_id: str,
    exclusive: bool,
    reached_commit: list[T],
) -> T:
    uow = uow_factory()
    if exclusive:
        uow = uow.exclusive()
    with uow:
        if reached_commit and uow.operations.applied(op_id):
            log.info("an interrupted write had committed; not applying it again")
            return reached_commit[-1]  # leaving without commit rolls back
        result = work(uow)
        uow.operations.record(op_id, datetime.now(UTC).replace(tzinfo=None))
        reached_commit[:] = [result]
        uow.commit()
    return result


def prune_operations(uow_factory: UnitOfWorkFactory, now: datetime) -> int:
    """Forget operation ids older than OPERATION_LIFETIME; returns how many were removed."""
    with uow_factory() as uow:
        removed = uow.operations.prune(now - OPERATION_LIFETIME)
        uow.commit()
    return removed
