"""When this process started, on the `time.perf_counter()` scale, for honest start-up numbers.

Every entry point (`python -m`, the console script, the frozen bundle) measures from here, so the
interpreter's own start and every import are counted, not only what follows `main()`.
"""

from __future__ import annotations

import os
import sys
import time

# The fallback: the moment the package was first imported (before Qt and the app load).
_IMPORTED = time.perf_counter()


def process_started() -> float:
    """`perf_counter()` at process start: exact to a clock tick on Linux, else the first import."""
    if sys.platform.startswith("linux"):
        try:
            with open("/proc/self/stat", encoding="ascii") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            with open("/proc/uptime", encoding="ascii") as uptime:
                now_since_boot = float(uptime.read().split()[0])
            started_since_boot = int(fields[19]) / os.sysconf("SC_CLK_TCK")
            age = max(0.0, now_since_boot - started_since_boot)
            return min(time.perf_counter() - age, _IMPORTED)
        except (OSError, ValueError, IndexError):
            pass
    return _IMPORTED
