"""Session-bound work, in the spirit of Anki's QueryOp/CollectionOp, and the change broadcast.

A controller says what to run and what to do with the result:

    self._ops.query(lambda api: api.vocabulary(), self._on_loaded, busy=self._view.set_busy)
    self._ops.write(lambda api: api.delete_resource(resource), self._on_deleted,
                    change=Change(resources=True, note="Deleted 'Robotics night'."))

The helper checks the session, runs the call on a worker thread, delivers the result on the UI
thread while the same session lasts, shows errors the one standard way (a form may claim the ones
it can show in place), ends the session when the token died, and after a write tells every
listener what changed. The work itself never touches widgets.

Long work reports progress and can be cancelled through a `Job` (see `Ops.job`): the service
calls it on the worker, and the controller's hook runs on the UI thread.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

from PySide6.QtCore import QObject, Qt, Signal, Slot

from studentres_desktop.domain.errors import InvalidToken
from studentres_desktop.ui.session import SESSION_EXPIRED, SessionState
from studentres_desktop.ui.workers import TaskRunner

if TYPE_CHECKING:  # the services load on a worker, after the login window is up
    from studentres_desktop.services.session_api import Gateway, SessionApi

T = TypeVar("T")
Busy = Callable[[bool], None]
# Given an error (never an expired token: that ends the session), show it in place and return
# True, or return False to have it shown the standard way.
FailureHandler = Callable[[Exception], bool]


@dataclass(frozen=True)
class Change:
    """What a write changed; listeners refresh what shows it."""

    resources: bool = False  # the catalogue: resources added, edited or deleted
    student: bool = False  # the student's own profile: interests, learning goal
    plan: bool = False  # the student's plan: saved resources and RSVPs
    note: str = ""  # a short confirmation for the status bar


class ChangeBus(QObject):
    """The one broadcast after any write (Anki's `operation_did_execute`)."""

    sig_changed = Signal(object)  # Change


class Job:
    """Progress and cancellation for one long call: pass it as the service's `progress` and
    its `cancelled` method as the service's `cancelled`.

    Both are called on the worker thread. Progress reaches `on_progress(done, total)` on the UI
    thread, and only while the session that started the job lasts; `cancel()` sets a flag the
    worker reads at its next check.
    """

    def __init__(self, relay: _ProgressRelay, on_progress: Callable[[int, int], None],
                 alive: Callable[[], bool]) -> None:
        self._relay = relay
        self._on_progress = on_progress
        self._alive = alive
        self._cancel = threading.Event()

    def __call__(self, done: int, total: int) -> None:
        self._relay.sig_progress.emit(self, done, total)

    def cancel(self) -> None:
        self._cancel.set()

    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def deliver(self, done: int, total: int) -> None:
        """On the UI thread (the relay calls it)."""
        if self._alive():
            self._on_progress(done, total)


class _ProgressRelay(QObject):
    sig_progress = Signal(object, int, int)  # Job, done, total

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.sig_progress.connect(self._on_progress, Qt.ConnectionType.QueuedConnection)

    @Slot(object, int, int)
    def _on_progress(self, job: Job, done: int, total: int) -> None:
        job.deliver(done, total)


class ErrorPresenter(Protocol):
    def present(self, error: Exception, retry: Callable[[], None] | None) -> None: ...


@dataclass
class _Op(Generic[T]):
    work: Callable[[Any], T]
    on_success: Callable[[T], None]
    on_failure: FailureHandler | None
    busy: Busy | None
    change: Change | None
    session_bound: bool
    runner: TaskRunner
    retry: Callable[[], None] | None = None
    exclusive: bool = True
    key: object = field(default=None)


class Ops(QObject):
    """Runs gateway and session work off the UI thread with one way of handling its outcome."""

    def __init__(self, gateway: Callable[[], Gateway], session: SessionState,
                 presenter: ErrorPresenter,
                 runner: TaskRunner, background: TaskRunner, changes: ChangeBus,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._gateway = gateway
        self._session = session
        self._presenter = presenter
        self._runner = runner
        self._background = background
        self.changes = changes
        self._running: set[object] = set()
        self._progress = _ProgressRelay(self)

    def query(self, work: Callable[[SessionApi], T], on_success: Callable[[T], None], *,
              on_failure: FailureHandler | None = None, busy: Busy | None = None,
              exclusive: bool = True, retry: Callable[[], None] | None = None) -> None:
        """Read through the session's API.

        `busy` is told when the work starts and ends; while it runs, the same `busy` starts
        nothing else unless `exclusive=False`. `retry` is what the banner's Retry does after a
        database outage (by default: this op again).
        """
        self._start(_Op(work, on_success, on_failure, busy, None, True, self._runner, retry,
                        exclusive))

    def write(self, work: Callable[[SessionApi], T], on_success: Callable[[T], None], *,
              change: Change, on_failure: FailureHandler | None = None,
              busy: Busy | None = None) -> None:
        """Change something through the session's API, then broadcast `change`."""
        self._start(_Op(work, on_success, on_failure, busy, change, True, self._runner))

    def public(self, work: Callable[[Gateway], T], on_success: Callable[[T], None], *,
               on_failure: FailureHandler | None = None, busy: Busy | None = None,
               background: bool = False) -> None:
        """Work before a session (log in, register, prepare); `background` for slow loading."""
        runner = self._background if background else self._runner
        self._start(_Op(work, on_success, on_failure, busy, None, False, runner))

    def job(self, on_progress: Callable[[int, int], None]) -> Job:
        """Progress and cancellation for long work: `on_progress(done, total)` runs on the UI
        thread while this session lasts, whichever thread the work reports from."""
        epoch = self._session.epoch
        return Job(self._progress, on_progress, lambda: self._session.epoch == epoch)

    @property
    def busy(self) -> bool:
        """Whether any work is still running (tests and shutdown wait for it)."""
        return self._runner.busy

    def _start(self, op: _Op[Any]) -> None:
        # An op that shows a busy state runs once at a time: a double click starts nothing.
        op.key = _busy_key(op.busy) if op.exclusive else None
        if op.key is not None and op.key in self._running:
            return
        if op.session_bound:
            try:
                target: object = self._session.require()
            except InvalidToken:
                self._session_died()
                return
        else:
            target = None
        # Session work is dropped when its session ends; gateway work outlives sessions.
        epoch = self._session.epoch if op.session_bound else None
        if op.key is not None:
            self._running.add(op.key)
        if op.busy is not None:
            op.busy(True)
        # The gateway is built on the worker the first time: the services load behind the window.
        op.runner.run(lambda: op.work(target if op.session_bound else self._gateway()),
                      lambda result: self._succeeded(op, epoch, result),
                      lambda error: self._failed(op, epoch, error))

    def _finish(self, op: _Op[Any], epoch: int | None) -> bool:
        """Bookkeeping common to both outcomes; False when the session changed meanwhile."""
        self._running.discard(op.key)
        if epoch is not None and epoch != self._session.epoch:
            return False
        if op.busy is not None:
            op.busy(False)
        return True

    def _succeeded(self, op: _Op[Any], epoch: int | None, result: object) -> None:
        if not self._finish(op, epoch):
            return
        op.on_success(result)
        if op.change is not None:
            self.changes.sig_changed.emit(op.change)

    def _failed(self, op: _Op[Any], epoch: int | None, error: Exception) -> None:
        if not self._finish(op, epoch):
            return
        if isinstance(error, InvalidToken) and op.session_bound:
            self._session_died()
            return
        if op.on_failure is not None and op.on_failure(error):
            return
        self._presenter.present(error, op.retry or (lambda: self._start(op)))

    def _session_died(self) -> None:
        if self._session.active:
            self._session.end(SESSION_EXPIRED)


def _busy_key(busy: Busy | None) -> object:
    if busy is None:
        return None
    # Bound methods are new objects on every access but compare equal: key on what they bind.
    owner = getattr(busy, "__self__", None)
    function = getattr(busy, "__func__", busy)
    return (id(owner), function) if owner is not None else busy
