"""Accounts and resources for the plan and desk tests."""

from __future__ import annotations

from datetime import datetime, timedelta

from studentres_desktop.bootstrap import Services
from studentres_desktop.domain.models import Resource, ResourceDraft, ResourceKind, Role

PASSWORD = "correct horse battery"
# The tests' clock (tests/conftest.py FakeClock) starts on 2026-11-27 09:00 UTC.
SOON = datetime(2027, 1, 10, 10, 0)


def student(services: Services, email: str = "ada@example.edu", name: str = "Ada",
            interests: tuple[str, ...] = ("AI",)) -> str:
    """Register and log in a student; returns the token."""
    services.auth.register(name, email, PASSWORD)
    token = services.auth.login(email, PASSWORD).token
    if interests:
        services.interests.set_for_student(token, list(interests))
    return token


def advisor(services: Services, email: str = "desk@example.edu", name: str = "Desk") -> str:
    services.auth.register(name, email, PASSWORD)
    services.auth.set_role(email, Role.ADVISOR)
    return services.auth.login(email, PASSWORD).token


def draft(title: str, *, kind: ResourceKind = ResourceKind.EVENT, days: float | None = 0,
          hours: float = 2, capacity: int | None = None, tags: tuple[str, ...] = ("AI",),
          **extra: object) -> ResourceDraft:
    starts = SOON + timedelta(days=days) if days is not None else None
    return ResourceDraft(
        kind=kind, title=title, interest_tags=tags, starts_at=starts,
        ends_at=starts + timedelta(hours=hours) if starts else None, capacity=capacity,
        **extra,  # type: ignore[arg-type]
    )


def create(services: Services, token: str, *drafts: ResourceDraft) -> list[Resource]:
    return [services.resources.create(token, d) for d in drafts]
