"""The browse query: app-written rows and original-style rows read as one list of resources.

A row the app writes has `kind` set and holds one resource. A row written by plain SQL has
`kind IS NULL` and holds up to three: one for each non-empty workshop, training and event cell.
The query is a UNION ALL of one branch per shape. Each branch is ordered and limited on its own,
so the database can walk an index and stop early instead of sorting every match.

The branches carry only what ordering needs (row id, kind, one sort key). The page is cut from
their merge first, and only its rows are joined back for the other columns: on MariaDB a union
that carries the TEXT columns is materialised in on-disk temporary tables.

A search text is answered by the full-text index (`search_index.py`): on SQLite each branch
joins the FTS5 table, on MariaDB/MySQL it adds a MATCH … AGAINST condition. With a search text
the default order is by relevance (the index's score), then as by date. Ranking needs a score for
every match, so a search that matches many items can be shown newest first instead (`newest`):
on SQLite the index hands its matches over in row order, and the page stops after its last row.
InnoDB's FULLTEXT search gathers every match before the first row in any order (0.2 s for
'learning' at 100,000 resources), so on MariaDB/MySQL the newest-first page walks the primary
key backwards and tests app rows with LIKE (`si.mysql_like`), a superset the repository checks
row by row with `domain.search.holds`; original-style cells, a few per cent of the rows, keep
MATCH on their own marks, whose lists are short. A common word is found in the newest rows at
once, but two common words rarely together ('machine learning') made that walk test thousands of
rows: with two words or more the app rows come instead from the word table
(`si.WORDS_TABLE`), walking the entries of the whole word in the fewest rows backwards and
probing the others by row id. Whether a search is broad, and counts with a search text, are read
from the word table too: MATCH would gather every match.

Statements are built once per shape of filter (backend, sort, kinds, whether it has interests
and text) and reused with new bound values: building one costs more than the database takes to
run it. The values travel beside the statement (`BoundQuery`), not in a copy of it: SQLAlchemy
finds a statement's compiled form by a key it computes once per statement object, and walking a
page statement's copy for that key took 0.16 ms, more than SQLite takes to run it.
"""

from __future__ import annotations

import dataclasses
import enum
import functools
import operator
from collections.abc import Mapping
from typing import Any

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    DateTime,
    Float,
    FromClause,
    Integer,
    ScalarSelect,
    Select,
    String,
    Subquery,
    and_,
    bindparam,
    case,
    cast,
    false,
    func,
    literal,
    literal_column,
    null,
    or_,
    select,
    true,
    union_all,
)
from sqlalchemy.engine import Connection, CursorResult
from sqlalchemy.sql.selectable import NamedFromClause

from studentres_desktop.domain.models import ResourceFilter, ResourceKind, SortOrder
from studentres_desktop.domain.search import SearchTerms, search_terms
from studentres_desktop.persistence import search_index as si
from studentres_desktop.persistence.tables import TextSortKey
from studentres_desktop.persistence.tables import interest_resources as r
from studentres_desktop.persistence.tables import resource_interests as ri

# Columns only app-written rows have; an original-style item reads them as NULL.
APP_ONLY_COLUMNS = ("description", "starts_at", "ends_at", "location", "url", "capacity",
                    "version")


class Items(enum.Enum):
    """Which items a page statement reads: every shape, or only app rows or original-style cells
    (a newest-first page from the word table reads them apart, see `page_query`)."""

    ALL = "all"
    APP_ROWS = "app rows"
    CELLS = "cells"


@dataclasses.dataclass(frozen=True)
class BoundQuery:
    """A statement built once per shape, and the values of its parameters for one filter."""

    statement: Select[Any]
    values: Mapping[str, Any]

    def run(self, conn: Connection) -> CursorResult[Any]:
        return conn.execute(self.statement, dict(self.values))


def _bound(statement: Select[Any], values: Mapping[str, Any], **more: Any) -> BoundQuery:
    return BoundQuery(statement, {**values, **more})


