"""Repositories: the only code that writes SQL. They take a connection inside a unit of work."""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Integer, Row, bindparam, delete, func, insert, select, update

from studentres_desktop.domain.models import (
    Interest,
    Resource,
    ResourceCount,
    ResourceDraft,
    ResourceFilter,
    ResourceKind,
    Role,
    SortOrder,
    Student,
)
from studentres_desktop.domain.search import holds, search_terms
from studentres_desktop.persistence import tables as t
from studentres_desktop.persistence.credentials import credential_store, role_of
from studentres_desktop.persistence.resource_queries import (
    Items,
    breadth_queries,
    count_query,
    dated_page_query,
    newest_app_query,
    page_query,
    word_counts_query,
)
from studentres_desktop.persistence.rows import app_resource, legacy_item, tags_first, to_resource


class StudentRepository:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def add(self, name: str, email: str, password_hash: str, role: Role = Role.STUDENT) -> int:
        """Insert a student; a taken email raises EmailAlreadyRegistered, even under a race.

        On MySQL/MariaDB this goes through the sr_register procedure, which only makes students;
        another role is then set by the account that may (the owner, through the admin CLI).
        """
        student_id = credential_store(self._conn).register(name, email, password_hash)
        if role is not Role.STUDENT:
            self._conn.execute(
                update(t.students_data).where(t.students_data.c.id == student_id)
                .values(role=role.value)
            )
        return student_id

    def get(self, student_id: int) -> Student | None:
        return self._load(t.students_data.c.id == student_id)

    def get_by_email(self, email: str) -> Student | None:
        return self._load(t.students_data.c.email == email)

    def _load(self, condition: Any) -> Student | None:
        s = t.students_data
        row = self._conn.execute(
            select(s.c.id, s.c.name, s.c.email, s.c.role, s.c.interest, s.c.learning_goal)
            .where(condition)
        ).first()
        if row is None:
            return None
        links = self._conn.execute(
            select(t.student_interests.c.interest_tag, t.student_interests.c.is_primary)
            .where(t.student_interests.c.student_id == row.id)
            .order_by(t.student_interests.c.is_primary.desc(), t.student_interests.c.interest_tag)
        ).all()
        tags = tuple(link.interest_tag for link in links)
        primary = next((link.interest_tag for link in links if link.is_primary), None)
        if not tags and row.interest:
            # A student written by the original design: one interest, in students_data only.
            tags, primary = (row.interest,), row.interest
        return Student(
            id=row.id,
            name=row.name,
            email=row.email,
            role=role_of(row.role),
            interests=tags,
            primary_interest=primary,
            learning_goal=row.learning_goal or "",
        )

    def interest_tags(self, student_id: int) -> tuple[str, ...] | None:
        """The student's interest tags, primary first; None when there is no such student."""
        links = self._conn.execute(_INTEREST_TAGS, {"student_id": student_id}).scalars().all()
        if links:
            return tuple(links)
        row = self._conn.execute(
            select(t.students_data.c.interest).where(t.students_data.c.id == student_id)
        ).first()
        if row is None:
            return None
        return (row.interest,) if row.interest else ()

    def set_interests(self, student_id: int, tags: Sequence[str], primary: str) -> None:
        self._conn.execute(
            delete(t.student_interests).where(t.student_interests.c.student_id == student_id)
        )
        self._conn.execute(
            insert(t.student_interests),
            [
                {"student_id": student_id, "interest_tag": tag, "is_primary": tag == primary}
                for tag in tags
            ],
        )
        self._conn.execute(
            update(t.students_data)
            .where(t.students_data.c.id == student_id)
            .values(interest=primary)
        )

    def set_learning_goal(self, student_id: int, goal: str) -> None:
        self._conn.execute(
            update(t.students_data)
            .where(t.students_data.c.id == student_id)
            .values(learning_goal=goal or None)
        )

    def set_role(self, email: str, role: Role) -> bool:
        result = self._conn.execute(
            update(t.students_data).where(t.students_data.c.email == email).values(role=role.value)
        )
        return bool(result.rowcount)


