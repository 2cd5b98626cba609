"""Students and advisors acting on a cluster, each on their own workstation (services, engine
and pool), and what the surviving nodes hold afterwards."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import pytest

from studentres_desktop.bootstrap import Services
from studentres_desktop.domain.errors import DomainError
from studentres_desktop.domain.models import Role
from tests.support.accounts import PASSWORD
from tests.support.galera import GaleraNode

# The marks of a test that kills a node: the driver leaves the socket of a connection to a killed
# node for the collector to close, which pytest reports as an unraisable exception.
KILLED_NODE_MARKS = [
    pytest.mark.cluster,
    pytest.mark.filterwarnings("ignore:Exception ignored in. <socket.socket"
                               ":pytest.PytestUnraisableExceptionWarning"),
]


@dataclass
class Ledger:
    """What every workstation was told: done, or failed with which message."""

    done: list[tuple[str, str, str]] = field(default_factory=list)  # (email, action, key)
    failed: list[tuple[str, str, str, str]] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _progress: threading.Condition = field(init=False)
    attempts: int = 0

    def __post_init__(self) -> None:
        self._progress = threading.Condition(self._lock)

    def record(self, email: str, action: str, key: str, error: DomainError | None) -> None:
        with self._lock:
            if error is None:
                self.done.append((email, action, key))
            else:
                self.failed.append((email, action, key, f"{type(error).__name__}: {error}"))
            self.attempts += 1
            self._progress.notify_all()

    def wait_for(self, attempts: int, timeout: float = 300) -> None:
        with self._progress:
            if not self._progress.wait_for(lambda: self.attempts >= attempts, timeout):
                raise TimeoutError(f"only {self.attempts} of {attempts} actions in {timeout} s")


Action = tuple[str, str]  # ("save" | "rsvp", resource key)


def act(workstations: Sequence[tuple[Services, str, str, Sequence[Action]]],
        ledger: Ledger, during: Callable[[], None]) -> None:
    """Every workstation runs its actions at once while `during` runs on this thread."""

    def run(services: Services, email: str, password: str, actions: Sequence[Action]) -> None:
        token = services.auth.login(email, password).token
        for action, key in actions:
            try:
                if action == "save":
                    services.plan.save(token, key)
                else:
                    services.plan.rsvp(token, key)
            except DomainError as error:  # what the person would be shown
                ledger.record(email, action, key, error)
            else:
                ledger.record(email, action, key, None)

    with ThreadPoolExecutor(max_workers=len(workstations)) as pool:
        futures = [pool.submit(run, *workstation) for workstation in workstations]
        during()
        for future in futures:
            future.result()


def stored(node: GaleraNode, database: str) -> list[tuple[str, str, str]]:
    """Every save and RSVP the node holds, as (email, action, key), duplicates kept."""
    rows = node.sql(
        "SELECT s.email, 'save', CONCAT(r.resource_id, ':', r.kind) FROM saved_resources r"
        " JOIN students_data s ON s.id = r.student_id"
        " UNION ALL SELECT s.email, 'rsvp', CONCAT(r.resource_id, ':', r.kind) FROM rsvps r"
        " JOIN students_data s ON s.id = r.student_id", database=database)
    return [(email, action, key) for email, action, key in rows]


def desk_token(services: Services) -> str:
    """A desk advisor's token: the advisor who adds the resources a test works on."""
    services.auth.register("Desk", "desk@example.edu", PASSWORD)
    services.auth.set_role("desk@example.edu", Role.ADVISOR)
    return services.auth.login("desk@example.edu", PASSWORD).token
