"""When a node is SIGKILLed the others stall for about evs.suspect_timeout (5 s) before they leave
it out. Writes wait that long; reads must not: a workstation's read on a survivor answers at once,
and still sees that workstation's own last write, also after moving off the dead node (one GTID
wait, persistence/gtids.py)."""

from __future__ import annotations

import time
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import pytest

from studentres_desktop.domain.models import ResourceKind
from studentres_desktop.persistence import gtids
from tests.cluster.workload import KILLED_NODE_MARKS, desk_token
from tests.support.accounts import PASSWORD, create, draft
from tests.support.galera import GaleraNode

pytestmark = KILLED_NODE_MARKS

# A read during the stall: well under the stall (5 s of evs.suspect_timeout), which a read with
# wsrep_sync_wait = 1 waits out in full.
READ_SECONDS = 1.0
# The write held up during the reads takes at least this long: the cluster stalled meanwhile.
STALLED_SECONDS = 3.0


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, tuple[Any, ...]]]:
    """Every statement of the GTID bookkeeping, with its answer."""
    statements: list[tuple[str, tuple[Any, ...]]] = []
    first_row = gtids._first_row

    def recorded(dbapi_connection: Any, statement: str) -> tuple[Any, ...]:
        row = first_row(dbapi_connection, statement)
        statements.append((statement, row))
        return row

    monkeypatch.setattr(gtids, "_first_row", recorded)
    return statements


def titles(services, token: str) -> list[str]:  # type: ignore[no-untyped-def]
    return [entry.title for entry in services.plan.saved(token)]


def wait_until_held_at_certification(node: GaleraNode, database: str, write: Future[Any]) -> None:
    """Until a commit in `database` waits for the group: from then on a read that waits for the
    cluster (wsrep_sync_wait) is ordered behind it and stalls as long."""
    deadline = time.monotonic() + 30
    while not write.done() and time.monotonic() < deadline:
        rows = node.sql("SELECT COUNT(*) FROM information_schema.PROCESSLIST"
                        f" WHERE DB = '{database}' AND STATE = 'Waiting for certification'")
        if rows[0][0] != "0":
            return
    raise AssertionError("the write was not held at certification")


def test_a_read_on_a_survivor_does_not_wait_for_the_stall(cluster, cluster_database,
                                                          cluster_services):
    _, node2, node3 = cluster.nodes
    admin = cluster_services(node2)
    talk, workshop = create(admin, desk_token(admin), draft("Talk", capacity=5),
                            draft("Workshop", kind=ResourceKind.WORKSHOP))
    admin.auth.register("Ada", "ada@example.edu", PASSWORD)
    workstation = cluster_services(node2)
    token = workstation.auth.login("ada@example.edu", PASSWORD).token
    workstation.plan.save(token, workshop.key)
    assert titles(workstation, token) == ["Workshop"]

    node3.kill()
    with ThreadPoolExecutor(max_workers=1) as pool:
        started = time.monotonic()
        write = pool.submit(workstation.plan.rsvp, token, talk.key)
        wait_until_held_at_certification(node2, cluster_database.name, write)
        reads, slowest = 0, 0.0
        while not write.done():  # read again and again while the write is held up
            read_started = time.monotonic()
            assert titles(workstation, token) == ["Workshop"]
            slowest = max(slowest, time.monotonic() - read_started)
            reads += 1
        write.result()
        write_seconds = time.monotonic() - started

    print(f"{reads} reads during the stall, the slowest {slowest * 1000:.0f} ms;"
          f" the write held up: {write_seconds:.2f} s")
    assert write_seconds >= STALLED_SECONDS, "the cluster did not stall"
    assert reads >= 1 and slowest < READ_SECONDS, f"a read waited {slowest:.2f} s"


def test_after_a_failover_a_read_sees_the_write_made_on_the_dead_node(cluster, cluster_database,
                                                                      cluster_services, sent):
    node1 = cluster.nodes[0]
    admin = cluster_services(node1)
    (workshop,) = create(admin, desk_token(admin), draft("Workshop", kind=ResourceKind.WORKSHOP))
    admin.auth.register("Ada", "ada@example.edu", PASSWORD)
    workstation = cluster_services(node1)  # node 1, then 2, then 3
    token = workstation.auth.login("ada@example.edu", PASSWORD).token
    assert titles(workstation, token) == []
    sent.clear()

    workstation.plan.save(token, workshop.key)  # on node 1
    assert [statement for statement, _ in sent] == ["SELECT WSREP_LAST_WRITTEN_GTID()"]
    written = gtids.Gtid.parse(sent[0][1][0])
    assert written is not None
    sent.clear()

    node1.kill()
    started = time.monotonic()
    seen = titles(workstation, token)  # on node 2, during the stall
    read_seconds = time.monotonic() - started

    print(f"read after the failover, during the stall: {read_seconds * 1000:.0f} ms")
    assert seen == ["Workshop"]
    assert [statement for statement, _ in sent] == [
        f"SELECT WSREP_SYNC_WAIT_UPTO_GTID('{written}', {gtids.GTID_WAIT_SECONDS}),"
        " WSREP_LAST_SEEN_GTID()"]
    applied = gtids.Gtid.parse(sent[0][1][1])
    assert applied is not None and applied.covers(written)  # the same GTIDs on node 2
    assert read_seconds < READ_SECONDS, f"the read waited {read_seconds:.2f} s"
    sent.clear()
    assert titles(workstation, token) == ["Workshop"]
    assert sent == []  # node 2 is known to have the write: no more waits