@dataclasses.dataclass(frozen=True)
class _Shape:
    """What decides a statement's structure; the filter's values go in as bound parameters."""

    dialect: str
    sort: SortOrder
    kinds: frozenset[ResourceKind]
    tagged: bool
    searching: bool
    undated_only: bool = False  # by date, after every dated item (see repositories.page)
    newest: bool = False  # newest first (highest row id) instead of the sort
    # MariaDB/MySQL, newest first: the number of words tested by LIKE (`si.mysql_like`) instead
    # of MATCH, so the primary key is walked backwards and the walk stops after the page.
    superset_words: int = 0
    # With superset_words: the app rows are the ids `newest_app_query` found (`app_ids`), and
    # with legacy_floor original-style cells only from row id `floor` up, tested by LIKE on the
    # cell, instead of MATCH over every cell.
    given_ids: bool = False
    legacy_floor: bool = False
    # With superset_words, every item found from the word table instead (`si.WORDS_TABLE`): one
    # word's entries in the item's slot walked backwards, each other word probed by row id, in
    # the statement of the page itself; -1 when not. The
    # number of probed words, and whether the last of them is a prefix.
    walk_probes: int = -1
    walk_prefix: bool = False
    # Counting with a search text on MariaDB/MySQL: every shape's matches read from the word
    # table (the driving word's entries, the others probed, as in the walk), instead of MATCH,
    # which gathers every match of each word first. Whether the driving word is being typed.
    counted_words: bool = False
    driver_prefix: bool = False
    items: Items = Items.ALL

    @classmethod
    def of(cls, flt: ResourceFilter, dialect: str, *, undated_only: bool = False,
           newest: bool = False, superset: bool = False, given_ids: bool = False,
           legacy_floor: bool = False, walk: bool = False, completed: bool = False) -> _Shape:
        sort = effective_sort(flt)
        terms = search_terms(flt.text)
        words = len(terms.words) if superset and newest and flt.text else 0
        words = words if dialect != "sqlite" else 0
        walked = walk and bool(words)
        return cls(dialect, sort, frozenset(flt.kinds), flt.interests is not None,
                   bool(flt.text), undated_only and sort is SortOrder.DATE and not newest,
                   newest, words, given_ids and bool(words), legacy_floor and bool(words),
                   words - 1 if walked else -1, walked and terms.last_is_prefix and not completed)

    @classmethod
    def counting(cls, flt: ResourceFilter, dialect: str, driver: int | None) -> _Shape:
        """For counting; with `driver` (MariaDB/MySQL, a search text), through the word table."""
        shape = cls.of(flt, dialect)
        if driver is None or dialect == "sqlite" or not flt.text:
            return shape
        terms = search_terms(flt.text)
        last = len(terms.words) - 1
        return dataclasses.replace(
            shape, walk_probes=last, counted_words=True,
            walk_prefix=terms.last_is_prefix and driver != last,
            driver_prefix=terms.last_is_prefix and driver == last)

    @property
    def legacy_kinds(self) -> list[ResourceKind]:
        return [kind for kind in ResourceKind if not self.kinds or kind in self.kinds]

    @property
    def branches(self) -> list[Select[tuple[object, ...]]]:
        """The page's branches: app rows, then each kind of original-style cell."""
        apps = _app_branches(self) if self.items is not Items.CELLS else []
        if self.items is Items.APP_ROWS:
            return apps
        return [*apps, *(_legacy_branch(self, kind) for kind in self.legacy_kinds)]


def _tags() -> BindParameter[Any]:
    return bindparam("tags", expanding=True)


def effective_sort(flt: ResourceFilter) -> SortOrder:
    """Relevance needs a search text; without one it is the date order."""
    if flt.sort is SortOrder.RELEVANCE and not flt.text:
        return SortOrder.DATE
    return flt.sort


def _can_match(flt: ResourceFilter) -> bool:
    if flt.interests is not None and not flt.interests:
        return False
    return not flt.text or search_terms(flt.text).findable


def _values(flt: ResourceFilter, dialect: str) -> dict[str, Any]:
    values: dict[str, Any] = {}
    if flt.interests is not None:
        values["tags"] = list(flt.interests)
    if flt.text:
        terms = search_terms(flt.text)
        values |= si.search_values(terms, dialect)
        if dialect != "sqlite":
            values |= si.like_values(terms)
    return values


@dataclasses.dataclass(frozen=True)
class _Source:
    """Where one branch reads its rows: the table, joined to the FTS5 table when searching on
    SQLite, the conditions that searching adds, the match's score (higher is better), and the
    key whose descending order is newest first (the FTS5 rowid: its own order, read backwards)."""

    from_: FromClause
    conditions: list[ColumnElement[bool]]
    score: ColumnElement[Any]
    newest: ColumnElement[Any]


