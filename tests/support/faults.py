"""Make COMMIT fail the way a Galera cluster or a dying node does, without a cluster."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import pytest
from sqlalchemy import exc as sa_exc

from studentres_desktop.persistence.db_errors import translated_errors
from studentres_desktop.persistence.uow import UnitOfWork

DEADLOCK = 1213  # a certification failure at COMMIT: nothing was written
LOST = 2013  # the connection died during COMMIT
NOT_AVAILABLE = -1  # the pure-Python driver: "MySQL Connection not available"
LOCK_WAIT = 1205


class DriverError(Exception):
    """Stands in for the driver's exception: SQLAlchemy keeps it as `orig`."""

    def __init__(self, errno: int, message: str = "injected") -> None:
        super().__init__(message)
        self.errno = errno


def driver_failure(errno: int) -> sa_exc.OperationalError:
    return sa_exc.OperationalError("COMMIT", None, DriverError(errno))


@dataclass
class CommitFaults:
    """Failures for the next COMMITs, in order: (errno, whether the COMMIT went through first,
    as when only its acknowledgement is lost). `commits` counts every COMMIT tried."""

    planned: list[tuple[int, bool]] = field(default_factory=list)
    commits: int = 0

    def add(self, errno: int, *, committed: bool = False, times: int = 1) -> None:
        self.planned.extend([(errno, committed)] * times)


@contextmanager
def failing_commits(monkeypatch: pytest.MonkeyPatch) -> Iterator[CommitFaults]:
    faults = CommitFaults()
    real_commit = UnitOfWork.commit

    def commit(self: UnitOfWork) -> None:
        faults.commits += 1
        if not faults.planned:
            real_commit(self)
            return
        errno, committed = faults.planned.pop(0)
        if committed:
            real_commit(self)
        with translated_errors():
            raise driver_failure(errno)

    monkeypatch.setattr(UnitOfWork, "commit", commit)
    yield faults
