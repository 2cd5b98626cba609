"""The desktop app's entry point: arguments, QApplication, the login window, then bootstrap."""

from __future__ import annotations

import argparse
import logging
import os
import sys
import threading
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QSettings, QTimer
from PySide6.QtWidgets import QApplication

from studentres_desktop.config import load_kiosk_settings
from studentres_desktop.domain.errors import ValidationError
from studentres_desktop.logging_setup import configure_logging
from studentres_desktop.startclock import process_started
from studentres_desktop.ui.loader import app_icon, stylesheet
from studentres_desktop.ui.qt_logging import route_qt_messages_to_logging
from studentres_desktop.ui.shell import Shell

if TYPE_CHECKING:
    from studentres_desktop.bootstrap import Services
    from studentres_desktop.services.session_api import Gateway

log = logging.getLogger(__name__)
ORGANIZATION = "StudentRes"
APPLICATION = "studentres-desktop"


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="studentres-desktop",
        description="Find workshops, trainings and events that fit your interests.",
    )
    parser.add_argument("--db", metavar="URL", help="database URL (default: the configured one, "
                        "else the embedded SQLite demo database)")
    parser.add_argument("--db-hosts", metavar="HOST:PORT,...",
                        help="the database servers of a cluster, tried in turn "
                        "(default: [database] hosts in the config file)")
    parser.add_argument("--kiosk", action="store_true", default=None,
                        help="run as a shared front-desk kiosk: full screen, cannot be closed "
                        "from the keyboard, logs out after idle time (or [kiosk] enabled = true)")
    parser.add_argument("--idle-timeout", type=int, metavar="SECONDS",
                        help="kiosk mode: log out after this many idle seconds (default 120, "
                        "or [kiosk] idle_timeout_seconds)")
    parser.add_argument("--verbose", "-v", action="store_true", help="log more detail")
    parser.add_argument("--exit-when-ready", action="store_true",
                        help="quit once the login window is shown and the database answered "
                        "(start-up checks and benchmarks)")
    parser.add_argument("--self-test", action="store_true",
                        help="check this installation offscreen: load every window, connect to "
                        "the database (with --db, else a temporary SQLite file) and check its "
                        "schema; exit 0 only if all of it worked")
    return parser.parse_args(argv)


class Backend:
    """The configuration and the services, built the first time the UI needs them.

    That first call comes from a worker thread while the login window is already shown, so
    SQLAlchemy, the database driver, bcrypt and numpy load behind it. A bad setting raises a
    ValidationError that names it, shown in the window's banner with Retry (after IT fixed it).
    """

    def __init__(self, db_url: str | None, kiosk: bool = False,
                 db_hosts: str | None = None) -> None:
        self._db_url = db_url
        self._db_hosts = db_hosts
        self._kiosk = kiosk
        self._lock = threading.Lock()
        self._gateway: Gateway | None = None
        self._services: Services | None = None

    def gateway(self) -> Gateway:
        with self._lock:
            if self._gateway is None:
                from studentres_desktop.bootstrap import build_gateway, build_services
                from studentres_desktop.config import KIOSK_TOKEN_TTL, load_config
                from studentres_desktop.connection_file import ConnectionSettings
                from studentres_desktop.persistence.engine import safe_url

                config = load_config(self._db_url, db_hosts=self._db_hosts)
                log.info("database %s (from %s)", safe_url(config.database.url), config.source)
                # On a shared kiosk a token lives 15 minutes at most.
                ttl = min(config.token_ttl, KIOSK_TOKEN_TTL) if self._kiosk else config.token_ttl
                self._services = build_services(config.database, bcrypt_cost=config.bcrypt_cost,
                                                token_ttl=ttl, site_zone=config.site_timezone,
                                                recommendation_model=config.recommendation_model,
                                                multilingual_model=config.multilingual_model)
                connection = ConnectionSettings(
                    config.config_file, on_saved=self.reconnect,
                    overridden_by="" if config.source in ("default", str(config.config_file))
                    else config.source)
                self._gateway = build_gateway(self._services, embedded=config.is_default_database,
                                              connection=connection)
            return self._gateway

    def reconnect(self) -> None:
        """Drop the services: the next call to `gateway()` builds them from the saved settings.

        Work still running on the old engine finishes on it; the shell shows only the newest
        attempt to connect."""
        with self._lock:
            old, self._services, self._gateway = self._services, None, None
        if old is not None:
            old.dispose()

    def dispose(self) -> None:
        with self._lock:
            if self._services is not None:
                self._services.dispose()