def _source(shape: _Shape, kind: ResourceKind | None) -> _Source:
    """For app rows (kind None) or one cell of original-style rows."""
    if not shape.searching:
        return _Source(r, [], literal(0.0, Float()), r.c.id)
    if shape.dialect == "sqlite":
        slot = si.APP_SLOT if kind is None else si.legacy_slot(kind)
        rowid = si.fts.c.rowid
        joined = r.join(si.fts, r.c.id == rowid.op(">>", return_type=Integer)(si.SLOT_BITS))
        matched: ColumnElement[bool] = literal_column(si.FTS_TABLE).op("MATCH")(
            bindparam("fts_query", type_=String())
        )
        in_slot: ColumnElement[bool] = rowid.op("&", return_type=Integer)(si.SLOTS - 1) == slot
        return _Source(joined, [matched, in_slot], si.sqlite_score(), rowid)
    if shape.given_ids and kind is None:
        listed: ColumnElement[bool] = r.c.id.in_(bindparam("app_ids", expanding=True))
        return _Source(r, [listed], literal(0.0, Float()), r.c.id)
    if shape.walk_probes >= 0 and kind is None:
        return _word_walk(shape)
    if shape.superset_words and kind is None:
        # Only app rows: original-style cells are few, so MATCH on their marks stays cheap.
        return _Source(r, [si.mysql_like(kind, shape.superset_words)], literal(0.0, Float()),
                       r.c.id)
    if shape.superset_words and shape.walk_probes >= 0 and kind is not None:
        # The cells whose words the word table holds, from the driving word's entries in the
        # cell's slot: a few, where a walk of the rows above the floor reads every row there.
        driver, conditions = _word_entries(shape, si.legacy_slot(kind))
        if shape.legacy_floor:
            conditions.append(driver.c.resource_id >= bindparam("floor", type_=Integer()))
        return _Source(r.join(driver, driver.c.resource_id == r.c.id), conditions,
                       literal(0.0, Float()), driver.c.resource_id)
    if shape.superset_words and shape.legacy_floor and kind is not None:
        cell = si.cell_like(r.c[kind.value], shape.superset_words)
        above: ColumnElement[bool] = r.c.id >= bindparam("floor", type_=Integer())
        return _Source(r, [above, cell], literal(0.0, Float()), r.c.id)
    score = si.mysql_match(kind)
    found: ColumnElement[bool] = score  # type: ignore[assignment]  # MATCH is also a condition
    return _Source(r, [found], score, r.c.id)


def _word_walk(shape: _Shape) -> _Source:
    """App rows holding the driving word (`wt_driver`), newest first from its entries in the word
    table, and every other word (`wt_probe_<n>`), each looked up by row id."""
    driver, conditions = _word_entries(shape, si.APP_SLOT)
    return _Source(r.join(driver, driver.c.resource_id == r.c.id), conditions,
                   literal(0.0, Float()), driver.c.resource_id)


def _word_entries(shape: _Shape, slot: int) -> tuple[NamedFromClause, list[ColumnElement[bool]]]:
    """The word table's entries of the driving word in one slot, with the other words probed."""
    driver = si.words_table.alias("driver")
    conditions = [si.word_test(driver.c.word, "wt_driver", shape.driver_prefix),
                  driver.c.slot == slot]
    for n in range(shape.walk_probes):
        probe = si.words_table.alias(f"probe_{n}")
        prefix = shape.walk_prefix and n == shape.walk_probes - 1
        # A scalar subquery, not EXISTS: MariaDB turns EXISTS into a semi-join that first
        # gathers every entry of the word (25,000 rows for 'learning%' at 100,000 resources).
        # By the driver's row id, so it is tested on the entry before the row is read.
        entry: ScalarSelect[int] = (
            select(probe.c.resource_id)
            .where(probe.c.resource_id == driver.c.resource_id, probe.c.slot == slot,
                   si.word_test(probe.c.word, f"wt_probe_{n}", prefix))
            .limit(1)
            .scalar_subquery()
        )
        conditions.append(entry.is_not(None))
    return driver, conditions


def _tagged_probe(row_id: ColumnElement[Any] = r.c.id) -> ColumnElement[bool]:
    """Whether the row has one of the tags, looked up row by row through the primary key.

    A scalar subquery, not EXISTS: MariaDB turns EXISTS into a semi-join that first collects
    every link of those tags (half the catalogue), when a page needs only the first few rows.
    """
    link: ScalarSelect[int] = (
        select(ri.c.resource_id)
        .where(ri.c.resource_id == row_id, ri.c.interest_tag.in_(_tags()))
        .limit(1)
        .scalar_subquery()
    )
    found: ColumnElement[bool] = link.is_not(None)
    return found


def _tagged_set() -> ColumnElement[bool]:
    """Whether the row has one of the tags, as a set test: for counting every match."""
    found: ColumnElement[bool] = r.c.id.in_(
        select(ri.c.resource_id).where(ri.c.interest_tag.in_(_tags()))
    )
    return found


