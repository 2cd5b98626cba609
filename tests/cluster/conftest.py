"""The cluster tests' fixtures: one three-node Galera cluster for all of them, healed (every
node up and Synced) before each test, and a fresh database on it per test.

Without mariadbd, galera-4 or rsync the tests are skipped; under CI=true they fail.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy.engine import make_url

from studentres_desktop.bootstrap import Services, build_services
from studentres_desktop.persistence.engine import DatabaseSettings
from studentres_desktop.services.auth import ThrottlePolicy
from tests.conftest import IN_CI, FakeClock, apply_schema_sql
from tests.support.galera import GaleraCluster, GaleraNode, galera_cluster, missing_requirements


# Package scope: started for the first cluster test, stopped after the last one, so the three
# nodes do not stay up while the rest of the suite runs.
@pytest.fixture(scope="package")
def galera() -> Iterator[GaleraCluster]:
    missing = missing_requirements()
    if missing:
        message = (f"a Galera cluster needs {', '.join(missing)}"
                   f" (apt-get install {' '.join(missing)})")
        if IN_CI:
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    with galera_cluster() as cluster:
        yield cluster


@pytest.fixture
def cluster(galera: GaleraCluster) -> GaleraCluster:
    """The cluster with all three nodes up and Synced, whatever the previous test left."""
    galera.heal()
    return galera


@dataclass(frozen=True)
class ClusterDatabase:
    cluster: GaleraCluster
    name: str

    def url(self, node: GaleraNode) -> str:
        return node.url(self.name)

    def settings(self, first: GaleraNode) -> DatabaseSettings:
        """How a workstation reaches the database: all three nodes, `first` first."""
        nodes = self.cluster.nodes
        start = nodes.index(first)
        hosts = tuple(("127.0.0.1", node.ports.sql) for node in nodes[start:] + nodes[:start])
        return DatabaseSettings(self.url(first), hosts=hosts, connect_timeout=5,
                                read_timeout=15)


@pytest.fixture
def cluster_database(cluster: GaleraCluster) -> Iterator[ClusterDatabase]:
    """A new database with the schema from db/schema.sql, on every node."""
    name = f"srtest_{uuid.uuid4().hex[:12]}"
    first = cluster.nodes[0]
    first.sql(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
    apply_schema_sql(make_url(first.url(name)).render_as_string(hide_password=False))
    yield ClusterDatabase(cluster, name)
    ready = [node for node in cluster.running_nodes() if node.status().get("wsrep_ready") == "ON"]
    if ready:  # else it goes with the cluster's folder at the end of the run
        ready[0].sql(f"DROP DATABASE IF EXISTS `{name}`")


@pytest.fixture
def cluster_services(cluster_database: ClusterDatabase,
                     clock: FakeClock) -> Iterator[Callable[..., Services]]:
    """Services as a workstation builds them, preferring the given node; all disposed after."""
    built: list[Services] = []

    def make(first: GaleraNode, **overrides: object) -> Services:
        options: dict[str, object] = {"bcrypt_cost": 4, "clock": clock,
                                      "throttle": ThrottlePolicy(), "multilingual_model": None}
        options.update(overrides)
        services = build_services(cluster_database.settings(first),
                                  **options)  # type: ignore[arg-type]
        if not built:
            services.catalogue.seed_interests()
        built.append(services)
        return services

    yield make
    for services in built:
        services.dispose()
