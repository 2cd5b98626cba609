"""Client failover: how long a write takes when the database node in use has just died.

Two TCP forwarders in front of one MariaDB/MySQL server stand for two nodes; the services list
both (`hosts`). Each round times a save with every node up, then cuts the forwarder the app is
connected to (open connections dropped, new ones refused, as a killed server) and times the
next write, an RSVP, which has to notice, reconnect to the other node and run again. Prints one
Markdown table. A real cluster adds its own stall on a hard kill (docs/cluster.md).

    python bench/bench_failover.py [--rounds 30] [--mysql-url URL]

The MySQL account (STUDENTRES_BENCH_MYSQL_URL, default root on 127.0.0.1) must be allowed to
create and drop databases named srbench_*.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench_core import mysql_database
from sqlalchemy.engine import make_url

from studentres_desktop.bootstrap import build_services
from studentres_desktop.domain.models import ResourceDraft, ResourceFilter, ResourceKind, Role
from studentres_desktop.persistence.engine import DatabaseSettings
from studentres_desktop.persistence.schema import ensure_schema
from tests.support.tcp_proxy import TcpProxy

DEFAULT_URL = os.environ.get("STUDENTRES_BENCH_MYSQL_URL",
                             "mysql+mysqlconnector://root@127.0.0.1/")
PASSWORD = "correct horse battery"


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--mysql-url", default=DEFAULT_URL)
    args = parser.parse_args()
    with mysql_database(args.mysql_url) as url:
        server = make_url(url)
        nodes = [TcpProxy(server.host or "127.0.0.1", server.port or 3306) for _ in range(2)]
        services = build_services(
            DatabaseSettings(url, hosts=tuple(("127.0.0.1", node.port) for node in nodes)),
            bcrypt_cost=10)
        try:
            ensure_schema(services.engine)
            services.catalogue.seed_interests()
            starts = datetime.now().replace(microsecond=0) + timedelta(days=7)
            services.catalogue.add([
                ResourceDraft(ResourceKind.EVENT, f"Talk {n}", "", ("AI",), starts,
                              starts + timedelta(hours=1), "Hall", "", 100)
                for n in range(2 * args.rounds)])
            keys = [r.key for r in services.catalogue.list(
                ResourceFilter(limit=2 * args.rounds)).items]
            services.auth.register("Bench", "bench@example.edu", PASSWORD, Role.STUDENT)
            token = services.auth.login("bench@example.edu", PASSWORD).token
            up, after_death = [], []
            in_use = 0  # the app stays on the node that worked last
            for n in range(args.rounds):
                started = time.perf_counter()
                services.plan.save(token, keys[2 * n])
                up.append(time.perf_counter() - started)
                nodes[in_use].cut()
                started = time.perf_counter()
                services.plan.rsvp(token, keys[2 * n + 1])
                after_death.append(time.perf_counter() - started)
                nodes[in_use].restore()
                in_use = 1 - in_use
        finally:
            services.dispose()
            for node in nodes:
                node.cut()
    print(f"### Failover of a write, {args.rounds} rounds, two forwarders to one server\n")
    print("| write | median ms | p95 ms | max ms |")
    print("|---|---:|---:|---:|")
    for label, times in (("save, node up", up), ("RSVP, its node just died", after_death)):
        print(f"| {label} | {statistics.median(times) * 1000:.1f} | "
              f"{percentile(times, 0.95) * 1000:.1f} | {max(times) * 1000:.1f} |")


if __name__ == "__main__":
    main()
