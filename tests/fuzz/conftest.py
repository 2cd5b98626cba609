"""One database per test function, emptied between Hypothesis examples."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from sqlalchemy import delete, select

from studentres_desktop.bootstrap import Services
from studentres_desktop.domain.models import Role
from studentres_desktop.persistence import tables as t
from studentres_desktop.services.auth import ThrottlePolicy
from studentres_desktop.services.demo_catalogue import DEFAULT_INTERESTS

PASSWORD = "correct horse battery"
VOCABULARY = tuple(interest.tag for interest in DEFAULT_INTERESTS)
# Failed logins are part of what a refusal may change (the throttle, and the id of the write
# that recorded the attempt); everything else must stay as it was.
CHANGES_ON_REFUSAL = {"login_throttle", "applied_operations"}

# The database fixture lives for the whole test function on purpose: each example empties it.
database_settings = settings(
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                           HealthCheck.data_too_large],
)


@dataclass
class FuzzDatabase:
    services: Services
    url: str

    @property
    def is_mysql(self) -> bool:
        return self.url.startswith("mysql")

    def reset(self) -> None:
        """Every table empty again but for the starting interest vocabulary."""
        with self.services.engine.begin() as conn:
            for table in reversed(t.metadata.sorted_tables):
                if table is t.interests:
                    conn.execute(delete(table).where(table.c.tag.not_in(VOCABULARY)))
                elif table is not t.schema_meta:
                    conn.execute(delete(table))

    def snapshot(self) -> dict[str, list[tuple[Any, ...]]]:
        """Every row of every table a refusal must leave alone, in a stable order."""
        with self.services.engine.connect() as conn:
            return {
                table.name: sorted((tuple(row) for row in conn.execute(select(table))), key=repr)
                for table in t.metadata.sorted_tables
                if table.name not in CHANGES_ON_REFUSAL
            }

    def student_token(self, email: str = "ada@example.edu") -> str:
        self.services.auth.register("Ada", email, PASSWORD)
        return self.services.auth.login(email, PASSWORD).token

    def advisor_token(self, email: str = "grace@example.edu") -> str:
        self.services.auth.register("Grace", email, PASSWORD)
        self.services.auth.set_role(email, Role.ADVISOR)
        return self.services.auth.login(email, PASSWORD).token


@pytest.fixture
def fuzz_db(make_services: Callable[..., Services], database_url: str) -> FuzzDatabase:
    services = make_services(throttle=ThrottlePolicy(free_failures=10**9))
    return FuzzDatabase(services, database_url)
