"""Guards against known-bad Qt bindings."""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal


class _Emitter(QObject):
    sig_ping = Signal()


def test_emitting_signals_keeps_pythons_reference_counts_intact():
    # PySide6 6.12.0 returned True from SignalInstance.emit() without a reference; a long session
    # then freed True itself and the interpreter aborted ("bool_dealloc").
    emitter = _Emitter()
    emitter.sig_ping.connect(lambda: None)
    before = sys.getrefcount(True)
    for _ in range(100):
        emitter.sig_ping.emit()
    assert sys.getrefcount(True) - before >= -5
