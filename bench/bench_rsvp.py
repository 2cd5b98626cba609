"""RSVP under contention: N students, each on their own connection, race for a few places.

Each round creates a fresh resource, releases every thread at once through a barrier and times
each `PlanService.rsvp` call (the whole transaction: token check, row lock, counts, insert,
commit). Then half of those going cancel at once (each cancellation promotes the first on the
waitlist in the same transaction), also timed. Prints one Markdown table.

    python bench/bench_rsvp.py [--backend sqlite|mysql|both] [--racers 1,20,50] [--places 5]
                               [--rounds 10] [--mysql-url URL]

The MySQL account (STUDENTRES_BENCH_MYSQL_URL, default root on 127.0.0.1) must be allowed to
create and drop databases named srbench_*; SQLite runs in a temporary folder.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_core import mysql_database, sqlite_database

from studentres_desktop.bootstrap import Services, build_services
from studentres_desktop.domain.models import ResourceDraft, ResourceKind, Role, RsvpState
from studentres_desktop.persistence.engine import DatabaseSettings, create_database_engine
from studentres_desktop.persistence.schema import ensure_schema
from studentres_desktop.persistence.uow import UnitOfWork
from studentres_desktop.services.auth import ThrottlePolicy
from studentres_desktop.services.plan import PlanService

DEFAULT_MYSQL_URL = "mysql+mysqlconnector://root@127.0.0.1:3306/"
PASSWORD = "bench marks need a sturdy passphrase"


@contextmanager
def database(backend: str, mysql_url: str) -> Iterator[str]:
    """A fresh database for one run: bench_core's SQLite file or srbench_* database."""
    with (sqlite_database() if backend == "sqlite" else mysql_database(mysql_url)) as url:
        yield url


def timed_race(url: str, services: Services, tokens: list[str],
               action: Callable[[PlanService, str], object]) -> tuple[list[float], float]:
    """Milliseconds of each call, and of the whole race, all threads released at once."""
    engines = [create_database_engine(DatabaseSettings(url)) for _ in tokens]
    barrier = threading.Barrier(len(tokens))

    def run(n: int) -> float:
        engine = engines[n]
        plan = PlanService(lambda: UnitOfWork(engine), services.auth)
        with engine.connect():
            pass
        barrier.wait(timeout=60)
        started = time.perf_counter()
        action(plan, tokens[n])
        return (time.perf_counter() - started) * 1000

    try:
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=len(tokens)) as pool:
            times = list(pool.map(run, range(len(tokens))))
        return times, (time.perf_counter() - started) * 1000
    finally:
        for engine in engines:
            engine.dispose()


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def bench(backend: str, url: str, racers: int, places: int, rounds: int) -> list[str]:
    services = build_services(DatabaseSettings(url), bcrypt_cost=4,
                              throttle=ThrottlePolicy(free_failures=10**9),
                              token_ttl=timedelta(hours=2))
    try:
        ensure_schema(services.engine)
        services.catalogue.seed_interests()
        run = uuid.uuid4().hex[:6]
        services.auth.register("Bench advisor", f"desk-{run}@example.edu", PASSWORD)
        services.auth.set_role(f"desk-{run}@example.edu", Role.ADVISOR)
        desk = services.auth.login(f"desk-{run}@example.edu", PASSWORD).token
        tokens = []
        for n in range(racers):
            email = f"racer{n}-{run}@example.edu"
            services.auth.register(f"Racer {n}", email, PASSWORD)
            tokens.append(services.auth.login(email, PASSWORD).token)
        rsvp_ms: list[float] = []
        cancel_ms: list[float] = []
        walls: list[float] = []
        for round_ in range(rounds):
            start = datetime.now().replace(microsecond=0) + timedelta(days=30 + round_)
            resource = services.resources.create(desk, ResourceDraft(
                ResourceKind.EVENT, f"Round {round_}", starts_at=start, capacity=places))
            key = resource.key
            times, wall = timed_race(url, services, tokens,
                                     lambda plan, token, key=key: plan.rsvp(token, key))
            rsvp_ms += times
            walls.append(wall)
            going = [t for t in tokens
                     if services.plan.status(t, key).state is RsvpState.GOING]
            assert len(going) == min(places, racers), "more or fewer than the capacity got places"
            times, _ = timed_race(url, services, going[: max(1, places // 2)],
                                  lambda plan, token, key=key: plan.cancel_rsvp(token, key))
            cancel_ms += times
    finally:
        services.dispose()
    return [
        f"| {backend} | {racers} | {places} | RSVP | {len(rsvp_ms)} | "
        f"{statistics.median(rsvp_ms):.1f} | {percentile(rsvp_ms, 0.95):.1f} | "
        f"{max(rsvp_ms):.1f} | {statistics.median(walls):.0f} | "
        f"{statistics.median(walls) / racers:.1f} |",
        f"| {backend} | {racers} | {places} | cancel + promote | {len(cancel_ms)} | "
        f"{statistics.median(cancel_ms):.1f} | {percentile(cancel_ms, 0.95):.1f} | "
        f"{max(cancel_ms):.1f} | | |",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "mysql", "both"], default="both")
    parser.add_argument("--racers", default="1,20,50")
    parser.add_argument("--places", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--mysql-url",
                        default=os.environ.get("STUDENTRES_BENCH_MYSQL_URL", DEFAULT_MYSQL_URL))
    args = parser.parse_args()
    backends = ["sqlite", "mysql"] if args.backend == "both" else [args.backend]
    print(f"Python {platform.python_version()} on {platform.platform()}, "
          f"{os.cpu_count()} CPUs; load average {os.getloadavg()[0]:.2f}", file=sys.stderr)
    print("| backend | racers | places | operation | calls | p50 ms | p95 ms | max ms "
          "| race wall ms (p50) | wall / racers ms |")
    print("|---|---:|---:|---|---:|---:|---:|---:|---:|---:|")
    for backend in backends:
        for racers in (int(n) for n in args.racers.split(",")):
            with database(backend, args.mysql_url) as url:
                for line in bench(backend, url, racers, args.places, args.rounds):
                    print(line, flush=True)


if __name__ == "__main__":
    main()