class InterestRepository:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def list(self) -> list[Interest]:
        i = t.interests
        rows = self._conn.execute(
            select(i.c.tag, i.c.label, i.c.description).order_by(i.c.position, i.c.label)
        ).all()
        return [Interest(row.tag, row.label, row.description) for row in rows]

    def existing(self, tags: Iterable[str]) -> set[str]:
        wanted = set(tags)
        if not wanted:
            return set()
        rows = self._conn.execute(select(t.interests.c.tag).where(t.interests.c.tag.in_(wanted)))
        return {row.tag for row in rows}

    def add_missing(self, interests: Sequence[Interest]) -> int:
        """Insert the entries whose tag is not there yet; existing ones are left as they are."""
        present = self.existing(i.tag for i in interests)
        start = self._next_position()
        rows = [
            {"tag": i.tag, "label": i.label, "description": i.description, "position": start + n}
            for n, i in enumerate(x for x in interests if x.tag not in present)
        ]
        if rows:
            self._conn.execute(insert(t.interests), rows)
        return len(rows)

    def _next_position(self) -> int:
        current = self._conn.execute(select(func.max(t.interests.c.position))).scalar()
        return int(current or 0) + 1


# MariaDB/MySQL, newest first: deeper than this, the page is read through MATCH (exact, but
# InnoDB gathers every match first) instead of checking every row before it in Python.
SUPERSET_OFFSET_MAX = 2000
# MariaDB/MySQL: words are counted up to this in the word table to choose which one a page walks.
WORD_COUNT_CAP = 1001


