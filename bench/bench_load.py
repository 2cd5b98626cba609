"""Load: a campus of workstations on one private server and on the three-node Galera cluster.

Each workstation is a thread with its own services, engine and connection pool (one connection
in use at a time), spread over a few processes so that the GIL does not serialise the clients.
A workstation logs in, reads its first page, then with a think time between actions reads its
first page again, searches, opens its recommendations, saves and RSVPs. Prints one Markdown
table per run: throughput, p50/p95/p99 per action, failed actions, client and server CPU seconds.

    python bench/bench_load.py [--workstations 50,100,200] [--duration 60] [--think 2:5]
                               [--processes 8] [--bcrypt-cost 4] [--targets single,cluster,kill]

`single` is a private mariadbd on port 3314 (never the machine's server on 3306); `cluster` the
three nodes of tests/support/galera.py on ports 3311-3313; `kill` the cluster at the largest N
with node 2 killed (SIGKILL) a third of the way into the run. Needs mariadb-server, galera-4
and rsync; runs as root (the servers run as `mysql`) or as a user who may start mariadbd.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import platform
import random
import resource
import statistics
import sys
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import mysql.connector

from studentres_desktop.bootstrap import build_gateway, build_services
from studentres_desktop.domain.models import (
    Resource,
    ResourceDraft,
    ResourceFilter,
    ResourceKind,
)
from studentres_desktop.persistence.engine import DatabaseSettings
from studentres_desktop.persistence.schema import ensure_schema
from studentres_desktop.services.auth import ThrottlePolicy
from studentres_desktop.services.session_api import SessionApi
from tests.support.galera import GaleraNode, galera_cluster, plain_server

DATABASE = "srbench_load"
PASSWORD = "a campus of workstations at once"
ACTIONS = ("login", "first page", "search", "recommendations", "save", "rsvp")
# After logging in: what a student does next, and how often (first page counts re-reads too).
NEXT_ACTION = {"first page": 3, "search": 3, "recommendations": 2, "save": 2, "rsvp": 1}
SEARCH_WORDS = ("python", "robot", "data", "security", "design", "cloud", "ethics", "lab",
                "career", "network", "vision", "statistics")
INTERESTS = ("AI", "Data Science", "Robotics", "Cybersecurity")
FIRST_PAGE_GOAL_MS = 50.0
# Logins fail only for a wrong password here; the throttle must not make a run fail.
THROTTLE = ThrottlePolicy(free_failures=10**9)


@dataclass(frozen=True)
class Target:
    name: str
    urls: tuple[str, ...]  # one per node, each naming the database
    pids: Callable[[], dict[int, int]]  # node number -> pid of the running server


@dataclass(frozen=True)
class Sample:
    action: str
    seconds: float
    error: str | None


# --- the data --------------------------------------------------------------------------------


def catalogue(count: int) -> list[ResourceDraft]:
    """Resources for the run: a third events with 20 places, the rest workshops and trainings."""
    rng = random.Random(7)
    start = datetime.now(UTC).replace(tzinfo=None, microsecond=0) + timedelta(days=7)
    drafts = []
    for n in range(count):
        kind = (ResourceKind.EVENT, ResourceKind.WORKSHOP, ResourceKind.TRAINING)[n % 3]
        words = rng.sample(SEARCH_WORDS, 3)
        starts = start + timedelta(hours=3 * n)
        drafts.append(ResourceDraft(
            kind, f"{words[0].title()} {kind.value} {n}",
            f"A {kind.value} about {' and '.join(words)} for students of every year.",
            (INTERESTS[n % len(INTERESTS)],), starts, starts + timedelta(hours=2), "Main hall",
            "", 20 if kind is ResourceKind.EVENT else None))
    return drafts


def prepare(url: str, workstations: int, bcrypt_cost: int, resources: int) -> None:
    """Schema, interests, catalogue and one student account per workstation."""
    services = build_services(DatabaseSettings(url), bcrypt_cost=bcrypt_cost, throttle=THROTTLE,
                              recommender="lexical")
    try:
        ensure_schema(services.engine)
        services.catalogue.seed_interests()
        services.catalogue.add(catalogue(resources))
        for n in range(workstations):
            email = student_email(n)
            services.auth.register(f"Student {n}", email, PASSWORD)
            token = services.auth.login(email, PASSWORD).token
            services.interests.set_for_student(token, [INTERESTS[n % len(INTERESTS)]])
    finally:
        services.dispose()


def student_email(n: int) -> str:
    return f"student{n:04d}@example.edu"


# --- a workstation -----------------------------------------------------------------------------


def workstation(n: int, settings: DatabaseSettings, bcrypt_cost: int, think: tuple[float, float],
                start_at: float, end_at: float, samples: list[Sample]) -> None:
    rng = random.Random(n)
    services = build_services(settings, bcrypt_cost=bcrypt_cost, throttle=THROTTLE,
                              recommender="lexical")
    gateway = build_gateway(services, embedded=False)
    api: SessionApi | None = None
    page: Sequence[Resource] = ()
    events: Sequence[Resource] = ()

    def timed(action: str, call: Callable[[], object]) -> object:
        began = time.perf_counter()
        try:
            result = call()
        except Exception as error:  # noqa: BLE001 - a failed action is counted, not fatal
            samples.append(Sample(action, time.perf_counter() - began,
                                  f"{type(error).__name__}: {error}"[:160]))
            return None
        samples.append(Sample(action, time.perf_counter() - began, None))
        return result

    def first_page() -> Sequence[Resource]:
        assert api is not None
        items = api.browse(ResourceFilter(limit=50), whole_catalogue=False).items
        api.saved_keys(items)
        api.rsvp_statuses(items)
        return items

    try:
        # Students arrive over the first think time, not all in the same millisecond.
        time.sleep(max(0.0, start_at - time.monotonic()) + rng.uniform(0, think[1]))
        api = timed("login", lambda: gateway.log_in(student_email(n), PASSWORD))  # type: ignore[assignment]
        while api is None and time.monotonic() < end_at:
            time.sleep(rng.uniform(*think))
            api = timed("login", lambda: gateway.log_in(student_email(n), PASSWORD))  # type: ignore[assignment]
        if api is None:
            return
        page = timed("first page", first_page) or ()  # type: ignore[assignment]
        found = timed("search", lambda: api.browse(  # type: ignore[union-attr]
            ResourceFilter(kinds=frozenset({ResourceKind.EVENT}), limit=50),
            whole_catalogue=True))
        events = found.items if found is not None else ()  # type: ignore[attr-defined]
        while True:
            time.sleep(rng.uniform(*think))
            if time.monotonic() >= end_at:
                return
            action = rng.choices(list(NEXT_ACTION), weights=list(NEXT_ACTION.values()))[0]
            if action == "first page":
                page = timed(action, first_page) or page  # type: ignore[assignment]
            elif action == "search":
                word = rng.choice(SEARCH_WORDS)
                timed(action, lambda w=word: api.browse(  # type: ignore[union-attr,misc]
                    ResourceFilter(text=w, limit=50), whole_catalogue=True))
            elif action == "recommendations":
                timed(action, lambda: api.recommendations(10))  # type: ignore[union-attr]
            elif action == "save" and page:
                choice = rng.choice(page)
                timed(action, lambda r=choice: api.save(r))  # type: ignore[union-attr,misc]
            elif action == "rsvp" and events:
                choice = rng.choice(events)
                timed(action, lambda r=choice: api.rsvp(r))  # type: ignore[union-attr,misc]
    finally:
        services.dispose()


def process_main(numbers: Sequence[int], settings: Sequence[DatabaseSettings], bcrypt_cost: int,
                 think: tuple[float, float], start_at: float, end_at: float,
                 results: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    samples: list[Sample] = []  # list.append is atomic: threads share it without a lock
    threads = [threading.Thread(target=workstation, args=(n, s, bcrypt_cost, think, start_at,
                                                          end_at, samples))
               for n, s in zip(numbers, settings, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    results.put([(s.action, s.seconds, s.error) for s in samples])


# --- a run -------------------------------------------------------------------------------------


def settings_for(target: Target, n: int) -> DatabaseSettings:
    """Workstation n lists every node, starting with node n mod 3 (so load spreads)."""
    if len(target.urls) == 1:
        return DatabaseSettings(target.urls[0], connect_timeout=5, read_timeout=30)
    from sqlalchemy.engine import make_url

    nodes = [make_url(url) for url in target.urls]
    first = n % len(nodes)
    order = nodes[first:] + nodes[:first]
    return DatabaseSettings(target.urls[first], connect_timeout=5, read_timeout=30,
                            hosts=tuple((u.host or "127.0.0.1", u.port or 3306) for u in order))


def server_cpu(pids: dict[int, int]) -> dict[int, float]:
    ticks = os.sysconf("SC_CLK_TCK")
    seconds = {}
    for node, pid in pids.items():
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        seconds[node] = (int(fields[11]) + int(fields[12])) / ticks
    return seconds


def run(target: Target, workstations: int, *, processes: int, duration: float,
        think: tuple[float, float], bcrypt_cost: int,
        during: Callable[[float], dict[int, float]] | None = None) -> dict[str, object]:
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    start_at = time.monotonic() + 2.0
    end_at = start_at + duration
    groups = [list(range(p, workstations, processes)) for p in range(processes)]
    server_before = server_cpu(target.pids())
    client_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    workers = [context.Process(target=process_main, args=(
        group, [settings_for(target, n) for n in group], bcrypt_cost, think, start_at, end_at,
        results)) for group in groups if group]
    for worker in workers:
        worker.start()
    server_at_kill = during(start_at) if during is not None else {}
    samples: list[tuple[str, float, str | None]] = []
    for _ in workers:
        samples += results.get()
    for worker in workers:
        worker.join()
    client_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    server_after = {**server_at_kill, **server_cpu(target.pids())}
    client = (client_after.ru_utime + client_after.ru_stime
              - client_before.ru_utime - client_before.ru_stime)
    server = sum(server_after.get(node, 0.0) - before for node, before in server_before.items())
    return {"samples": samples, "client_cpu": client, "server_cpu": server,
            "elapsed": duration}


def kill_node_two(cluster_nodes: Sequence[GaleraNode], duration: float
                  ) -> Callable[[float], dict[int, float]]:
    def during(start_at: float) -> dict[int, float]:
        time.sleep(max(0.0, start_at + duration / 3 - time.monotonic()))
        node = cluster_nodes[1]
        pid = node.pid()
        used = server_cpu({2: pid}) if pid else {}
        node.kill()
        print(f"<!-- node 2 killed {duration / 3:.0f} s into the run -->", flush=True)
        return used

    return during


# --- the report ----------------------------------------------------------------------------------


def percentile(values: list[float], q: int) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def report(title: str, workstations: int, outcome: dict[str, object]) -> None:
    samples: list[tuple[str, float, str | None]] = outcome["samples"]  # type: ignore[assignment]
    by_action: dict[str, list[float]] = defaultdict(list)
    errors: dict[str, int] = defaultdict(int)
    messages: dict[str, int] = defaultdict(int)
    for action, seconds, error in samples:
        if error is None:
            by_action[action].append(seconds * 1000)
        else:
            errors[action] += 1
            messages[error] += 1
    elapsed = float(outcome["elapsed"])  # type: ignore[arg-type]
    failed = sum(errors.values())
    print(f"\n### {title}, {workstations} workstations\n")
    print(f"{len(samples)} actions in {elapsed:.0f} s: {len(samples) / elapsed:.1f} actions/s; "
          f"failed actions: {failed}; CPU seconds: clients {outcome['client_cpu']:.1f}, "
          f"servers {outcome['server_cpu']:.1f}; load average at the end "
          f"{os.getloadavg()[0]:.1f}\n")
    print("| action | done | p50 ms | p95 ms | p99 ms | failed |")
    print("|---|---:|---:|---:|---:|---:|")
    for action in ACTIONS:
        times = by_action.get(action, [])
        if not times and not errors.get(action):
            continue
        cells = ([f"{percentile(times, q):.1f}" for q in (50, 95, 99)] if times
                 else ["–", "–", "–"])
        print(f"| {action} | {len(times)} | {' | '.join(cells)} | {errors.get(action, 0)} |")
    first = by_action.get("first page", [])
    if first:
        p95 = percentile(first, 95)
        verdict = "met" if p95 <= FIRST_PAGE_GOAL_MS and not failed else "not met"
        print(f"\nGoal (first page p95 ≤ {FIRST_PAGE_GOAL_MS:.0f} ms, no failed action): "
              f"{verdict}.")
    for message, count in sorted(messages.items(), key=lambda item: -item[1])[:5]:
        print(f"- {count} × {message}")
    sys.stdout.flush()


# --- the servers -------------------------------------------------------------------------------


@contextmanager
def single_target() -> Iterator[Target]:
    with plain_server(3314) as node:
        node.sql(f"CREATE DATABASE {DATABASE} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
        yield Target("One private server (port 3314)", (node.url(DATABASE),),
                     lambda: {1: node.pid() or 0})


@contextmanager
def cluster_target() -> Iterator[tuple[Target, list[GaleraNode]]]:
    with galera_cluster() as cluster:
        cluster.nodes[0].sql(
            f"CREATE DATABASE {DATABASE} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
        nodes = cluster.nodes

        def pids() -> dict[int, int]:
            return {node.number: pid for node in nodes if (pid := node.pid()) is not None}

        target = Target("Three-node Galera cluster (ports 3311-3313)",
                        tuple(node.url(DATABASE) for node in nodes), pids)
        yield target, nodes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workstations", default="50,100,200")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds per run")
    parser.add_argument("--think", default="2:5", help="seconds between actions, min:max")
    parser.add_argument("--processes", type=int, default=8)
    parser.add_argument("--bcrypt-cost", type=int, default=4)
    parser.add_argument("--resources", type=int, default=600)
    parser.add_argument("--targets", default="single,cluster,kill")
    options = parser.parse_args(argv)
    sizes = [int(n) for n in options.workstations.split(",")]
    low, high = (float(x) for x in options.think.split(":"))
    targets = set(options.targets.split(","))
    common = {"processes": options.processes, "duration": options.duration,
              "think": (low, high), "bcrypt_cost": options.bcrypt_cost}
    print("## Load: workstations on one server and on the cluster\n")
    print(f"{platform.python_implementation()} {platform.python_version()}, "
          f"{os.cpu_count()} CPUs shared by clients and servers; {options.processes} client "
          f"processes; think time {low:g}–{high:g} s; {options.duration:.0f} s per run; "
          f"bcrypt cost {options.bcrypt_cost} (the app's default is 12); "
          f"{options.resources} resources; mysql-connector {mysql.connector.__version__} "
          f"({'C extension' if mysql.connector.HAVE_CEXT else 'pure Python'}).")
    if "single" in targets:
        with single_target() as target:
            prepare(target.urls[0], max(sizes), options.bcrypt_cost, options.resources)
            for size in sizes:
                report(target.name, size, run(target, size, **common))  # type: ignore[arg-type]
    if targets & {"cluster", "kill"}:
        with cluster_target() as (target, nodes):
            prepare(target.urls[0], max(sizes), options.bcrypt_cost, options.resources)
            if "cluster" in targets:
                for size in sizes:
                    report(target.name, size, run(target, size, **common))  # type: ignore[arg-type]
            if "kill" in targets:
                size = max(sizes)
                outcome = run(target, size, during=kill_node_two(nodes, options.duration),
                              **common)  # type: ignore[arg-type]
                report(f"{target.name}, node 2 killed during the run", size, outcome)
    return 0


if __name__ == "__main__":
    sys.exit(main())
