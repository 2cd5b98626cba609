"""Search and counting benchmark: text search through the service next to the bare index query.

Fills a fresh database with the catalogue of bench_core.py (N students and N resources), then
for each search text times the first page through the service (token check, unit of work, the
app's statement, domain objects) and, in the same run, the bare full-text lookup alone (FTS5
MATCH on SQLite, MATCH … AGAINST on MariaDB/MySQL, first 51 ids in the order the page used: by
relevance, or newest first for a broad search; on MariaDB/MySQL a broad search's page walks one
word's entries in the word table and probes the others, or, for one word being typed that starts
several, the primary key backwards with LIKE, so that walk is its bare lookup, and MATCH alone
is printed beside it). A student's search is also looked up in their interests alone (each
match's links probed by row id, as the app's walk does), and the service's ratio is to that
lookup: the catalogue's first matches answer another question. Then counts: exact, and capped at
1,000. Prints one Markdown table per backend and size, wall time and this process's CPU time
side by side (the CPU time holds SQLite's work, not a server's), and the load average before and
after.

    python bench/bench_search.py [--backend sqlite|mysql|both] [--sizes 10000,100000]
                                 [--mysql-url URL] [--repeat 200] [--keep FOLDER]

With --keep, the filled databases are kept and reused by the next run with the same option:
SQLite files in FOLDER, MariaDB/MySQL databases srtest_bench_search_<N> (filling 100,000
resources takes most of a run).
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import os
import platform
import random
import sqlite3
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_core import (
    PASSWORD,
    Goal,
    Measurement,
    Writer,
    analyse,
    build_bench_services,
    cpu_model,
    database_for,
    generate_resources,
    generate_students,
    load_average,
    mysql_version,
    timed_runs,
)

from studentres_desktop.bootstrap import Services
from studentres_desktop.domain.models import ResourceFilter, Role
from studentres_desktop.domain.search import search_terms
from studentres_desktop.persistence import search_index as si
from studentres_desktop.persistence import tables as t
from studentres_desktop.persistence.repositories import WORD_COUNT_CAP, ResourceRepository
from studentres_desktop.persistence.resource_queries import (
    page_query,
    word_counts_query,
)
from studentres_desktop.persistence.schema import ensure_schema
from studentres_desktop.services.passwords import PasswordHasher
from studentres_desktop.services.resources import COUNT_CAP

SEARCH_GOAL_MS = 20.0
COUNT_GOAL_MS = 10.0
# (label, text): a rare word, a common one, two words, a prefix being typed, a stopword.
SEARCHES = (
    ("rare word", "tessellation"),
    ("common word", "learning"),
    ("two words", "machine learning"),
    ("prefix being typed", "photogram"),
    ("short stopword", "the"),
)


@dataclass
class Timed:
    """Wall-clock and CPU milliseconds of the same calls."""

    wall: Measurement
    cpu: Measurement


def timed(name: str, operation: Callable[[int], object], repeat: int,
          goal: Goal | None = None) -> Timed:
    """Like bench_core.timed_runs, with this process's CPU time of each call beside it."""
    cpu: list[float] = []

    def run(i: int) -> object:
        started = time.process_time()
        try:
            return operation(i)
        finally:
            if i >= 0:  # not a warm-up run
                cpu.append((time.process_time() - started) * 1000)

    wall = timed_runs(run, repeat)
    return Timed(Measurement(name, wall, goal), Measurement(name, cpu, goal))


@dataclass
class SearchRow:
    label: str
    query: str
    scope: str
    service: Timed
    statement: Measurement
    bare: Measurement
    matches: int
    newest_first: bool
    fulltext: Measurement | None = None  # MariaDB/MySQL, newest first: MATCH alone, unordered
    scoped: Measurement | None = None  # a student's search: the lookup in their interests

    @property
    def ratio(self) -> float:
        """Against the lookup that answers the same question: for a student's search, the one
        in their interests (the whole catalogue's first matches may hold none of them)."""
        bare = self.scoped or self.bare
        return self.service.wall.p95 / bare.p95 if bare.p95 else float("inf")

    @property
    def statement_ratio(self) -> float:
        wall = self.service.wall.p95
        return wall / self.statement.p95 if self.statement.p95 else float("inf")