class ResourceRepository:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn
        # MariaDB/MySQL: how many app rows hold each word of a search text, up to a cap, as
        # `is_broad_search` counted them (the page's word walk starts from the fewest), and the
        # words a last word being typed starts, when one or two (`word_counts_query`).
        self._word_counts: dict[str, tuple[tuple[int, ...], str | None]] = {}

    # --- reading --------------------------------------------------------------------------------

    def is_broad_search(self, flt: ResourceFilter, threshold: int) -> bool:
        """Whether the filter's search, by relevance, finds more than `threshold` items in the
        whole catalogue, on a database that can then show them newest first cheaply.

        MariaDB/MySQL answer from the word table: more than `threshold` app rows hold each word.
        An upper bound (words can be common alone and rare together), which only decides the
        order: every item shown is checked."""
        if self._conn.dialect.name != "sqlite":
            counts = self._counted_words(flt, threshold + 1)
            return bool(counts) and min(counts) > threshold
        queries = breadth_queries(flt, self._conn.dialect.name, threshold + 1)
        return any(int(q.run(self._conn).scalar_one()) > threshold for q in queries)

    def _counted_words(self, flt: ResourceFilter, cap: int) -> tuple[int, ...]:
        return self._words_read(flt, cap)[0]

    def _words_read(self, flt: ResourceFilter, cap: int) -> tuple[tuple[int, ...], str | None]:
        """The counts of `word_counts_query`, and the last word's only completion, if any."""
        if flt.text in self._word_counts:
            return self._word_counts[flt.text]
        query = word_counts_query(flt, cap)
        if query is None:
            return (), None
        row = tuple(query.run(self._conn).one())
        words = len(search_terms(flt.text).words)
        completions = str(row[words]) if len(row) > words and row[words] is not None else ""
        only = completions if completions and "," not in completions else None
        read = tuple(int(n) for n in row[:words]), only
        self._word_counts[flt.text] = read
        return read

    def word_walk(self, flt: ResourceFilter) -> tuple[int | None, str | None]:
        """MariaDB/MySQL: how a newest-first page finds its app rows in the word table: which
        word it walks (the one in the fewest app rows), and the only word in the catalogue that
        the last word being typed starts, when there is one: that one is then a whole word too,
        probed or walked as such. (None, None) when LIKE walks the rows instead: one word being
        typed that starts several (common ones are found in the newest rows at once), and on
        SQLite."""
        terms = search_terms(flt.text)
        if self._conn.dialect.name == "sqlite" or not terms.findable:
            return None, None
        counts, completion = self._words_read(flt, WORD_COUNT_CAP)
        if len(counts) != len(terms.words):
            return None, None
        last = len(terms.words) - 1
        whole = [n for n in range(len(terms.words))
                 if n != last or not terms.last_is_prefix or completion is not None]
        if not whole:
            return None, None
        return min(whole, key=counts.__getitem__), completion if terms.last_is_prefix else None

    def page(self, flt: ResourceFilter, *, newest: bool = False) -> tuple[list[Resource], bool]:
        """The resources of one page, and whether more follow; `newest` first if asked."""
        rows: Sequence[Row[Any]] = []
        dialect = self._conn.dialect.name
        dated = None if newest else dated_page_query(flt, dialect)
        if dated is not None:
            rows = dated.run(self._conn).all()
        if dated is not None and len(rows) <= flt.limit and (rows or flt.offset == 0):
            # The last dated items are on this page (or there are none at all), so the rest of
            # the page is the first undated ones.
            rest = page_query(flt, dialect, undated_only=True, offset=0,
                              rows=flt.limit + 1 - len(rows))
            assert rest is not None
            rows = [*rows, *rest.run(self._conn).all()]
        elif newest and dialect != "sqlite" and flt.offset <= SUPERSET_OFFSET_MAX:
            rows = self._checked_newest(flt)
        elif len(rows) <= flt.limit:  # a page past every dated item, or sorted by title
            query = page_query(flt, dialect, newest=newest)
            if query is None:
                return [], False
            rows = query.run(self._conn).all()
        has_more = len(rows) > flt.limit
        rows = rows[: flt.limit]
        return [_resource(row) for row in rows], has_more

    def _counting_word(self, flt: ResourceFilter) -> int | None:
        """MariaDB/MySQL: which word of the search text a count reads from the word table: the
        one in the fewest app rows (a word being typed too). None on SQLite or without text."""
        terms = search_terms(flt.text)
        if self._conn.dialect.name == "sqlite" or not terms.findable:
            return None
        if len(terms.words) == 1:
            return 0
        counts = self._counted_words(dataclasses.replace(flt, sort=SortOrder.RELEVANCE),
                                     WORD_COUNT_CAP)
        return min(range(len(counts)), key=counts.__getitem__) if counts else None

    def _checked_newest(self, flt: ResourceFilter) -> Sequence[Row[Any]]:
        """MariaDB/MySQL, newest first: items found from a backward walk of the word table
        (`word_walk`), in one statement, or, failing that, app rows from a backward walk of the
        primary key with LIKE and the original-style cells above the last of them; each checked
        by the search rules, the items before the page too (an item the check drops moves every
        later one up). When too many fail the check to fill the page, the walk goes deeper."""
        terms = search_terms(flt.text)
        wanted = flt.offset + flt.limit + 1
        depth = wanted
        driver, completion = self.word_walk(flt)
        # Words of ASCII letters, digits and underscores found in the word table in ASCII text
        # hold by the rules: its collation then only folds case, and its words are split as the
        # rules split them. Only other candidates need the check (0.2 ms a page here).
        exact = driver is not None and all(word.isascii() for word in terms.words)

        def kept_by_rules(row: Row[Any]) -> bool:
            text = _searchable(row)
            return (exact and text.isascii()) or holds(terms, text)

        while True:
            rows = self.newest_candidates(flt, depth, driver, completion)
            if rows is None:
                return []
            kept = [row for row in rows if kept_by_rules(row)]
            if len(kept) >= wanted or len(rows) < depth:
                return kept[flt.offset:wanted]
            depth *= 4

    def newest_candidates(self, flt: ResourceFilter, depth: int, driver: int | None,
                           completion: str | None) -> Sequence[Row[Any]] | None:
        """The newest `depth` candidates of each shape (see `_checked_newest`), unchecked:
        the statements of a newest-first page on MariaDB/MySQL (`bench/bench_search.py` replays
        them)."""
        dialect = self._conn.dialect.name
        if driver is None:
            app = newest_app_query(flt, dialect, depth)
            if app is None:
                return None
            ids = [int(i) for i in app.run(self._conn).scalars()]
            floor = min(ids) if len(ids) >= depth else None
            query = page_query(flt, dialect, newest=True, superset=True, offset=0, rows=depth,
                               app_ids=ids, legacy_floor=floor)
        elif flt.interests is None:
            query = page_query(flt, dialect, newest=True, superset=True, offset=0, rows=depth,
                               driver=driver, completion=completion)
        else:
            # Each kind of cell of the student's interests would walk far down for a page of its
            # own (`page_query`), so app rows come first: when they fill the depth, no cell
            # below the last of them can be wanted.
            walk = functools.partial(page_query, flt, dialect, newest=True, superset=True,
                                     offset=0, rows=depth, driver=driver, completion=completion)
            apps = walk(items=Items.APP_ROWS)
            if apps is None:
                return None
            app_rows = apps.run(self._conn).all()
            floor = int(app_rows[-1].row_id) if len(app_rows) >= depth else None
            cells = walk(items=Items.CELLS, legacy_floor=floor)
            assert cells is not None
            rows = sorted([*app_rows, *cells.run(self._conn).all()], key=_newest_first)
            return rows[:depth]
        return None if query is None else query.run(self._conn).all()

    def count(self, flt: ResourceFilter) -> int:
        query = count_query(flt, self._conn.dialect.name, driver=self._counting_word(flt))
        if query is None:
            return 0
        return int(query.run(self._conn).scalar_one())

    def count_up_to(self, flt: ResourceFilter, cap: int) -> ResourceCount:
        """The exact count when it is at most `cap`, else ResourceCount(cap, exact=False)."""
        query = count_query(flt, self._conn.dialect.name, cap=cap,
                            driver=self._counting_word(flt))
        if query is None:
            return ResourceCount(0)
        total = int(query.run(self._conn).scalar_one())
        return ResourceCount(total) if total <= cap else ResourceCount(cap, exact=False)

    def get(self, row_id: int, kind: ResourceKind) -> Resource | None:
        row = self._conn.execute(
            select(t.interest_resources).where(t.interest_resources.c.id == row_id)
        ).first()
        if row is None:
            return None
        if row.kind is None:
            return legacy_item(row, kind)
        if row.kind != kind.value:
            return None
        return app_resource(row, self._tags_of([row.id]).get(row.id, ()))

    def titles(self) -> set[tuple[str, str]]:
        """(kind, title) of every row the app wrote; used to keep seeding idempotent."""
        r = t.interest_resources
        rows = self._conn.execute(select(r.c.kind, r.c.title).where(r.c.kind.is_not(None)))
        return {(row.kind, row.title) for row in rows}

    def _tags_of(self, row_ids: Sequence[int]) -> dict[int, tuple[str, ...]]:
        if not row_ids:
            return {}
        rows = self._conn.execute(
            select(t.resource_interests.c.resource_id, t.resource_interests.c.interest_tag)
            .where(t.resource_interests.c.resource_id.in_(set(row_ids)))
            .order_by(t.resource_interests.c.resource_id, t.resource_interests.c.interest_tag)
        ).all()
        found: dict[int, list[str]] = {}
        for row in rows:
            found.setdefault(row.resource_id, []).append(row.interest_tag)
        return {key: tuple(value) for key, value in found.items()}

    # --- writing --------------------------------------------------------------------------------

    def add(self, draft: ResourceDraft, now: datetime) -> int:
        row_id = self.add_row(draft, now)
        self._insert_tags([(row_id, draft)])
        return row_id

    def add_row(self, draft: ResourceDraft, now: datetime) -> int:
        """Insert the resource's row only (its tags are the caller's business)."""
        result = self._conn.execute(insert(t.interest_resources).values(**_row_values(draft, now)))
        key = result.inserted_primary_key
        assert key is not None
        return int(key[0])

    def add_many(self, drafts: Sequence[ResourceDraft], now: datetime) -> list[int]:
        """Insert many resources in the current transaction; returns their row ids in order."""
        if not drafts:
            return []
        dialect = self._conn.dialect
        if dialect.insert_executemany_returning_sort_by_parameter_order:
            result = self._conn.execute(
                insert(t.interest_resources).returning(
                    t.interest_resources.c.id, sort_by_parameter_order=True
                ),
                [_row_values(d, now) for d in drafts],
            )
            ids = [int(row_id) for row_id in result.scalars()]
        else:  # e.g. MySQL 8, which has no INSERT … RETURNING
            ids = [self.add_row(d, now) for d in drafts]
        self._insert_tags(list(zip(ids, drafts, strict=True)))
        return ids

    def replace(self, row_id: int, draft: ResourceDraft, now: datetime) -> None:
        self._conn.execute(
            update(t.interest_resources)
            .where(t.interest_resources.c.id == row_id)
            .values(**_row_values(draft, now), version=t.interest_resources.c.version + 1)
        )
        self._conn.execute(
            delete(t.resource_interests).where(t.resource_interests.c.resource_id == row_id)
        )
        self._insert_tags([(row_id, draft)])

    def clear_legacy_cell(self, row_id: int, kind: ResourceKind) -> None:
        """Remove one item from an original-style row; the row goes when it holds no item."""
        r = t.interest_resources
        self._conn.execute(update(r).where(r.c.id == row_id).values({kind.value: None}))
        self._conn.execute(
            delete(r).where(
                r.c.id == row_id,
                r.c.kind.is_(None),
                func.coalesce(func.trim(r.c.workshop), "") == "",
                func.coalesce(func.trim(r.c.training), "") == "",
                func.coalesce(func.trim(r.c.event), "") == "",
            )
        )

    def delete(self, row_id: int) -> None:
        self._conn.execute(delete(t.interest_resources).where(t.interest_resources.c.id == row_id))

    def _insert_tags(self, pairs: Sequence[tuple[int, ResourceDraft]]) -> None:
        rows = [
            {"resource_id": row_id, "interest_tag": tag}
            for row_id, draft in pairs
            for tag in dict.fromkeys(draft.interest_tags)
        ]
        if rows:
            self._conn.execute(insert(t.resource_interests), rows)