def _app_conditions(
    shape: _Shape, *, counting: bool = False, tags: bool = True
) -> list[ColumnElement[bool]]:
    """What an app row must be; `tags=False` leaves the interest test to the caller."""
    conditions: list[ColumnElement[bool]] = [r.c.kind.is_not(None)]
    if shape.kinds:
        kinds = sorted(k.value for k in shape.kinds)
        # Wrapped so no index on kind can serve it when paging: the page must come from a walk
        # of the date (or title) index that stops early. Unwrapped, SQLite took the
        # (kind, interest_tag) index and sorted every match: 307 ms instead of 7 at 100,000.
        kind = r.c.kind if counting else func.coalesce(r.c.kind, "")
        conditions.append(kind.in_(kinds))
    if shape.tagged and tags:
        conditions.append(_tagged_set() if counting else _tagged_probe())
    return conditions


def _legacy_conditions(shape: _Shape, kind: ResourceKind) -> list[ColumnElement[bool]]:
    cell = r.c[kind.value]
    conditions: list[ColumnElement[bool]] = [
        r.c.kind.is_(None),
        cell.is_not(None),
        func.trim(cell) != "",
    ]
    if shape.tagged:
        conditions.append(r.c.interest_tag.in_(_tags()))
    return conditions


def _app_branches(shape: _Shape) -> list[Select[tuple[object, ...]]]:
    """App-written rows; split into dated and undated when sorting by date: each walks an index."""
    source = _source(shape, None)
    app = [*_app_conditions(shape), *source.conditions]
    if shape.newest:
        return [_branch(source, r.c.kind, false(), r.c.id, app, [source.newest.desc()])]
    if shape.sort is SortOrder.RELEVANCE:
        return [_branch(source, r.c.kind, false(), source.score, app,
                        [source.score.desc(), r.c.id])]
    if shape.sort is SortOrder.TITLE:
        key = r.c.title
        return [_branch(source, r.c.kind, false(), key, app, [TextSortKey(key), r.c.id])]
    dated = [*app, r.c.starts_at.is_not(None)]
    undated = [*app, r.c.starts_at.is_(None)]
    branches = [_branch(source, r.c.kind, false(), r.c.starts_at, undated, [r.c.id])]
    if not shape.undated_only:
        branches.insert(0, _branch(source, r.c.kind, false(), r.c.starts_at, dated,
                                   [r.c.starts_at, r.c.id]))
    return branches


def _legacy_branch(shape: _Shape, kind: ResourceKind) -> Select[tuple[object, ...]]:
    """One cell of original-style rows: undated, so after every dated item when sorting by date."""
    cell = r.c[kind.value]
    label = cast(literal(kind.value), String(16))
    source = _source(shape, kind)
    conditions = [*_legacy_conditions(shape, kind), *source.conditions]
    if shape.newest:
        return _branch(source, label, true(), r.c.id, conditions, [source.newest.desc()])
    if shape.sort is SortOrder.RELEVANCE:
        return _branch(source, label, true(), source.score, conditions,
                       [source.score.desc(), r.c.id])
    if shape.sort is SortOrder.TITLE:
        return _branch(source, label, true(), cell, conditions, [TextSortKey(cell), r.c.id])
    return _branch(source, label, true(), cast(null(), DateTime), conditions, [r.c.id])


def _fts_items(shape: _Shape) -> _Source:
    """Every item, app rows and cells of original-style rows alike, from one walk of the FTS5
    index (SQLite): a walk per shape would each merge the posting lists of the words again, and
    read a whole list when the words are in few items of that shape.

    An index entry of a cell exists only for a non-empty cell of a row without `kind`, so the
    entry's slot says which cell matched and the cells need no test of their own.
    """
    rowid = si.fts.c.rowid
    matched: ColumnElement[bool] = literal_column(si.FTS_TABLE).op("MATCH")(
        bindparam("fts_query", type_=String())
    )
    app = and_(_slot() == si.APP_SLOT, *_app_conditions(shape))
    cells: list[ColumnElement[bool]] = [
        _slot().in_([si.legacy_slot(kind) for kind in shape.legacy_kinds])]
    if shape.tagged:
        cells.append(r.c.interest_tag.in_(_tags()))
    return _Source(
        r.join(si.fts, r.c.id == rowid.op(">>", return_type=Integer)(si.SLOT_BITS)),
        [matched, or_(app, and_(*cells))], literal(0.0, Float()), rowid,
    )


def _slot() -> ColumnElement[int]:
    slot: ColumnElement[int] = si.fts.c.rowid.op("&", return_type=Integer)(si.SLOTS - 1)
    return slot


def _newest_branch(shape: _Shape) -> Select[tuple[object, ...]]:
    """Every item newest first, from one backward walk of the FTS5 index."""
    source = _fts_items(shape)
    kind = case({si.legacy_slot(k): k.value for k in ResourceKind}, value=_slot(),
                else_=r.c.kind)
    return _branch(source, cast(kind, String(16)), _slot() != si.APP_SLOT, r.c.id,
                   source.conditions, [source.newest.desc()])


