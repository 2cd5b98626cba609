"""Login cost of keeping hashes on the server: the procedure path against reading the tables.

On MySQL/MariaDB a login goes through the definer procedures (persistence/procedures.py); the
table path is what the app did before, and still does on SQLite. Runs alternate between the two
paths so that a busy machine slows both alike. Prints one Markdown table: the time a login spends
outside bcrypt, and the statements and transactions it sends to the database.

    python bench/bench_login.py [--mysql-url URL] [--repeat 200]

The MySQL account (STUDENTRES_BENCH_MYSQL_URL, default root on 127.0.0.1) must be allowed to
create and drop databases named srbench_*.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Self

from sqlalchemy import Engine, event

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_core import mysql_database, sqlite_database

from studentres_desktop.persistence.credentials import TableCredentialStore
from studentres_desktop.persistence.engine import DatabaseSettings, create_database_engine
from studentres_desktop.persistence.schema import ensure_schema, server_version
from studentres_desktop.persistence.uow import UnitOfWork
from studentres_desktop.services.auth import AuthService, ThrottlePolicy
from studentres_desktop.services.passwords import PasswordHasher
from studentres_desktop.services.tokens import TokenService

DEFAULT_MYSQL_URL = "mysql+mysqlconnector://root@127.0.0.1:3306/"
PASSWORD = "bench marks need a sturdy passphrase"
BCRYPT_COST = 4  # subtracted anyway; low so that the run is about the database
STUDENTS = 50
WARM_UP = 10


class TimedHasher(PasswordHasher):
    """Adds up the seconds spent in bcrypt, so they can be subtracted."""

    def __init__(self) -> None:
        super().__init__(BCRYPT_COST)
        self.spent = 0.0

    def proof(self, password: str, setting: str) -> str:
        started = time.perf_counter()
        try:
            return super().proof(password, setting)
        finally:
            self.spent += time.perf_counter() - started


class TablePathUnitOfWork(UnitOfWork):
    """The unit of work with the table credential store, whatever the backend."""

    def __enter__(self) -> Self:
        super().__enter__()
        assert self._conn is not None
        self.credentials = TableCredentialStore(self._conn)
        return self


@dataclass
class Counter:
    statements: int = 0
    commits: int = 0

    def attach(self, engine: Engine) -> None:
        @event.listens_for(engine, "before_cursor_execute")
        def _statement(*_args: Any) -> None:
            self.statements += 1

        @event.listens_for(engine, "commit")
        def _commit(*_args: Any) -> None:
            self.commits += 1


@dataclass
class LoginPath:
    name: str
    auth: AuthService
    hasher: TimedHasher
    counter: Counter
    times: list[float]
    statements: list[int]
    commits: list[int]

    def login(self, email: str, keep: bool) -> None:
        self.hasher.spent = 0.0
        before = (self.counter.statements, self.counter.commits)
        started = time.perf_counter()
        self.auth.login(email, PASSWORD)
        elapsed = time.perf_counter() - started
        if keep:
            self.times.append((elapsed - self.hasher.spent) * 1000)
            self.statements.append(self.counter.statements - before[0])
            self.commits.append(self.counter.commits - before[1])


def make_path(name: str, engine: Engine, uow_class: type[UnitOfWork]) -> LoginPath:
    counter = Counter()
    counter.attach(engine)
    hasher = TimedHasher()
    auth = AuthService(lambda: uow_class(engine), hasher, TokenService(),
                       ThrottlePolicy(free_failures=10**9))
    return LoginPath(name, auth, hasher, counter, [], [], [])


@contextmanager
def database(backend: str, admin_url: str) -> Iterator[str]:
    """A fresh database for one run: bench_core's SQLite file or srbench_* database."""
    with (sqlite_database() if backend == "sqlite" else mysql_database(admin_url)) as url:
        yield url


def run(backend: str, url: str, repeat: int) -> tuple[str, list[LoginPath]]:
    engine = create_database_engine(DatabaseSettings(url))
    ensure_schema(engine)
    with engine.connect() as conn:
        server = server_version(conn)
    paths = [make_path("tables read by the app", engine, TablePathUnitOfWork)]
    if backend == "mysql":
        paths.insert(0, make_path("definer procedures", engine, UnitOfWork))
    emails = [f"student{n}@bench.example.edu" for n in range(STUDENTS)]
    for email in emails:
        paths[0].auth.register("Student", email, PASSWORD)
    for n in range(WARM_UP + repeat):
        for path in paths if n % 2 else reversed(paths):  # alternate who goes first
            path.login(emails[n % STUDENTS], keep=n >= WARM_UP)
    engine.dispose()
    return server, paths


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--mysql-url", default=os.environ.get("STUDENTRES_BENCH_MYSQL_URL",
                                                              DEFAULT_MYSQL_URL))
    parser.add_argument("--repeat", type=int, default=200)
    args = parser.parse_args()
    print(f"- date: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")
    print(f"- {platform.processor() or platform.machine()}, {os.cpu_count()} cores; load "
          f"average at start: {' / '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"- {args.repeat} logins per path (right password), {WARM_UP} warm-up logins not "
          f"counted, bcrypt cost {BCRYPT_COST} and its time subtracted\n")
    print("| backend | login path | median ms | p95 ms | statements | transactions |")
    print("|---|---|---:|---:|---:|---:|")
    for backend in ("sqlite", "mysql"):
        with database(backend, args.mysql_url) as url:
            server, paths = run(backend, url, args.repeat)
        for path in paths:
            print(f"| {server} | {path.name} | {statistics.median(path.times):.1f} "
                  f"| {p95(path.times):.1f} | {statistics.median(path.statements):g} "
                  f"| {statistics.median(path.commits):g} |")
    print(f"\n- load average at the end: {' / '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
