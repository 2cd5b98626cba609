"""A node cut off from the cluster (gmcast.isolate) still takes logins and pings, but the app
never uses it: workstations that list it first work on the others, old pooled connections too."""

from __future__ import annotations

import pytest

from studentres_desktop.domain.models import ResourceKind
from tests.cluster.workload import desk_token, stored
from tests.support.accounts import PASSWORD, create, draft

pytestmark = pytest.mark.cluster


def app_connections(node, database: str) -> int:  # type: ignore[no-untyped-def]
    rows = node.sql("SELECT COUNT(*) FROM information_schema.PROCESSLIST"
                    f" WHERE USER = 'srcluster' AND DB = '{database}'")
    return int(rows[0][0])


def test_an_isolated_node_is_never_used(cluster, cluster_database, cluster_services):
    node1, node2, node3 = cluster.nodes
    admin = cluster_services(node2)
    desk = desk_token(admin)
    talk, workshop = create(admin, desk, draft("Talk", capacity=5),
                            draft("Workshop", kind=ResourceKind.WORKSHOP))
    admin.auth.register("Early", "early@example.edu", PASSWORD)
    admin.auth.register("Late", "late@example.edu", PASSWORD)
    # A workstation that has been working on node 1, its pool holding a connection there.
    early = cluster_services(node1)
    early_token = early.auth.login("early@example.edu", PASSWORD).token
    early.plan.saved(early_token)
    assert app_connections(node1, cluster_database.name) >= 1

    node1.isolate()

    # One that starts now, listing node 1 first.
    late = cluster_services(node1)
    late_token = late.auth.login("late@example.edu", PASSWORD).token
    for services, token in ((early, early_token), (late, late_token)):
        services.plan.save(token, workshop.key)
        services.plan.rsvp(token, talk.key)
        assert [e.title for e in services.plan.saved(token)] == ["Workshop"]
        assert services.resources.for_student(token).items is not None
    assert app_connections(node1, cluster_database.name) == 0
    assert node1.status()["wsrep_ready"] == "OFF"
    expected = {(email, action, key) for email in ("early@example.edu", "late@example.edu")
                for action, key in (("save", workshop.key), ("rsvp", talk.key))}
    for node in (node2, node3):
        assert set(stored(node, cluster_database.name)) == expected, f"node{node.number}"