def main(argv: Sequence[str] | None = None, started: float | None = None) -> int:
    """Run the app; start-up numbers count from `started`, by default the process's start."""
    started = process_started() if started is None else started
    args = parse_args(argv)
    log_file = configure_logging(verbose=args.verbose)
    if args.self_test:
        from studentres_desktop.self_test import run_self_test

        return run_self_test(args.db)
    try:
        kiosk = load_kiosk_settings(args.kiosk, args.idle_timeout)
    except ValidationError as error:
        print(f"studentres-desktop: {error.field} {error.message}", file=sys.stderr)
        return 2
    _fall_back_to_offscreen_without_a_display()

    route_qt_messages_to_logging()
    app = QApplication(sys.argv[:1])
    app.setOrganizationName(ORGANIZATION)
    app.setApplicationName(APPLICATION)
    app.setApplicationDisplayName("StudentRes")
    app.setWindowIcon(app_icon())
    app.setStyleSheet(stylesheet())
    log.info("starting")

    backend = Backend(args.db, kiosk=kiosk.enabled, db_hosts=args.db_hosts)
    shell = Shell(backend.gateway, QSettings(), log_file=log_file,
                  kiosk_idle_timeout=kiosk.idle_timeout if kiosk.enabled else None)
    sys.excepthook = lambda kind, error, tb: shell.errors.present_unexpected(error)
    first_paint = FirstPaint(shell.window, started)
    shell.start()
    if args.exit_when_ready:
        shell.sig_ready.connect(
            lambda: first_paint.when_painted(lambda: _report_ready_and_quit(app, first_paint)))
        shell.sig_prepare_failed.connect(lambda message: _report_failure(app, message))
        QTimer.singleShot(60_000, lambda: app.exit(3))
    code = app.exec()
    shell.runner.wait_for_done(10_000)  # let a registration or a save finish
    backend.dispose()
    if shell.background.busy:
        # The recommendation model is still loading and a thread cannot be stopped mid-import;
        # everything worth keeping is written, so leave now instead of waiting for it.
        log.info("quitting while the recommendation model loads")
        logging.shutdown()
        os._exit(code)
    return code


class FirstPaint(QObject):
    """Notes when the window is first painted, for the start-up log line and benchmark."""

    def __init__(self, window: QObject, started: float) -> None:
        super().__init__(window)
        self.started = started
        self.painted_ms: float | None = None
        self._waiting: list[Callable[[], None]] = []
        window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if self.painted_ms is None and event.type() == QEvent.Type.Paint:
            self.painted_ms = (time.perf_counter() - self.started) * 1000
            log.info("login window painted %.0f ms after the process started", self.painted_ms)
            watched.removeEventFilter(self)
            for callback in self._waiting:
                QTimer.singleShot(0, callback)
        return False

    def when_painted(self, callback: Callable[[], None]) -> None:
        if self.painted_ms is None:
            self._waiting.append(callback)
        else:
            callback()


def _report_ready_and_quit(app: object, first_paint: FirstPaint) -> None:
    ready_ms = (time.perf_counter() - first_paint.started) * 1000
    print(f"window-shown-ms={first_paint.painted_ms:.0f} database-ready-ms={ready_ms:.0f}",
          flush=True)
    app.exit(0)  # type: ignore[attr-defined]  # exit, not quit: a kiosk window refuses to close


def _report_failure(app: object, message: str) -> None:
    print(f"studentres-desktop: {message}", file=sys.stderr, flush=True)
    app.exit(1)  # type: ignore[attr-defined]


def _fall_back_to_offscreen_without_a_display() -> None:
    """On a Linux machine with no display, run offscreen instead of aborting inside Qt."""
    if sys.platform.startswith("linux") and not os.environ.get("QT_QPA_PLATFORM") and not (
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    ):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
        print("studentres-desktop: no display found, so the window is drawn offscreen and "
              "nothing will appear. Run it in a desktop session to see it.", file=sys.stderr)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