def _branch(
    source: _Source,
    kind: ColumnElement[Any],
    legacy: ColumnElement[bool],
    sort_key: ColumnElement[Any],
    conditions: list[ColumnElement[bool]],
    order: list[ColumnElement[Any]],
) -> Select[tuple[object, ...]]:
    return (
        select(r.c.id.label("row_id"), kind.label("kind"), legacy.label("legacy"),
               sort_key.label("sort_key"))
        .select_from(source.from_)
        .where(*conditions)
        .order_by(*order)
        .limit(bindparam("depth", type_=Integer()))
    )


def _merged_order(shape: _Shape, rows: Subquery) -> list[ColumnElement[Any]]:
    c = rows.c
    sort = shape.sort
    # Items of one original-style row keep the column order: workshop, training, event.
    kind_order = case({kind.value: n for n, kind in enumerate(ResourceKind)}, value=c.kind)
    if shape.newest:
        return [c.row_id.desc(), kind_order]
    if sort is SortOrder.RELEVANCE:
        return [c.sort_key.desc(), c.row_id, kind_order]
    if sort is SortOrder.TITLE:
        return [TextSortKey(c.sort_key), c.row_id, kind_order]
    return [c.sort_key.is_(None), c.sort_key, c.row_id, kind_order]


def _tag_list() -> ScalarSelect[Any]:
    """The row's interest tags, comma-separated (tags cannot hold commas): read with the page
    instead of in a second round trip."""
    return (
        select(func.group_concat(ri.c.interest_tag))
        .where(ri.c.resource_id == r.c.id)
        .scalar_subquery()
    )


def _result_columns(page: Subquery) -> list[ColumnElement[Any]]:
    """The page's items with every column: app rows as stored, legacy items from their cell."""
    is_app = page.c.legacy == false()
    cell = case({kind.value: r.c[kind.value] for kind in ResourceKind}, value=page.c.kind)
    app_only = [case((is_app, r.c[name])).label(name) for name in APP_ONLY_COLUMNS]
    return [
        page.c.row_id,
        page.c.kind,
        case((is_app, r.c.title), else_=cell).label("title"),
        *app_only,
        r.c.interest_tag.label("interest_tag"),
        case((is_app, _tag_list())).label("tags"),
        page.c.legacy,
    ]


@functools.lru_cache(maxsize=128)
def _page_statement(shape: _Shape) -> Select[tuple[object, ...]]:
    if shape.newest and shape.dialect == "sqlite":
        branches = [_newest_branch(shape)]
    else:
        branches = shape.branches
    merged = union_all(*(select(*b.subquery().c) for b in branches)).subquery("merged")
    page = (
        select(*merged.c)
        .order_by(*_merged_order(shape, merged))
        .offset(bindparam("offset", type_=Integer()))
        .limit(bindparam("rows", type_=Integer()))
        .subquery("page")
    )
    return (
        select(*_result_columns(page))
        .join_from(page, r, r.c.id == page.c.row_id)
        .order_by(*_merged_order(shape, page))
    )


@functools.lru_cache(maxsize=128)
def _dated_statement(shape: _Shape) -> Select[tuple[object, ...]]:
    source = _source(shape, None)
    conditions = [*_app_conditions(shape), *source.conditions, r.c.starts_at.is_not(None)]
    return (
        select(r.c.id.label("row_id"), r.c.kind.label("kind"), r.c.title.label("title"),
               *(r.c[name].label(name) for name in APP_ONLY_COLUMNS),
               r.c.interest_tag.label("interest_tag"), _tag_list().label("tags"),
               false().label("legacy"))
        .select_from(source.from_)
        .where(*conditions)
        .order_by(r.c.starts_at, r.c.id)
        .offset(bindparam("offset", type_=Integer()))
        .limit(bindparam("rows", type_=Integer()))
    )


def _counted_parts(shape: _Shape) -> list[tuple[_Source, list[Any]]]:
    """Each shape of item with what it must be. With a search text the index yields the
    candidates, so their tags are probed one by one rather than collected as a set first."""
    app = _source(shape, None)
    tags = [_tagged_probe()] if shape.tagged and shape.searching else []
    app_conditions = _app_conditions(shape, counting=True, tags=not tags)
    parts = [(app, [*app_conditions, *tags, *app.conditions])]
    for kind in shape.legacy_kinds:
        legacy = _source(shape, kind)
        parts.append((legacy, [*_legacy_conditions(shape, kind), *legacy.conditions]))
    return parts


