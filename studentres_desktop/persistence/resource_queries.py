"""The browse query: app-written rows and original-style rows read as one list of resources.

A row the app writes has `kind` set and holds one resource. A row written by plain SQL has
`kind IS NULL` and holds up to three: one for each non-empty workshop, training and event cell.
The query is a UNION ALL of one branch per shape. Each branch is ordered and limited on its own,
so the database can walk an index and stop early instead of sorting every match.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    ColumnElement,
    DateTime,
    Integer,
    Select,
    String,
    case,
    cast,
    exists,
    false,
    func,
    literal,
    null,
    or_,
    select,
    true,
    union_all,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from studentres_desktop.domain.models import ResourceFilter, ResourceKind, SortOrder
from studentres_desktop.persistence.tables import interest_resources as r
from studentres_desktop.persistence.tables import resource_interests as ri


class text_sort_key(FunctionElement[str]):
    """Case-insensitive ordering: MySQL's unicode_ci collation already is; SQLite needs NOCASE."""

    name = "text_sort_key"
    inherit_cache = True


@compiles(text_sort_key)
def _text_sort_key_default(element: text_sort_key, compiler: SQLCompiler, **kw: Any) -> str:
    return str(compiler.process(element.clauses, **kw))


@compiles(text_sort_key, "sqlite")
def _text_sort_key_sqlite(element: text_sort_key, compiler: SQLCompiler, **kw: Any) -> str:
    return f"{compiler.process(element.clauses, **kw)} COLLATE NOCASE"


RESULT_COLUMNS = (
    "row_id",
    "kind",
    "title",
    "description",
    "starts_at",
    "ends_at",
    "location",
    "url",
    "capacity",
    "interest_tag",
    "legacy",
)


def _app_columns() -> list[ColumnElement[Any]]:
    return [
        r.c.id.label("row_id"),
        r.c.kind.label("kind"),
        r.c.title.label("title"),
        r.c.description.label("description"),
        r.c.starts_at.label("starts_at"),
        r.c.ends_at.label("ends_at"),
        r.c.location.label("location"),
        r.c.url.label("url"),
        r.c.capacity.label("capacity"),
        r.c.interest_tag.label("interest_tag"),
        false().label("legacy"),
    ]


def _legacy_columns(kind: ResourceKind) -> list[ColumnElement[Any]]:
    cell = r.c[kind.value]
    return [
        r.c.id.label("row_id"),
        cast(literal(kind.value), String(16)).label("kind"),
        cell.label("title"),
        cast(null(), String).label("description"),
        cast(null(), DateTime).label("starts_at"),
        cast(null(), DateTime).label("ends_at"),
        cast(null(), String).label("location"),
        cast(null(), String).label("url"),
        cast(null(), Integer).label("capacity"),
        r.c.interest_tag.label("interest_tag"),
        true().label("legacy"),
    ]


def _app_conditions(flt: ResourceFilter) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [r.c.kind.is_not(None)]
    if flt.kinds:
        conditions.append(r.c.kind.in_(sorted(k.value for k in flt.kinds)))
    if flt.interests is not None:
        conditions.append(
            exists().where(ri.c.resource_id == r.c.id, ri.c.interest_tag.in_(flt.interests))
        )
    if flt.text:
        conditions.append(
            or_(
                r.c.title.contains(flt.text, autoescape=True),
                r.c.description.contains(flt.text, autoescape=True),
            )
        )
    return conditions


def _legacy_conditions(flt: ResourceFilter, kind: ResourceKind) -> list[ColumnElement[bool]]:
    cell = r.c[kind.value]
    conditions: list[ColumnElement[bool]] = [
        r.c.kind.is_(None),
        cell.is_not(None),
        func.trim(cell) != "",
    ]
    if flt.interests is not None:
        conditions.append(r.c.interest_tag.in_(flt.interests))
    if flt.text:
        conditions.append(cell.contains(flt.text, autoescape=True))
    return conditions


def _branches(flt: ResourceFilter) -> list[tuple[Select[tuple[object, ...]], str]]:
    """Each branch with how to order it: 'dated', 'undated', 'any', or a legacy cell's name."""
    if flt.interests is not None and not flt.interests:
        return []
    branches: list[tuple[Select[tuple[object, ...]], str]] = []
    app = _app_conditions(flt)
    if flt.sort is SortOrder.DATE:
        branches.append(
            (select(*_app_columns()).where(*app, r.c.starts_at.is_not(None)), "dated")
        )
        branches.append((select(*_app_columns()).where(*app, r.c.starts_at.is_(None)), "undated"))
    else:
        branches.append((select(*_app_columns()).where(*app), "any"))
    for kind in ResourceKind:
        if flt.kinds and kind not in flt.kinds:
            continue
        shape = kind.value if flt.sort is SortOrder.TITLE else "undated"
        branches.append((select(*_legacy_columns(kind)).where(*_legacy_conditions(flt, kind)),
                         shape))
    return branches


def _branch_order(sort: SortOrder, shape: str) -> list[ColumnElement[Any]]:
    if sort is SortOrder.TITLE:
        title = r.c.title if shape == "any" else r.c[shape]
        return [text_sort_key(title), r.c.id]
    if shape == "dated":
        return [r.c.starts_at, r.c.id]
    return [r.c.id]


def page_query(flt: ResourceFilter) -> Select[tuple[object, ...]] | None:
    """One page plus one extra row (to tell whether more follow); None when nothing can match."""
    branches = _branches(flt)
    if not branches:
        return None
    depth = flt.offset + flt.limit + 1
    parts = []
    for branch, shape in branches:
        ordered = branch.order_by(*_branch_order(flt.sort, shape)).limit(depth).subquery()
        parts.append(select(*ordered.c))
    merged = union_all(*parts).subquery("resources")
    c = merged.c
    # Items of one original-style row keep the column order: workshop, training, event.
    kind_order = case({kind.value: n for n, kind in enumerate(ResourceKind)}, value=c.kind)
    if flt.sort is SortOrder.TITLE:
        order: list[ColumnElement[Any]] = [text_sort_key(c.title), c.row_id, kind_order]
    else:
        order = [c.starts_at.is_(None), c.starts_at, c.row_id, kind_order]
    return select(*c).order_by(*order).offset(flt.offset).limit(flt.limit + 1)


def count_query(flt: ResourceFilter) -> Select[tuple[int]] | None:
    branches = _branches(flt)
    if not branches:
        return None
    merged = union_all(*(select(literal(1).label("one")).select_from(b.subquery())
                         for b, _shape in branches)).subquery()
    return select(func.count()).select_from(merged)
