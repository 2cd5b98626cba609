"""The resource browser at scale: time to first rows and time per filter keystroke.

    QT_QPA_PLATFORM=offscreen python bench/bench_browser.py [--resources 100000]
        [--mysql-url mysql+mysqlconnector://root@127.0.0.1:3306/] [--repeat 20]

Fills a fresh database (SQLite, and MariaDB when --mysql-url is given) with generated resources,
then drives the real app offscreen: a student with three interests logs in and the browser opens
(time to the first rows on screen), the student types a search word key by key (time the UI
thread spends per keystroke, and from the last key to the filtered rows, which includes the
250 ms pause the search waits for), and switches the kind filter (time to rows). Counting all
matches for the "N resources" label runs after the rows are shown and is not included. The
first student logs in while the recommender is still building its keyword index of the
catalogue in the background (it competes for the CPU and Python's interpreter lock); that one
run is reported apart, and the others start once it is done.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QSettings
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url

from studentres_desktop.bootstrap import Services, build_desktop, build_gateway, build_services
from studentres_desktop.domain.models import ResourceDraft, ResourceKind
from studentres_desktop.persistence.engine import DatabaseSettings
from studentres_desktop.persistence.schema import ensure_schema
from studentres_desktop.services.recommendations.embedder import SemanticUnavailable
from studentres_desktop.ui.controllers.browser_controller import SEARCH_DELAY_MS

PASSWORD = "benchmark password, not real"
WORDS = ("robot sensor neural network data cloud security design workshop training event "
         "python statistics startup energy climate genome game interface ethics career "
         "drone vision language model cluster kernel privacy prototype usability market").split()


def wait_until(app: QApplication, condition: Callable[[], bool], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError
        app.processEvents()
        time.sleep(0.0005)


def fill(services: Services, count: int) -> float:
    ensure_schema(services.engine)
    services.catalogue.seed_interests()
    tags = [i.tag for i in services.interests.vocabulary()]
    rng = random.Random(5)
    start = datetime(2027, 1, 1, 9)
    started = time.perf_counter()
    for offset in range(0, count, 5000):
        services.catalogue.add(
            ResourceDraft(
                list(ResourceKind)[n % 3],
                f"{' '.join(rng.choices(WORDS, k=4)).capitalize()} {n}",
                " ".join(rng.choices(WORDS, k=40)),
                tuple(rng.sample(tags, rng.randint(1, 3))),
                start + timedelta(hours=n) if n % 8 else None,
            )
            for n in range(offset, min(count, offset + 5000))
        )
    return time.perf_counter() - started


def no_model() -> object:
    raise SemanticUnavailable("not needed for this benchmark")


def measure(url: str, count: int, repeat: int) -> list[tuple[str, float, float]]:
    services = build_services(DatabaseSettings(url), bcrypt_cost=10, embedder_loader=no_model)
    filled = fill(services, count)
    print(f"  filled {count:,} resources in {filled:.1f} s", file=sys.stderr)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    settings = QSettings(str(Path(tempfile.mkdtemp()) / "s.ini"), QSettings.Format.IniFormat)
    gateway = build_gateway(services, embedded=False)
    controller = build_desktop(gateway, settings)
    controller.start()
    wait_until(app, lambda: controller.ready)
    browser = controller.browser_view
    first_rows, per_key, to_results, kind_switch = [], [], [], []
    warm_up_rows: list[float] = []
    for n in range(repeat + 1):
        if n == 1:  # the first student logged in while the recommender indexed the catalogue
            warm_up_rows, first_rows = first_rows, []
            wait_until(app, lambda: controller.recommendations.ready, seconds=300)
        email = f"student{n}@bench.example.edu"
        services.auth.register("Bench Student", email, PASSWORD)
        result = services.auth.login(email, PASSWORD)
        services.interests.set_for_student(result.token, random.Random(n).sample(
            [i.tag for i in services.interests.vocabulary()], 3))
        api = gateway.log_in(email, PASSWORD)
        started = time.perf_counter()
        controller.session.start(api)
        wait_until(app, lambda: browser.model.rowCount() > 0)
        first_rows.append((time.perf_counter() - started) * 1000)

        wait_until(app, lambda: not controller.runner.busy)  # the count, labels, …
        word = random.Random(n).choice(WORDS)
        browser.search_edit.setFocus()
        for char in word:
            begun = time.perf_counter()
            QTest.keyClick(browser.search_edit, char)
            per_key.append((time.perf_counter() - begun) * 1000)
        last_key = time.perf_counter()
        wait_until(app, lambda w=word: controller.browser.state.text == w
                   and not browser.model.loading)
        to_results.append((time.perf_counter() - last_key) * 1000)

        wait_until(app, lambda: not controller.runner.busy)
        begun = time.perf_counter()
        browser.kind_combo.setCurrentIndex(1 + n % 3)
        browser.kind_combo.activated.emit(browser.kind_combo.currentIndex())
        wait_until(app, lambda: not browser.model.loading)
        kind_switch.append((time.perf_counter() - begun) * 1000)
        wait_until(app, lambda: not controller.runner.busy)
        controller.navigation.logout()
        wait_until(app, lambda: controller.window.current_page() is controller.login_view)
    controller.runner.wait_for_done(10_000)
    controller.window.close()
    services.dispose()

    def summary(values: list[float]) -> tuple[float, float]:
        ordered = sorted(values)
        return statistics.median(values), ordered[min(len(ordered) - 1,
                                                      round(0.95 * (len(ordered) - 1)))]

    return [
        ("log in → first rows, while the recommender indexes the catalogue (1 run)",
         *summary(warm_up_rows)),
        ("log in → first rows of the browser", *summary(first_rows)),
        ("UI thread per search keystroke", *summary(per_key)),
        (f"last keystroke → filtered rows (includes the {SEARCH_DELAY_MS} ms pause)",
         *summary(to_results)),
        ("kind filter change → rows", *summary(kind_switch)),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--resources", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--mysql-url", default=os.environ.get("STUDENTRES_BENCH_MYSQL_URL"))
    args = parser.parse_args()
    targets = [("SQLite", f"sqlite:///{Path(tempfile.mkdtemp()) / 'browse.sqlite3'}", None)]
    if args.mysql_url:
        name = f"srbench_{uuid.uuid4().hex[:8]}"
        admin = create_engine(args.mysql_url)
        with admin.begin() as conn:
            conn.exec_driver_sql(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 "
                                 "COLLATE utf8mb4_unicode_ci")
        targets.append(("MariaDB", make_url(args.mysql_url).set(database=name)
                        .render_as_string(hide_password=False), (admin, name)))
    print(f"Resource browser, {time.strftime('%Y-%m-%d')}, {os.cpu_count()} cores, "
          f"{args.resources:,} resources, {args.repeat} students each (offscreen)\n")
    print("| database | measurement | median ms | p95 ms |")
    print("|---|---|---:|---:|")
    try:
        for label, url, _cleanup in targets:
            for name, median, p95 in measure(url, args.resources, args.repeat):
                print(f"| {label} | {name} | {median:.1f} | {p95:.1f} |", flush=True)
    finally:
        for _label, _url, cleanup in targets:
            if cleanup is not None:
                engine, database = cleanup
                with engine.begin() as conn:
                    conn.exec_driver_sql(f"DROP DATABASE IF EXISTS `{database}`")
    return 0


if __name__ == "__main__":
    sys.exit(main())