def _word_parts(shape: _Shape) -> list[Select[Any]]:
    """MariaDB/MySQL, counting with a search text: the row ids of each shape's matches (a row
    once), from the word table. An entry of slot 0 is an app row's, so the row itself is read
    only to test its kind, or an original-style row's interest."""
    driver, conditions = _word_entries(shape, si.APP_SLOT)
    app = select(driver.c.resource_id).distinct()
    if shape.kinds:
        app = app.join_from(driver, r, r.c.id == driver.c.resource_id)
        conditions.append(r.c.kind.in_(sorted(k.value for k in shape.kinds)))
    if shape.tagged:
        conditions.append(_tagged_probe(driver.c.resource_id))
    parts = [app.where(*conditions)]
    for kind in shape.legacy_kinds:
        driver, conditions = _word_entries(shape, si.legacy_slot(kind))
        cells = select(driver.c.resource_id).distinct()
        if shape.tagged:
            cells = cells.join_from(driver, r, r.c.id == driver.c.resource_id)
            conditions.append(r.c.interest_tag.in_(_tags()))
        parts.append(cells.where(*conditions))
    return parts


@functools.lru_cache(maxsize=128)
def _count_statement(shape: _Shape) -> Select[Any]:
    if shape.counted_words:
        return select(functools.reduce(operator.add, [
            select(func.count()).select_from(part.subquery()).scalar_subquery()
            for part in _word_parts(shape)]))
    counts = [
        select(func.count()).select_from(source.from_).where(*conditions).scalar_subquery()
        for source, conditions in _counted_parts(shape)
    ]
    return select(functools.reduce(operator.add, counts))


def _first_app_rows(shape: _Shape) -> Select[Any]:
    """Up to `cap` matching app rows, found from the tag links when the filter has interests:
    walking the rows and testing each one's tags visits many more when the interests are rare."""
    if shape.tagged and not shape.searching:
        # Each link looks its row's kind up: MariaDB otherwise walks every app row by kind and
        # probes its links, 12 ms instead of 5 when the interests are in few rows.
        kind = select(r.c.kind).where(r.c.id == ri.c.resource_id).scalar_subquery()
        kinds = sorted(k.value for k in shape.kinds)
        is_app = kind.in_(kinds) if kinds else kind.is_not(None)
        return (select(ri.c.resource_id).distinct()
                .where(ri.c.interest_tag.in_(_tags()), is_app)
                .limit(bindparam("cap", type_=Integer())))
    source = _source(shape, None)
    conditions = [*_app_conditions(shape, counting=True, tags=False), *source.conditions]
    found = select(r.c.id)
    if shape.tagged:
        found = (
            select(ri.c.resource_id).distinct()
            .select_from(source.from_).join(ri, ri.c.resource_id == r.c.id)
            .where(ri.c.interest_tag.in_(_tags()))
        )
    else:
        found = found.select_from(source.from_)
    return found.where(*conditions).limit(bindparam("cap", type_=Integer()))


@functools.lru_cache(maxsize=128)
def _capped_count_statement(shape: _Shape) -> Select[Any]:
    """Each shape counted up to `cap` items: it stops there instead of visiting every match.
    With a search text on SQLite, every shape from one walk of the index, up to `cap` in all."""
    if shape.searching and shape.dialect == "sqlite":
        source = _fts_items(shape)
        found = (select(source.newest).select_from(source.from_).where(*source.conditions)
                 .limit(bindparam("cap", type_=Integer())))
        return select(func.count()).select_from(found.subquery())
    cap = bindparam("cap", type_=Integer())
    if shape.counted_words:
        return select(functools.reduce(operator.add, [
            select(func.count()).select_from(part.limit(cap).subquery()).scalar_subquery()
            for part in _word_parts(shape)]))
    counts = [select(func.count()).select_from(_first_app_rows(shape).subquery())
              .scalar_subquery()]
    if shape.searching:
        for kind in shape.legacy_kinds:
            legacy = _source(shape, kind)
            found = (select(r.c.id).select_from(legacy.from_)
                     .where(*_legacy_conditions(shape, kind), *legacy.conditions).limit(cap))
            counts.append(select(func.count()).select_from(found.subquery()).scalar_subquery())
    else:
        counts.append(_legacy_cells_up_to(shape))
    return select(functools.reduce(operator.add, counts))


def _legacy_cells_up_to(shape: _Shape) -> ScalarSelect[Any]:
    """The non-empty cells of the kinds asked for, in up to `cap` original-style rows that hold
    one: one read of those rows instead of one per cell. Every row counted holds at least one
    cell, so reaching `cap` rows means at least `cap` items."""
    filled = {kind: and_(r.c[kind.value].is_not(None), func.trim(r.c[kind.value]) != "")
              for kind in shape.legacy_kinds}
    conditions: list[ColumnElement[bool]] = [r.c.kind.is_(None), or_(*filled.values())]
    if shape.tagged:
        conditions.append(r.c.interest_tag.in_(_tags()))
    rows = (select(*(case((test, 1), else_=0).label(kind.value) for kind, test in filled.items()))
            .where(*conditions).limit(bindparam("cap", type_=Integer())).subquery())
    items = functools.reduce(operator.add, [rows.c[kind.value] for kind in filled])
    return select(func.coalesce(func.sum(items), 0)).scalar_subquery()