def word_walk(engine: Engine, flt: ResourceFilter) -> tuple[int | None, str | None]:
    """MariaDB/MySQL: the word the app's newest-first page walks in the word table, if any, and
    the only completion of a last word being typed."""
    with engine.connect() as conn:
        return ResourceRepository(conn).word_walk(flt)


def interest_probe(row_id: str, interests: Sequence[str] | None) -> tuple[str, dict[str, Any]]:
    """With interests, a condition that the row has one of them, looked up in its links by row
    id (as the app's walk does), and its values; nothing without."""
    if interests is None:
        return "", {}
    names = ", ".join(f":tag{k}" for k in range(len(interests)))
    return (f" AND (SELECT 1 FROM resource_interests ri WHERE ri.resource_id = {row_id}"
            f" AND ri.interest_tag IN ({names}) LIMIT 1) IS NOT NULL",
            {f"tag{k}": tag for k, tag in enumerate(interests)})


def bare_lookup(engine: Engine, query: str, newest: bool,
                interests: Sequence[str] | None = None) -> Callable[[int], object]:
    """The index alone: ids of the first 51 matches of the app-row items, nothing else read, by
    relevance or, for a search the app shows newest first, newest first. With `interests` (a
    student's search), only app rows with one of them, each match's links probed by row id."""
    terms = search_terms(query)
    driver, completion = word_walk(engine, ResourceFilter(text=query)) if newest else (None, None)
    if engine.dialect.name == "sqlite":
        order = "rowid DESC" if newest else "rank"
        rowid = f"{si.FTS_TABLE}.rowid"  # not the links' own rowid, inside the probe
        scoped, values = interest_probe(f"({rowid} >> {si.SLOT_BITS})", interests)
        if interests is not None:
            scoped += f" AND ({rowid} & {si.SLOTS - 1}) = {si.APP_SLOT}"
        sql = text(f"SELECT rowid FROM {si.FTS_TABLE} WHERE {si.FTS_TABLE} MATCH :q{scoped} "
                   f"ORDER BY {order} LIMIT 51")
        values |= {"q": si.sqlite_match(terms)}
    elif driver is not None:  # the word table: one word's entries backwards, the others probed
        others = [n for n in range(len(terms.words)) if n != driver]
        last = len(terms.words) - 1
        typed = terms.last_is_prefix and completion is None

        def word(n: int) -> str:  # the last word being typed, completed when it can be
            return completion if completion is not None and n == last else si.word_value(terms, n)

        probes = "".join(
            f" AND (SELECT 1 FROM {si.WORDS_TABLE} p{k} WHERE p{k}.resource_id = d.resource_id"
            f" AND p{k}.slot = 0 AND p{k}.word {'LIKE' if typed and n == last else '='} :w{k}"
            " LIMIT 1) IS NOT NULL"
            for k, n in enumerate(others))
        scoped, values = interest_probe("d.resource_id", interests)
        sql = text(f"SELECT d.resource_id FROM {si.WORDS_TABLE} d WHERE d.word = :driver"
                   f" AND d.slot = 0{probes}{scoped} ORDER BY d.resource_id DESC LIMIT 51")
        values |= {"driver": word(driver)} | {f"w{k}": word(n) for k, n in enumerate(others)}
    elif newest:  # the backward walk of the primary key that the app's newest-first page makes
        tests = " AND ".join(f"{si.SEARCH_COLUMN} LIKE :like_zz_{n}"
                             for n in range(len(terms.words)))
        scoped, values = interest_probe("id", interests)
        sql = text(f"SELECT id FROM interest_resources WHERE {tests}{scoped} "
                   "ORDER BY id DESC LIMIT 51")
        values |= si.like_values(terms)
    else:
        scoped, values = interest_probe("id", interests)
        sql = text(f"SELECT id FROM interest_resources WHERE MATCH({si.SEARCH_COLUMN}) "
                   f"AGAINST(:q IN BOOLEAN MODE){scoped} LIMIT 51")
        values |= {"q": si.mysql_against(terms, si.APP_MARK)}

    def run(_i: int) -> object:
        with engine.connect() as conn:
            return conn.execute(sql, values).all()

    return run


