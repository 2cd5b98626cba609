"""Twenty students, each on their own connection, race for five places (MariaDB and SQLite).

The point is the MariaDB run: every RSVP locks the resource's row (SELECT … FOR UPDATE), so
exactly five get places and the waitlist is 1..15 with no gap or duplicate; cancellations then
promote the first of the waitlist in order. On SQLite the same holds through BEGIN IMMEDIATE.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from studentres_desktop.domain.models import RsvpState, RsvpStatus
from studentres_desktop.persistence.engine import DatabaseSettings, create_database_engine
from studentres_desktop.persistence.uow import UnitOfWork
from studentres_desktop.services.plan import PlanService
from tests.support.accounts import advisor, create, draft, student

RACERS = 20
PLACES = 5
T = TypeVar("T")


def race(database_url, services, clock, tokens, action: Callable[[PlanService, str], T]
         ) -> list[T]:
    """Run `action` for every token at once, each on a thread with its own engine."""
    barrier = threading.Barrier(len(tokens))
    engines = [create_database_engine(DatabaseSettings(database_url)) for _ in tokens]

    def run(n: int) -> T:
        engine = engines[n]
        plan = PlanService(lambda: UnitOfWork(engine), services.auth, clock)
        with engine.connect():  # connect before the start, so the race is the RSVP alone
            pass
        barrier.wait(timeout=30)
        return action(plan, tokens[n])

    try:
        with ThreadPoolExecutor(max_workers=len(tokens)) as pool:
            return list(pool.map(run, range(len(tokens))))
    finally:
        for engine in engines:
            engine.dispose()


def test_twenty_racing_for_five_places(database_url, services, clock):
    desk = advisor(services)
    (talk,) = create(services, desk, draft("Popular talk", capacity=PLACES))
    tokens = [student(services, f"racer{n}@example.edu", f"Racer {n}", interests=())
              for n in range(RACERS)]

    results: list[RsvpStatus] = race(database_url, services, clock, tokens,
                                     lambda plan, token: plan.rsvp(token, talk.key))

    going = [n for n, r in enumerate(results) if r.state is RsvpState.GOING]
    waiting = sorted((r.position, n) for n, r in enumerate(results)
                     if r.state is RsvpState.WAITLISTED)
    assert len(going) == PLACES
    assert [position for position, _ in waiting] == list(range(1, RACERS - PLACES + 1))
    attendance = services.desk.attendees(desk, talk.key)
    assert len(attendance.going) == PLACES
    assert [a.position for a in attendance.waitlisted] == list(range(1, RACERS - PLACES + 1))
    # The order each racer was told is the order the organiser sees.
    emails = [f"racer{n}@example.edu" for _, n in waiting]
    assert [a.email for a in attendance.waitlisted] == emails

    # Two of those going cancel at once: the first two of the waitlist take their places.
    leavers = [tokens[n] for n in going[:2]]
    race(database_url, services, clock, leavers,
         lambda plan, token: plan.cancel_rsvp(token, talk.key))
    after = services.desk.attendees(desk, talk.key)
    assert {a.email for a in after.going} == (
        {f"racer{n}@example.edu" for n in going[2:]} | set(emails[:2]))
    assert [a.email for a in after.waitlisted] == emails[2:]
    assert [a.position for a in after.waitlisted] == list(range(1, RACERS - PLACES - 1))

    # Then one at a time: each cancellation promotes the next in order.
    for expected in emails[2:5]:
        leaving = next(t for t in tokens
                       if services.plan.status(t, talk.key).state is RsvpState.GOING)
        services.plan.cancel_rsvp(leaving, talk.key)
        promoted = tokens[int(expected.removeprefix("racer").split("@")[0])]
        assert services.plan.status(promoted, talk.key).state is RsvpState.GOING
    final = services.desk.attendees(desk, talk.key)
    assert len(final.going) == PLACES
    assert [a.email for a in final.waitlisted] == emails[5:]
    assert [a.position for a in final.waitlisted] == list(range(1, len(emails) - 4))
