"""Run database and bcrypt work off the UI thread; results come back as queued signals.

The work itself never touches widgets (it runs on a pool thread); the callbacks run on the
thread that owns the TaskRunner, the UI thread.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable
from typing import Any, TypeVar

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, Signal, Slot

log = logging.getLogger(__name__)
T = TypeVar("T")


class _Relay(QObject):
    sig_finished = Signal(int, object, object)  # task id, result, exception


class _Task(QRunnable):
    def __init__(self, task_id: int, work: Callable[[], Any], relay: _Relay) -> None:
        super().__init__()
        self._id = task_id
        self._work = work
        self._relay = relay

    def run(self) -> None:
        try:
            result, error = self._work(), None
        except Exception as exc:  # noqa: BLE001 - delivered to the failure callback
            result, error = None, exc
        self._relay.sig_finished.emit(self._id, result, error)


class TaskRunner(QObject):
    """`runner.run(work, on_success, on_failure)`: like Anki's QueryOp, on a QThreadPool."""

    sig_busy_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None, *, threads: int = 4) -> None:
        super().__init__(parent)
        # Database calls mostly wait on the network, so a few more threads than cores keep one
        # slow call from holding up the rest.
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(threads)
        self._relay = _Relay()
        self._relay.sig_finished.connect(self._on_finished, Qt.ConnectionType.QueuedConnection)
        self._ids = itertools.count(1)
        self._pending: dict[int, tuple[Callable[[Any], None], Callable[[Exception], None]]] = {}

    def run(
        self,
        work: Callable[[], T],
        on_success: Callable[[T], None],
        on_failure: Callable[[Exception], None],
    ) -> None:
        task_id = next(self._ids)
        self._pending[task_id] = (on_success, on_failure)
        if len(self._pending) == 1:
            self.sig_busy_changed.emit(True)
        self._pool.start(_Task(task_id, work, self._relay))

    @property
    def busy(self) -> bool:
        return bool(self._pending)

    def wait_for_done(self, msecs: int = -1) -> bool:
        """Block until the pool is idle (shutdown and tests); callbacks still need the loop."""
        return self._pool.waitForDone(msecs)

    @Slot(int, object, object)
    def _on_finished(self, task_id: int, result: object, error: object) -> None:
        callbacks = self._pending.pop(task_id, None)
        if not self._pending:
            self.sig_busy_changed.emit(False)
        if callbacks is None:
            return
        on_success, on_failure = callbacks
        if isinstance(error, Exception):
            on_failure(error)
        else:
            on_success(result)