def student_tokens(services: Services, ids: Sequence[int], k: int,
                   rng: random.Random) -> list[str]:
    chosen = rng.sample(list(ids), k) if len(ids) >= k else rng.choices(list(ids), k=k)
    return [services.tokens.issue(sid, Role.STUDENT).token for sid in chosen]


def statement_alone(services: Services, flt: ResourceFilter,
                    newest: bool) -> Callable[[int], object]:
    """The app's own page statement for this filter, replayed on a connection: no token check,
    no unit of work, no domain objects (nor the question whether the search is broad)."""
    engine = services.engine
    dialect = engine.dialect.name
    if newest and dialect != "sqlite":
        return newest_statements_alone(engine, flt)
    query = page_query(flt, dialect, newest=newest)
    assert query is not None

    def run(_i: int) -> object:
        with engine.connect() as conn:
            return query.run(conn).all()

    return run


def newest_statements_alone(engine: Engine, flt: ResourceFilter) -> Callable[[int], object]:
    """MariaDB/MySQL newest first: the statements the repository sends, unchecked (the check is
    Python, in the service): the words counted, then the page's candidates
    (`ResourceRepository.newest_candidates`: from the word table, or, for one word being typed
    that starts several, the app rows' ids from the LIKE walk and the page of those ids)."""
    driver, completion = word_walk(engine, flt)
    counts = word_counts_query(flt, WORD_COUNT_CAP)
    wanted = flt.offset + flt.limit + 1
    assert counts is not None

    def run(_i: int) -> object:
        with engine.connect() as conn:
            counts.run(conn).all()
            return ResourceRepository(conn).newest_candidates(flt, wanted, driver, completion)

    return run


def search_call(services: Services, scope: str, tokens: Sequence[str],
                flt: ResourceFilter) -> Callable[[int], object]:
    """One first page as the i-th student: their resources, or the whole catalogue."""
    res = services.resources
    if scope == "student":
        return lambda i: res.for_student(tokens[i], flt)
    return lambda i: res.browse(tokens[i], flt)


def measure_searches(services: Services, three: Sequence[int], repeat: int,
                     rng: random.Random) -> list[SearchRow]:
    goal = Goal(f"p95 ≤ {SEARCH_GOAL_MS:g} ms", SEARCH_GOAL_MS)
    res = services.resources
    rows = []
    for label, query in SEARCHES:
        for scope in ("student", "browse"):
            tokens = student_tokens(services, three, repeat + 5, rng)
            flt = ResourceFilter(text=query, limit=50)
            call = search_call(services, scope, tokens, flt)
            newest = call(0).newest_first
            bare = Measurement("bare", timed_runs(bare_lookup(services.engine, query, newest),
                                                  repeat))
            fulltext = None
            if newest and services.engine.dialect.name != "sqlite":
                fulltext = Measurement("fulltext", timed_runs(
                    bare_lookup(services.engine, query, False), repeat))
            interests = None
            scoped = None
            if scope == "student":
                interests = services.auth.current_student(tokens[0]).interests
                scoped = Measurement("scoped", timed_runs(
                    bare_lookup(services.engine, query, newest, interests), repeat))
            replayed = dataclasses.replace(flt, interests=interests)
            statement = Measurement("statement", timed_runs(
                statement_alone(services, replayed, newest), repeat))
            service = timed(f"{scope} {label}", call, repeat, goal)
            exact = res.count(tokens[0], flt, for_student=scope == "student")
            rows.append(SearchRow(label, query, scope, service, statement, bare, exact, newest,
                                  fulltext, scoped))
    return rows


