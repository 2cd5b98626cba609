"""A node dies while students and advisors work: nothing reported done is lost, nothing is
stored twice, and the dead node comes back and catches up."""

from __future__ import annotations

import random

from studentres_desktop.domain.models import ResourceKind, Role
from tests.cluster.workload import KILLED_NODE_MARKS, Ledger, act, desk_token, stored
from tests.support.accounts import PASSWORD, create, draft

pytestmark = KILLED_NODE_MARKS

STUDENTS_PER_NODE = 4


def test_a_killed_node_and_a_stopped_node_lose_nothing(cluster, cluster_database,
                                                       cluster_services):
    node1, node2, node3 = cluster.nodes
    admin = cluster_services(node1)
    desk = desk_token(admin)
    events = create(admin, desk, *(draft(f"Talk {n}", days=n, capacity=100) for n in range(4)))
    workshops = create(admin, desk, *(draft(f"Workshop {n}", kind=ResourceKind.WORKSHOP, days=n)
                                      for n in range(12)))
    actions = [("save", w.key) for w in workshops] + [("rsvp", e.key) for e in events]
    people: list[tuple[object, str]] = []
    for node in cluster.nodes:
        for n in range(STUDENTS_PER_NODE):
            email = f"student{n}.node{node.number}@example.edu"
            admin.auth.register(f"Student {n}", email, PASSWORD)
            people.append((node, email))
        email = f"advisor.node{node.number}@example.edu"  # their own RSVPs are audited
        admin.auth.register("Advisor", email, PASSWORD)
        admin.auth.set_role(email, Role.ADVISOR)
        people.append((node, email))
    shuffle = random.Random(12)
    workstations = [(cluster_services(node), email, PASSWORD,
                     shuffle.sample(actions, len(actions))) for node, email in people]
    ledger = Ledger()
    total = len(people) * len(actions)

    def failures() -> None:
        ledger.wait_for(total // 4)
        node2.kill()
        ledger.wait_for(total // 2)
        node1.stop()

    act(workstations, ledger, failures)

    assert not node1.running() and not node2.running()
    held = stored(node3, cluster_database.name)
    assert len(held) == len(set(held)), "a save or RSVP is stored twice"
    missing = set(ledger.done) - set(held)
    assert not missing, f"reported done but not on the surviving node: {sorted(missing)[:5]}"
    attempted = {(email, action, key) for _, email in people for action, key in actions}
    assert set(held) <= attempted
    audit = node3.sql("SELECT advisor_email, resource_id, COUNT(*) FROM audit_log"
                      " WHERE action = 'rsvp.add' AND advisor_email LIKE 'advisor.%'"
                      " GROUP BY advisor_email, resource_id", database=cluster_database.name)
    assert all(count == "1" for _, _, count in audit), f"an RSVP audited twice: {audit}"
    audited = {(email, row_id) for email, row_id, _ in audit}
    assert {(email, key.split(":")[0]) for email, action, key in ledger.done
            if action == "rsvp" and email.startswith("advisor.")} <= audited
    assert ledger.failed == []


def test_a_killed_node_rejoins_by_ist_and_holds_the_same_data(cluster, cluster_database,
                                                               cluster_services):
    node1, node2, node3 = cluster.nodes
    admin = cluster_services(node1)
    create(admin, desk_token(admin), draft("Before the crash"))

    node2.kill()
    # Written while node 2 is down, on both survivors.
    for node in (node1, node3):
        services = cluster_services(node)
        token = services.auth.login("desk@example.edu", PASSWORD).token
        talks = create(services, token,
                       *(draft(f"Talk on node {node.number}, {n}", capacity=3) for n in range(5)))
        for n in range(4):
            email = f"s{n}.node{node.number}@example.edu"
            services.auth.register(f"S {n}", email, PASSWORD)
            student_token = services.auth.login(email, PASSWORD).token
            for talk in talks:
                services.plan.rsvp(student_token, talk.key)
                services.plan.save(student_token, talk.key)
    log_before = node2.error_log.read_text(errors="replace")

    node2.start()

    caught_up = node2.error_log.read_text(errors="replace")[len(log_before):]
    assert "IST received" in caught_up, "it did not catch up by IST"
    checksums = cluster.checksums(cluster_database.name)
    assert set(checksums) == {1, 2, 3}
    assert checksums[1] == checksums[2] == checksums[3]
    assert checksums[2]["rsvps"] and checksums[2]["rsvps"] != "0"
