"""Unit of work: one transaction per user action; leaving without commit() rolls back."""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType
from typing import Self, TypeVar

from sqlalchemy import Connection, Engine, RootTransaction
from sqlalchemy.exc import SQLAlchemyError

from studentres_desktop.domain.errors import DatabaseUnavailable
from studentres_desktop.persistence.credentials import CredentialStore, credential_store
from studentres_desktop.persistence.db_errors import translated_errors
from studentres_desktop.persistence.embeddings import CatalogueIndexRepository
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
                if self._exclusive and self._conn.dialect.name != "sqlite":
                    # Each read sees what the previous holder of a row lock committed; under
                    # REPEATABLE READ a plain read before the lock would fix an older snapshot.
                    self._conn.execution_options(isolation_level="READ COMMITTED")
                self._tx = self._conn.begin()
                if self._exclusive and self._conn.dialect.name == "sqlite":
                    self._conn.exec_driver_sql("BEGIN IMMEDIATE")
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
        return self

    def commit(self) -> None:
        assert self._tx is not None
        with translated_errors():
            self._tx.commit()

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
            conn.close()  # rolls back whatever was not committed
        except Exception:  # noqa: BLE001 - a dead connection cannot close cleanly; drop it
            conn.invalidate()
        if isinstance(exc, SQLAlchemyError):
            with translated_errors():
                raise exc


UnitOfWorkFactory = Callable[[], UnitOfWork]


def read_with_retry(uow_factory: UnitOfWorkFactory, read: Callable[[UnitOfWork], T]) -> T:
    """Run an idempotent read; if the connection dropped mid-request, try once more."""
    try:
        with uow_factory() as uow:
            return read(uow)
    except DatabaseUnavailable as error:
        if not error.transient:
            raise
    with uow_factory() as uow:
        return read(uow)
