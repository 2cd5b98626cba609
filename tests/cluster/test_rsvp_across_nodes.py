"""Thirty students on three nodes race for ten places while a node dies: exactly ten places are
taken, the waitlist has no gap and no duplicate, and every surviving node holds the same."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from studentres_desktop.domain.errors import DatabaseUnavailable, DomainError
from studentres_desktop.domain.models import RsvpState, RsvpStatus
from tests.cluster.workload import KILLED_NODE_MARKS, Ledger, desk_token
from tests.support.accounts import PASSWORD, create, draft

pytestmark = KILLED_NODE_MARKS

PLACES = 10
STUDENTS_PER_NODE = 10


def test_thirty_students_on_three_nodes_race_for_ten_places(cluster, cluster_database,
                                                            cluster_services):
    node1, node2, node3 = cluster.nodes
    admin = cluster_services(node1)
    desk = desk_token(admin)
    (talk,) = create(admin, desk, draft("Popular talk", capacity=PLACES))
    racers = []
    for node in cluster.nodes:
        for n in range(STUDENTS_PER_NODE):
            email = f"racer{n}.node{node.number}@example.edu"
            admin.auth.register(f"Racer {n}", email, PASSWORD)
            services = cluster_services(node)
            racers.append((email, services, services.auth.login(email, PASSWORD).token))
    barrier = threading.Barrier(len(racers) + 1)
    ledger = Ledger()
    told: dict[str, RsvpStatus] = {}
    banner: list[str] = []

    def race(email: str, services, token: str) -> None:  # type: ignore[no-untyped-def]
        barrier.wait(timeout=60)
        try:
            try:
                told[email] = services.plan.rsvp(token, talk.key)
            except DatabaseUnavailable as error:
                # Thirty writers of one row on three nodes may outlast the reruns of a write;
                # the person then sees the banner and presses Retry, which runs it once more.
                if not error.transient:
                    raise
                banner.append(email)
                told[email] = services.plan.rsvp(token, talk.key)
        except DomainError as error:
            ledger.record(email, "rsvp", talk.key, error)
        else:
            ledger.record(email, "rsvp", talk.key, None)

    with ThreadPoolExecutor(max_workers=len(racers)) as pool:
        futures = [pool.submit(race, *racer) for racer in racers]
        barrier.wait(timeout=60)
        ledger.wait_for(3)  # the race is on: node 2 dies in the middle of it
        node2.kill()
        for future in futures:
            future.result()

    assert ledger.failed == []
    assert len(banner) <= len(racers) // 5, f"{len(banner)} of {len(racers)} saw the banner"
    going = sorted(email for email, status in told.items() if status.state is RsvpState.GOING)
    waiting = sorted((status.position, email) for email, status in told.items()
                     if status.state is RsvpState.WAITLISTED)
    assert len(going) == PLACES
    assert [position for position, _ in waiting] == list(range(1, len(racers) - PLACES + 1))

    for node in (node1, node3):
        reader = cluster_services(node)
        attendance = reader.desk.attendees(reader.auth.login("desk@example.edu", PASSWORD).token,
                                           talk.key)
        assert sorted(a.email for a in attendance.going) == going, f"node{node.number}"
        assert [(a.position, a.email) for a in attendance.waitlisted] == waiting, \
            f"node{node.number}"
    checksums = cluster.checksums(cluster_database.name)
    assert set(checksums) == {1, 3}
    assert checksums[1]["rsvps"] == checksums[3]["rsvps"]
