"""Start-up time: from process start to the login window shown, on the embedded database.

    python bench/bench_startup.py [--runs 15]

Each run starts `python -m studentres_desktop --exit-when-ready` offscreen with its own user
folders and is timed from the moment the process is spawned until it prints that the window was
shown and the database answered. The first run on a fresh folder also creates the SQLite file and
fills the demo catalogue; the others reuse it. Goal: window shown in under 1.5 s.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

GOAL_MS = 1500
LINE = re.compile(r"window-shown-ms=(\d+) database-ready-ms=(\d+)")


def run_once(home: Path) -> tuple[float, float, float]:
    """(wall ms until the line, app-reported ms to window shown, to database ready)."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_DATA_HOME=str(home / "data"),
               XDG_CONFIG_HOME=str(home / "config"), XDG_STATE_HOME=str(home / "state"),
               XDG_CACHE_HOME=str(home / "cache"))
    env.pop("STUDENTRES_DB_URL", None)
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "studentres_desktop", "--exit-when-ready"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    assert process.stdout is not None
    for line in process.stdout:
        match = LINE.search(line)
        if match:
            wall = (time.perf_counter() - started) * 1000
            process.wait(timeout=30)
            return wall, float(match.group(1)), float(match.group(2))
    process.wait(timeout=30)
    raise RuntimeError(f"the app did not report start-up: {process.stderr.read()}")


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="studentres-startup-"))
    first = run_once(home)
    warm = [run_once(home) for _ in range(args.runs)]

    print(f"Start-up of studentres-desktop, {time.strftime('%Y-%m-%d')}, "
          f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}, QT_QPA_PLATFORM=offscreen\n")
    print("| run | process start → login window painted (ms) | → database ready (ms) "
          "| in-app: main() → window painted (ms) | goal | met? |")
    print("|---|---:|---:|---:|---:|---|")
    first_shown = first[0] - (first[2] - first[1])
    print(f"| first start (creates and fills the SQLite file) | {first_shown:.0f} | "
          f"{first[0]:.0f} | {first[1]:.0f} | {GOAL_MS} | "
          f"{'yes' if first_shown <= GOAL_MS else 'no'} |")
    walls = [w[0] - (w[2] - w[1]) for w in warm]
    ready = [w[0] for w in warm]
    inapp = [w[1] for w in warm]
    print(f"| later starts, median of {len(warm)} | {statistics.median(walls):.0f} | "
          f"{statistics.median(ready):.0f} | {statistics.median(inapp):.0f} | {GOAL_MS} | "
          f"{'yes' if statistics.median(walls) <= GOAL_MS else 'no'} |")
    print(f"| later starts, p95 of {len(warm)} | {p95(walls):.0f} | {p95(ready):.0f} | "
          f"{p95(inapp):.0f} | {GOAL_MS} | {'yes' if p95(walls) <= GOAL_MS else 'no'} |")
    print("\n'Login window painted' = wall time from spawning the process until the app printed "
          "its line, minus the time between the first paint and the database answering (that "
          "work runs on a worker thread after the paint).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
