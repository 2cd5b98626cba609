"""Many workstations logging in at once do not deadlock on the login throttle (MariaDB).

A failed login for an email without a throttle row used to read that missing row FOR UPDATE
(a gap lock) and then insert it; two such logins in the same gap deadlocked (1213), and under
load the reruns ran out. Now only an existing row is locked.
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from studentres_desktop.domain.errors import InvalidCredentials
from studentres_desktop.persistence.engine import DatabaseSettings, create_database_engine
from studentres_desktop.persistence.uow import UnitOfWork
from studentres_desktop.services.auth import AuthService
from tests.support.accounts import PASSWORD

WORKSTATIONS = 12


@pytest.mark.mysql
def test_simultaneous_logins_neither_deadlock_nor_need_reruns(make_services, clock, caplog):
    services = make_services()
    if services.engine.dialect.name == "sqlite":
        pytest.skip("SQLite takes one writer at a time: there are no row locks to deadlock on")
    for n in range(WORKSTATIONS // 2):
        services.auth.register(f"User {n}", f"user{n}@example.edu", PASSWORD)
    barrier = threading.Barrier(WORKSTATIONS)
    engines = [create_database_engine(DatabaseSettings(services.engine.url.render_as_string(
        hide_password=False))) for _ in range(WORKSTATIONS)]

    def log_in(n: int) -> str:
        engine = engines[n]
        auth = AuthService(lambda: UnitOfWork(engine), services.auth._hasher,
                           services.auth._tokens, clock=clock)
        with engine.connect():
            pass
        barrier.wait(timeout=30)
        # Half log in right, half try emails nobody registered (each then gets a throttle row).
        email = f"user{n // 2}@example.edu" if n % 2 == 0 else f"nobody{n}@example.edu"
        password = PASSWORD if n % 2 == 0 else "not the password 42"
        try:
            auth.login(email, password)
        except InvalidCredentials:
            return "refused"
        return "in"

    caplog.set_level(logging.INFO, logger="studentres_desktop.persistence.uow")
    try:
        with ThreadPoolExecutor(max_workers=WORKSTATIONS) as pool:
            results = list(pool.map(log_in, range(WORKSTATIONS)))
    finally:
        for engine in engines:
            engine.dispose()
    assert results.count("in") == WORKSTATIONS // 2
    assert results.count("refused") == WORKSTATIONS // 2
    reruns = [r.getMessage() for r in caplog.records if "interrupted" in r.getMessage()]
    assert reruns == []