@functools.lru_cache(maxsize=64)
def _newest_app_statement(shape: _Shape) -> Select[Any]:
    branch = _app_branches(shape)[0].subquery()
    return select(branch.c.row_id)


def newest_app_query(flt: ResourceFilter, dialect: str, depth: int) -> BoundQuery | None:
    """MariaDB/MySQL: the ids of the newest `depth` app rows LIKE finds (`superset`), highest
    first, for a newest-first page that no word of the word table can drive (`page_query` with
    `driver` then). When there are that many, an original-style cell below the lowest of them
    cannot be on the page, so `page_query(legacy_floor=…)` tests only the rows above it: MATCH
    on a common word's cell marks gathers every match (20 ms for 'the' in 2,000 original-style
    rows)."""
    if not _can_match(flt) or not flt.text:
        return None
    shape = _Shape.of(flt, dialect, newest=True, superset=True)
    return _bound(_newest_app_statement(shape), _values(flt, dialect), depth=depth)


def page_query(
    flt: ResourceFilter, dialect: str, *, undated_only: bool = False, offset: int | None = None,
    rows: int | None = None, newest: bool = False, superset: bool = False,
    app_ids: list[int] | None = None, legacy_floor: int | None = None,
    driver: int | None = None, completion: str | None = None, items: Items = Items.ALL,
) -> BoundQuery | None:
    """One page plus one extra row (to tell whether more follow); None when nothing can match.

    `undated_only` (by date) leaves the dated items out, for the rest of a page that
    `dated_page_query` began; `offset` and `rows` then count undated items only. `newest`
    orders by row id, highest first, whatever the filter's sort. `superset` (MariaDB/MySQL,
    newest first) finds the text by LIKE, a superset of the matches that the caller must check
    with `domain.search.holds`, the app rows among `app_ids` when given (`newest_app_query`);
    with `driver`, every item comes from the word table instead, app rows and original-style
    cells each from the entries in their slot of the search text's word at that position (a
    whole word), the others probed by row id; with `completion`, the only word in the catalogue
    that the last word being typed starts (`word_counts_query`), probed as a whole word. `items`
    reads app rows or original-style cells alone: the cells of such a page, asked apart with the
    lowest row id of a full page of app rows as `legacy_floor`, read a few entries where, asked
    together, each kind of cell walks a page of its own far down (for a student's interests, 1.3
    of the 1.9 ms that 'the' took at 100,000 resources).
    """
    if not _can_match(flt):
        return None
    offset = flt.offset if offset is None else offset
    rows = flt.limit + 1 if rows is None else rows
    terms = search_terms(flt.text)
    completed = driver is not None and completion is not None and terms.last_is_prefix
    shape = _Shape.of(flt, dialect, undated_only=undated_only, newest=newest, superset=superset,
                      given_ids=app_ids is not None, legacy_floor=legacy_floor is not None,
                      walk=driver is not None, completed=completed)
    shape = dataclasses.replace(shape, items=items)
    values = _values(flt, dialect) | ({} if legacy_floor is None else {"floor": legacy_floor})
    values |= {} if app_ids is None else {"app_ids": app_ids}
    if shape.walk_probes >= 0 and driver is not None:
        if terms.last_is_prefix and not completed and driver == len(terms.words) - 1:
            raise ValueError("the driving word must be a whole word")
        values |= _word_values(terms, driver, completion if completed else None)
    return _bound(_page_statement(shape), values, depth=offset + rows, offset=offset, rows=rows)


def dated_page_query(flt: ResourceFilter, dialect: str) -> BoundQuery | None:
    """By date, dated items come before all others: when at least a page and one more of them
    match, this one index walk is the whole page. None when it cannot be (other orders)."""
    if effective_sort(flt) is not SortOrder.DATE or not _can_match(flt):
        return None
    return _bound(_dated_statement(_Shape.of(flt, dialect)), _values(flt, dialect),
                  offset=flt.offset, rows=flt.limit + 1)


