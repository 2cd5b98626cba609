"""The one place a row of `interest_resources` becomes a `Resource`.

A row the app wrote is one resource of its `kind`. A row written by plain SQL with only the
original columns is up to three items, one per non-empty `workshop`/`training`/`event` cell,
each tagged with the row's `interest_tag`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Row

from studentres_desktop.domain.models import Resource, ResourceKind


def tags_first(first: str | None, tags: Iterable[str]) -> tuple[str, ...]:
    """An item's interest tags, sorted, with the row's own `interest_tag` leading."""
    ordered = sorted(tags)
    if first in ordered:
        return (first, *(tag for tag in ordered if tag != first))
    return tuple(ordered)


def to_resource(row: Row[Any], kind: ResourceKind, tags: Iterable[str], *,
                row_id: int | None = None, title: str | None = None,
                legacy: bool = False) -> Resource:
    """A resource from a row holding `interest_resources`' columns (a query may rename the id
    and give a legacy cell as the title)."""
    return Resource(
        row_id=int(row.id if row_id is None else row_id),
        kind=kind,
        title=(row.title if title is None else title) or "",
        description=row.description or "",
        interest_tags=tuple(tags),
        starts_at=row.starts_at,
        ends_at=row.ends_at,
        location=row.location or "",
        url=row.url or "",
        capacity=row.capacity,
        legacy=legacy,
        version=int(row.version or 1),
    )


def app_resource(row: Row[Any], tags: Iterable[str]) -> Resource:
    """A row the app wrote, with the tags linked to it."""
    return to_resource(row, ResourceKind(row.kind), tags_first(row.interest_tag, tags))


def legacy_item(row: Row[Any], kind: ResourceKind) -> Resource | None:
    """The `kind` cell of an original-style row, or None when that cell is empty."""
    cell = row._mapping[kind.value]
    if cell is None or not str(cell).strip():
        return None
    tags = (row.interest_tag,) if row.interest_tag else ()
    return to_resource(row, kind, tags, title=cell, legacy=True)


def legacy_items(row: Row[Any]) -> list[Resource]:
    return [item for kind in ResourceKind if (item := legacy_item(row, kind)) is not None]