def measure_counts(services: Services, three: Sequence[int], repeat: int,
                   rng: random.Random) -> list[tuple[str, Timed, str]]:
    goal = Goal(f"p95 ≤ {COUNT_GOAL_MS:g} ms", COUNT_GOAL_MS)
    res = services.resources
    results = []
    for label, flt in (("a student's resources", ResourceFilter()),
                       ("a student's resources, 'learning'", ResourceFilter(text="learning")),
                       ("a student's resources, 'tessellation'",
                        ResourceFilter(text="tessellation"))):
        tokens = student_tokens(services, three, repeat + 5, rng)
        exact = timed(label, lambda i, f=flt, t=tokens: res.count(t[i], f), repeat, goal)
        capped = timed(label, lambda i, f=flt, t=tokens: res.count_capped(t[i], f), repeat,
                       goal)
        shown = res.count_capped(tokens[0], flt).label
        results.append((f"exact count, {label}", exact, f"{res.count(tokens[0], flt):,}"))
        results.append((f"capped count ({COUNT_CAP:,}), {label}", capped, shown))
    return results


def run_case(title: str, n: int, url: str, args: argparse.Namespace) -> None:
    rng = random.Random(args.seed)
    services = build_bench_services(url)
    try:
        ensure_schema(services.engine)
        services.catalogue.seed_interests()
        writer = Writer(rng, [i.tag for i in services.interests.vocabulary()])
        three = kept_three_interest_ids(services.engine, n)
        generated_s: float | None = None
        if three is None:
            people = generate_students(services.engine, n, writer,
                                       PasswordHasher(4).hash(PASSWORD))
            generated_s = generate_resources(services.engine, n, writer)
            analyse(services.engine)
            three = people.three_interest_ids
        load_before = load_average()
        searches = measure_searches(services, three, args.repeat, rng)
        counts = measure_counts(services, three, args.repeat, rng)
        print_tables(f"{title}, N = {n:,}", searches, counts, generated_s, load_before)
    finally:
        services.dispose()


def kept_three_interest_ids(engine: Engine, n: int) -> list[int] | None:
    """The students with three interests of a database kept from an earlier run with N
    resources, or None when it is new (or holds something else)."""
    si_ = t.student_interests
    with engine.connect() as conn:
        resources = conn.execute(select(func.count()).select_from(t.interest_resources)).scalar()
        if resources != n:
            return None
        counted = (select(si_.c.student_id).group_by(si_.c.student_id)
                   .having(func.count() == 3))
        return [int(row[0]) for row in conn.execute(counted)]


def holds_resources(url: str, n: int) -> bool:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            count = conn.execute(select(func.count()).select_from(t.interest_resources)).scalar()
        return count == n
    except DBAPIError:  # no such database or table yet
        return False
    finally:
        engine.dispose()