def count_query(flt: ResourceFilter, dialect: str, cap: int | None = None,
                driver: int | None = None) -> BoundQuery | None:
    """How many items the filter matches: one count per shape, added up (nothing to sort).

    With a cap, each shape counts at most cap + 1 items, so a total above `cap` means "more".
    With `driver` (MariaDB/MySQL, a search text), each shape is counted from the word table,
    reading the entries of the search text's word at that position (best the rarest).
    """
    if not _can_match(flt):
        return None
    shape = _Shape.counting(flt, dialect, driver)
    values = _values(flt, dialect)
    if shape.counted_words and driver is not None:
        values |= _word_values(search_terms(flt.text), driver)
    if cap is None:
        return _bound(_count_statement(shape), values)
    return _bound(_capped_count_statement(shape), values, cap=cap + 1)


def _word_values(terms: SearchTerms, driver: int, completion: str | None = None) -> dict[str, Any]:
    """The driving word's and the probed words' bound values (`_word_entries`); with
    `completion`, the last word (being typed) is that whole word instead."""
    last = len(terms.words) - 1

    def value(n: int) -> str:
        return completion if completion is not None and n == last else si.word_value(terms, n)

    others = [n for n in range(len(terms.words)) if n != driver]
    return {"wt_driver": value(driver)} | {f"wt_probe_{k}": value(n)
                                            for k, n in enumerate(others)}


@functools.lru_cache(maxsize=4)
def _breadth_statement() -> Select[Any]:
    matched: ColumnElement[bool] = literal_column(si.FTS_TABLE).op("MATCH")(
        bindparam("fts_query", type_=String())
    )
    found = select(si.fts.c.rowid).where(matched).limit(bindparam("cap", type_=Integer()))
    return select(func.count()).select_from(found.subquery())


@functools.lru_cache(maxsize=16)
def _word_counts_statement(words: int, last_is_prefix: bool) -> Select[Any]:
    counts = []
    for n in range(words):
        entries = si.words_table.alias(f"counted_{n}")
        prefix = last_is_prefix and n == words - 1
        found = (
            select(entries.c.resource_id)
            .where(entries.c.slot == si.APP_SLOT, si.word_test(entries.c.word, f"wt_{n}", prefix))
            .limit(bindparam("cap", type_=Integer()))
            .subquery()
        )
        counts.append(select(func.count()).select_from(found).scalar_subquery().label(f"n{n}"))
    if last_is_prefix:
        # The words the last one may complete to, when they are one or two, for a newest-first
        # page: one whole word can be walked, and probed by reading one entry, where a probe for
        # a start reads every entry of the row. Grouped by the index's own prefix, so MariaDB
        # jumps from one distinct word to the next instead of reading every entry ('the%':
        # 98,000).
        entries = si.words_table.alias("completed")
        completed = (select(entries.c.word)
                     .where(entries.c.slot == si.APP_SLOT,
                            si.word_test(entries.c.word, f"wt_{words - 1}", True))
                     .group_by(entries.c.slot, entries.c.word)
                     .limit(2).subquery())
        counts.append(select(func.group_concat(completed.c.word)).scalar_subquery()
                      .label("completions"))
    return select(*counts)


def word_counts_query(flt: ResourceFilter, cap: int) -> BoundQuery | None:
    """MariaDB/MySQL: for each word of the search text, how many app rows hold it (or, for a last
    word being typed, a word it starts), counted up to `cap` from the word table alone: a few
    index pages per word. The fewest of them bounds how many app rows the text can match. When
    the last word is being typed, one more column: the words it starts, comma-separated, when
    they are one or two (None when none). None when nothing can match or
    the order would not change (not by relevance)."""
    if effective_sort(flt) is not SortOrder.RELEVANCE or not _can_match(flt):
        return None
    terms = search_terms(flt.text)
    values = {f"wt_{n}": si.word_value(terms, n) for n in range(len(terms.words))}
    return _bound(_word_counts_statement(len(terms.words), terms.last_is_prefix), values, cap=cap)


def breadth_queries(flt: ResourceFilter, dialect: str, cap: int) -> list[BoundQuery]:
    """How many items the search text finds in the whole catalogue, counted up to `cap` (the
    index stops there): the questions to ask in turn, none when the answer changes nothing.

    A last word being typed is first asked as a whole word: that finds fewer items, and is
    cheaper, as FTS5 merges the lists of every word a prefix starts; it often settles it.

    Only SQLite (MariaDB/MySQL: `word_counts_query`, since InnoDB's count gathers every match).
    """
    if dialect != "sqlite" or effective_sort(flt) is not SortOrder.RELEVANCE:
        return []
    if not _can_match(flt):
        return []
    terms = search_terms(flt.text)
    asked = [dataclasses.replace(terms, last_is_prefix=False)] if terms.last_is_prefix else []
    return [_bound(_breadth_statement(), si.search_values(t, dialect), cap=cap)
            for t in [*asked, terms]]
