"""Client CPU per workstation action: what one workstation's own process spends on each action.

The actions and service calls are those of bench/bench_load.py (log in, first page, search,
recommendations, save, RSVP), run one after another without think time by one process against
a new srtest_* database on the given server (the catalogue and accounts bench_load creates).
Prints, per action, the median and p95 of time.process_time() per call, the CPU of the first
call of each action after logging in, and the commands one call sends to the server; with
--profile, the cProfile listing of one action (process time, cumulative and own).

    python bench/bench_client_cpu.py [--server mysql+mysqlconnector://root@127.0.0.1:3306/]
                                     [--actions 300] [--resources 600] [--profile search]
"""

from __future__ import annotations

import argparse
import cProfile
import os
import platform
import pstats
import random
import statistics
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine
from sqlalchemy.engine import make_url

from bench.bench_load import (
    INTERESTS,
    PASSWORD,
    SEARCH_WORDS,
    THROTTLE,
    prepare,
    student_email,
)
from studentres_desktop.bootstrap import build_gateway, build_services
from studentres_desktop.domain.models import ResourceFilter, ResourceKind
from studentres_desktop.persistence.engine import DatabaseSettings
from studentres_desktop.services.session_api import SessionApi
from tests.support.driver_calls import connection_class, recorded_commands

ACTIONS = ("login", "first page", "search", "recommendations", "save", "rsvp")
STUDENTS = 20


@contextmanager
def private_database(server: str) -> Iterator[str]:
    """A new, empty srtest_* database on the server, dropped afterwards."""
    admin_url = make_url(server).set(database="")
    admin = create_engine(admin_url)
    name = f"srtest_{uuid.uuid4().hex[:12]}"
    with admin.begin() as conn:
        conn.exec_driver_sql(
            f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
    try:
        yield admin_url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.begin() as conn:
            conn.exec_driver_sql(f"DROP DATABASE IF EXISTS `{name}`")
        admin.dispose()


def action_calls(url: str, bcrypt_cost: int) -> tuple[dict[str, Callable[[], object]],
                                                        Callable[[], None]]:
    """One workstation's services, logged in; a call per action, and what closes it."""
    services = build_services(DatabaseSettings(url, connect_timeout=5, read_timeout=30),
                              bcrypt_cost=bcrypt_cost, throttle=THROTTLE, recommender="lexical")
    gateway = build_gateway(services, embedded=False)
    rng = random.Random(1)
    api: SessionApi = gateway.log_in(student_email(0), PASSWORD)
    page = api.browse(ResourceFilter(limit=50), whole_catalogue=False).items
    events = api.browse(ResourceFilter(kinds=frozenset({ResourceKind.EVENT}), limit=50),
                        whole_catalogue=True).items

    def login() -> object:
        return gateway.log_in(student_email(rng.randrange(STUDENTS)), PASSWORD)

    def first_page() -> object:
        items = api.browse(ResourceFilter(limit=50), whole_catalogue=False).items
        api.saved_keys(items)
        api.rsvp_statuses(items)
        return items

    calls: dict[str, Callable[[], object]] = {
        "login": login,
        "first page": first_page,
        "search": lambda: api.browse(ResourceFilter(text=rng.choice(SEARCH_WORDS), limit=50),
                                     whole_catalogue=True),
        "recommendations": lambda: api.recommendations(10),
        "save": lambda: api.save(rng.choice(page)),
        "rsvp": lambda: api.rsvp(rng.choice(events)),
    }
    return calls, services.dispose


def round_trips(call: Callable[[], object]) -> int:
    """Commands one call sends to the server (statements, COMMIT/ROLLBACK and PINGs)."""
    with recorded_commands() as sent:
        call()
    return len(sent)


def driver_version() -> str:
    import mysql.connector

    return str(mysql.connector.__version__)


def cpu_ms(call: Callable[[], object]) -> float:
    began = time.process_time()
    call()
    return (time.process_time() - began) * 1000


def measure(call: Callable[[], object], count: int) -> tuple[float, list[float]]:
    """CPU milliseconds of the first call (it fills the caches the later ones reuse: compiled
    statements, the recommendation index), then of each of `count` more."""
    first = cpu_ms(call)
    times = []
    for _ in range(count):
        began = time.process_time()
        call()
        times.append((time.process_time() - began) * 1000)
    return first, times


def percentile(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--server", default="mysql+mysqlconnector://root@127.0.0.1:3306/")
    parser.add_argument("--actions", type=int, default=300, help="calls per action")
    parser.add_argument("--resources", type=int, default=600)
    parser.add_argument("--bcrypt-cost", type=int, default=4)
    parser.add_argument("--only", default=",".join(ACTIONS), help="actions, comma-separated")
    parser.add_argument("--profile", choices=ACTIONS, help="print cProfile of this action")
    parser.add_argument("--top", type=int, default=30)
    options = parser.parse_args(argv)
    chosen = [a for a in options.only.split(",") if a]
    with private_database(options.server) as url:
        prepare(url, STUDENTS, options.bcrypt_cost, options.resources)
        calls, close = action_calls(url, options.bcrypt_cost)
        try:
            if options.profile:
                call = calls[options.profile]
                call()
                # Process time, not wall time: waits on the server would otherwise dominate.
                profiler = cProfile.Profile(time.process_time)
                profiler.enable()
                for _ in range(options.actions):
                    call()
                profiler.disable()
                stats = pstats.Stats(profiler)
                for order in ("cumulative", "tottime"):
                    stats.sort_stats(order).print_stats(options.top)
                return 0
            print(f"{platform.python_implementation()} {platform.python_version()}, "
                  f"{os.cpu_count()} CPUs; one process, no think time; {options.resources} "
                  f"resources, {STUDENTS} students, interests {', '.join(INTERESTS)}; bcrypt "
                  f"cost {options.bcrypt_cost}; load average at the start "
                  f"{os.getloadavg()[0]:.1f}; mysql-connector {driver_version()} "
                  f"({connection_class().__name__})\n")
            print("| action | calls | CPU p50 ms | CPU p95 ms | first call ms | round trips |")
            print("|---|---:|---:|---:|---:|---:|")
            for action in chosen:
                first, times = measure(calls[action], options.actions)
                print(f"| {action} | {len(times)} | {statistics.median(times):.2f} | "
                      f"{percentile(times, 95):.2f} | {first:.1f} | "
                      f"{round_trips(calls[action])} |", flush=True)
        finally:
            close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
