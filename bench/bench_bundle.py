"""Size and cold starts of the PyInstaller bundle, without and with the semantic model.

    python bench/bench_bundle.py --bundle lexical=dist/studentres-desktop \\
        --bundle model=dist-model/studentres-desktop [--repeat 3]

Build the two folders first: `make bundle` (without the model), and
`STUDENTRES_BUNDLE_MODEL=1 pyinstaller --distpath dist-model ... packaging/studentres.spec`
(with torch, sentence-transformers and the MiniLM model; see packaging/README.md).

For each folder it prints its size on disk (as `du -sm`) and, in seconds from process start to
exit, the median and slowest of --repeat runs of:
- `studentres-desktop --self-test`: every window offscreen, a temporary SQLite database;
- first recommendation, first start: `studentres-admin recommend` on an embedded database that
  does not exist yet (created and filled with the demo catalogue), then what the
  "Recommended for you" tab waits for: preparing the recommender (loading the model if the
  bundle has one) and ranking for two interests and a learning goal;
- the same on a later start, with the database already there.
Each run has its own empty user folders, so no run reuses another's database or caches.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

EXE_SUFFIX = ".exe" if sys.platform == "win32" else ""
RECOMMEND = ("recommend", "--interests", "AI;Robotics", "--text", "build a drone", "--json")


def folder_megabytes(folder: Path) -> int:
    """Disk usage like `du -sm` (rounded up): allocated blocks of every file and folder, hard
    links counted once."""
    seen: set[tuple[int, int]] = set()
    total = 0
    for path in (folder, *folder.rglob("*")):
        stat = path.lstat()
        if (stat.st_dev, stat.st_ino) in seen:
            continue
        seen.add((stat.st_dev, stat.st_ino))
        total += stat.st_blocks * 512 if hasattr(stat, "st_blocks") else stat.st_size
    return math.ceil(total / 2**20)


def timed(bundle: Path, program: str, args: tuple[str, ...], home: Path) -> tuple[float, str]:
    """Seconds from start to exit, and stdout; fails loudly if the program failed."""
    env = {"PATH": os.defpath, "HOME": str(home), "LANG": "C.UTF-8"}
    env.update({f"XDG_{name}_HOME": str(home / name.lower())
                for name in ("CONFIG", "DATA", "STATE", "CACHE")})
    started = time.perf_counter()
    result = subprocess.run([str(bundle / f"{program}{EXE_SUFFIX}"), *args], env=env, cwd=home,
                            capture_output=True, text=True, timeout=900, check=False)
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        sys.exit(f"{program} {' '.join(args)} failed ({result.returncode}):\n"
                 f"{result.stdout}\n{result.stderr}")
    return seconds, result.stdout


def measure(bundle: Path, repeat: int) -> dict[str, object]:
    self_test: list[float] = []
    first: list[float] = []
    later: list[float] = []
    engine = ""
    for _ in range(repeat):
        with tempfile.TemporaryDirectory(prefix="bench-bundle-") as folder:
            home = Path(folder)
            self_test.append(timed(bundle, "studentres-desktop", ("--self-test",), home)[0])
            seconds, _out = timed(bundle, "studentres-admin", RECOMMEND, home)
            first.append(seconds)
            seconds, out = timed(bundle, "studentres-admin", RECOMMEND, home)
            later.append(seconds)
            engine = json.loads(out)["engine"]
    return {"size": folder_megabytes(bundle), "self_test": self_test, "first": first,
            "later": later, "engine": engine}


def cell(values: list[float]) -> str:
    return f"{statistics.median(values):.1f} / {max(values):.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bundle", action="append", required=True, metavar="LABEL=FOLDER",
                        help="a built dist/studentres-desktop folder, with a label")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    rows = []
    for spec in args.bundle:
        label, _, folder = spec.partition("=")
        bundle = Path(folder or label).resolve()
        if not (bundle / f"studentres-admin{EXE_SUFFIX}").is_file():
            sys.exit(f"{bundle} is not a built bundle folder")
        print(f"measuring {label} ({bundle}) ...", file=sys.stderr, flush=True)
        rows.append((label, measure(bundle, args.repeat)))

    print(f"Bundle size and cold starts ({platform.system()} {platform.machine()}, "
          f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}; seconds from process "
          f"start to exit, median / slowest of {args.repeat})\n")
    print("| Bundle | Size (du -sm) | --self-test | First recommendation, first start "
          "| First recommendation, later start | Engine |")
    print("|---|---:|---:|---:|---:|---|")
    for label, row in rows:
        print(f"| {label} | {row['size']} MB | {cell(row['self_test'])} s "  # type: ignore[arg-type]
              f"| {cell(row['first'])} s | {cell(row['later'])} s "  # type: ignore[arg-type]
              f"| {row['engine']} |")


if __name__ == "__main__":
    main()
