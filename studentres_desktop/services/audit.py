"""Recording what advisors change, in the transaction that changes it."""

from __future__ import annotations

import getpass
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from studentres_desktop.domain.errors import NotFound
from studentres_desktop.domain.models import EDITABLE_FIELDS, AuditAction, Principal, Resource
from studentres_desktop.persistence.plan import ItemKey
from studentres_desktop.persistence.uow import UnitOfWork


@dataclass(frozen=True)
class Actor:
    """Who the audit log names: an advisor's account, or studentres-admin (no account)."""

    student_id: int | None
    email: str


def admin_actor() -> Actor:
    """studentres-admin, run by IT with direct database access, named with the OS user."""
    try:
        user = getpass.getuser()
    except (OSError, KeyError):  # no user name in the environment or the password database
        user = "unknown user"
    return Actor(None, f"studentres-admin ({user})")


def actor_of(uow: UnitOfWork, principal: Principal) -> Actor:
    student = uow.students.get(principal.student_id)
    if student is None:
        raise NotFound("This account no longer exists.")
    return Actor(student.id, student.email)


def resource_values(resource: Resource) -> dict[str, Any]:
    """The fields an advisor edits, as JSON-ready values."""
    values: dict[str, Any] = {}
    for name in EDITABLE_FIELDS:
        value = getattr(resource, name)
        if isinstance(value, datetime):
            value = value.isoformat()
        elif isinstance(value, tuple):
            value = list(value)
        elif name == "kind":
            value = resource.kind.value
        values[name] = value
    values["version"] = resource.version
    return values


def record(
    uow: UnitOfWork,
    actor: Actor,
    action: AuditAction,
    now: datetime,
    *,
    resource: Resource | None = None,
    item: ItemKey | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    detail: str = "",
) -> None:
    if resource is not None and item is None:
        item = (resource.row_id, resource.kind)
    uow.audit.add(
        occurred_at=now,
        advisor_id=actor.student_id,
        advisor_email=actor.email,
        action=action,
        item=item,
        title=resource.title if resource is not None else "",
        before=before,
        after=after,
        detail=detail,
    )