def _row_values(draft: ResourceDraft, now: datetime) -> dict[str, Any]:
    cells: dict[str, Any] = {kind.value: None for kind in ResourceKind}
    cells[draft.kind.value] = draft.title
    return {
        **cells,
        "interest_tag": draft.interest_tags[0] if draft.interest_tags else None,
        "kind": draft.kind.value,
        "title": draft.title,
        "description": draft.description,
        "starts_at": draft.starts_at,
        "ends_at": draft.ends_at,
        "location": draft.location or None,
        "url": draft.url or None,
        "capacity": draft.capacity,
        "updated_at": now,
    }


# Read before every page of a student's: built once, so executing it reuses its cache key.
_INTEREST_TAGS = (
    select(t.student_interests.c.interest_tag)
    .where(t.student_interests.c.student_id == bindparam("student_id", type_=Integer()))
    .order_by(t.student_interests.c.is_primary.desc(), t.student_interests.c.interest_tag)
)

_KIND_ORDER = {kind.value: n for n, kind in enumerate(ResourceKind)}


def _newest_first(row: Row[Any]) -> tuple[int, int]:
    """The page order of a newest-first page: highest row id first, then its cells in column
    order (workshop, training, event), as `page_query` merges them."""
    return -int(row.row_id), _KIND_ORDER.get(row.kind, 0)


def _searchable(row: Row[Any]) -> str:
    """An app row's text as the index holds it (see search_index.search_column_ddl)."""
    return " ".join(part for part in (row.title, row.description, row.location) if part)


def _resource(row: Row[Any]) -> Resource:
    """A row of a page query: `row_id`, the item's kind and title, its tags joined by commas."""
    kind = ResourceKind(row.kind)
    if row.legacy:
        tags: tuple[str, ...] = (row.interest_tag,) if row.interest_tag else ()
    else:
        tags = tags_first(row.interest_tag, row.tags.split(",") if row.tags else ())
    return to_resource(row, kind, tags, row_id=int(row.row_id), legacy=bool(row.legacy))