@contextlib.contextmanager
def kept_database(backend: str, n: int, args: argparse.Namespace) -> Iterator[str]:
    """A database that outlives the run, made afresh unless it holds N resources."""
    if backend == "sqlite":
        folder = Path(args.keep)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"bench_search_{n}.sqlite3"
        url = f"sqlite:///{path}"
        if not holds_resources(url, n):
            path.unlink(missing_ok=True)
        yield url
        return
    name = f"srtest_bench_search_{n}"
    url = make_url(args.mysql_url).set(database=name).render_as_string(hide_password=False)
    if not holds_resources(url, n):
        admin = create_engine(args.mysql_url)
        try:
            with admin.begin() as conn:
                conn.exec_driver_sql(f"DROP DATABASE IF EXISTS `{name}`")
                conn.exec_driver_sql(f"CREATE DATABASE `{name}` "
                                     "CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
        finally:
            admin.dispose()
    yield url


def print_tables(title: str, searches: Sequence[SearchRow],
                 counts: Sequence[tuple[str, Timed, str]],
                 generated_s: float | None, load_before: str) -> None:
    print(f"### {title}\n")
    print("| search (first page of 50) | scope | matches | order "
          "| service wall median / p95 ms | service CPU median / p95 ms "
          "| app statement alone median / p95 ms "
          "| bare index lookup median / p95 ms "
          "| bare lookup in the student's interests median / p95 ms "
          "| service ÷ statement (p95) | service ÷ bare (p95; a student's: in their interests) "
          "| wall p95 ≤ 20 ms? | FULLTEXT alone median / p95 ms |")
    print("|---|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---|---:|")
    for row in searches:
        wall, cpu = row.service.wall, row.service.cpu
        met = wall.p95 <= SEARCH_GOAL_MS
        print(f"| {row.label} '{row.query}' | {row.scope} | {row.matches:,} "
              f"| {'newest first' if row.newest_first else 'relevance'} "
              f"| {wall.median:.1f} / {wall.p95:.1f} | {cpu.median:.1f} / {cpu.p95:.1f} "
              f"| {row.statement.median:.1f} / {row.statement.p95:.1f} "
              f"| {row.bare.median:.2f} / {row.bare.p95:.2f} | {lookup_cell(row.scoped)} "
              f"| {row.statement_ratio:.1f}× | {row.ratio:.1f}× | {'yes' if met else 'no'} "
              f"| {fulltext_cell(row.fulltext)} |")
    print()
    print("| count (3 interests) | runs | wall median / p95 ms | CPU median / p95 ms | shows "
          "| goal | wall p95 met? |")
    print("|---|---:|---:|---:|---|---|---|")
    for label, m, shown in counts:
        wall, cpu = m.wall, m.cpu
        print(f"| {label} | {len(wall.samples_ms)} | {wall.median:.1f} / {wall.p95:.1f} "
              f"| {cpu.median:.1f} / {cpu.p95:.1f} | {shown} "
              f"| {wall.goal.label if wall.goal else '—'} | {wall.met} |")
    print()
    if generated_s is not None:
        print(f"- generating {title.split('N = ')[-1]} resources (with the search index) took "
              f"{generated_s:.1f} s")
    print(f"- load average (1/5/15 min) before these tables: {load_before}; after: "
          f"{load_average()}")
    print(flush=True)


def lookup_cell(lookup: Measurement | None) -> str:
    return "—" if lookup is None else f"{lookup.median:.2f} / {lookup.p95:.2f}"


def fulltext_cell(fulltext: Measurement | None) -> str:
    return "—" if fulltext is None else f"{fulltext.median:.1f} / {fulltext.p95:.1f}"


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--backend", choices=("sqlite", "mysql", "both"), default="both")
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--mysql-url", default=os.environ.get(
        "STUDENTRES_BENCH_MYSQL_URL", "mysql+mysqlconnector://root@127.0.0.1:3306/"))
    parser.add_argument("--repeat", type=int, default=200, help="runs per measurement")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--keep", metavar="FOLDER", help=(
        "keep the filled databases for the next run: SQLite files in FOLDER, "
        "srtest_bench_search_<N> on the server"))
    args = parser.parse_args(argv)
    args.backends = ["sqlite", "mysql"] if args.backend == "both" else [args.backend]
    args.size_list = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    server = mysql_version(args.mysql_url) if "mysql" in args.backends else None
    print(f"- date: {datetime.now().astimezone():%Y-%m-%d %H:%M %Z}")
    print(f"- CPU: {cpu_model()}, {os.cpu_count()} cores; load average (1/5/15 min) at start: "
          f"{load_average()}")
    print(f"- Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}"
          + (f", server {server}" if server else ""))
    print(f"- {args.repeat} runs per measurement after 5 warm-up runs; each service call as a "
          "different random student with three interests")
    print(flush=True)
    name = "MariaDB" if server and "mariadb" in server.lower() else "MySQL"
    started = time.perf_counter()
    for backend in args.backends:
        for n in args.size_list:
            databases = kept_database(backend, n, args) if args.keep else database_for(
                backend, args)
            with databases as url:
                run_case("SQLite" if backend == "sqlite" else name, n, url, args)
    print(f"- whole run: {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
