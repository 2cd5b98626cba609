"""Repositories for the student's plan (saved resources, RSVPs) and the advisors' audit log."""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, delete, func, insert, or_, select, update
from sqlalchemy.dialects.mysql import insert as mysql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError

from studentres_desktop.domain.models import (
    AuditAction,
    AuditEntry,
    AuditFilter,
    ResourceKind,
    Role,
    RsvpState,
    StudentSummary,
    resource_key,
)
from studentres_desktop.persistence import tables as t

ItemKey = tuple[int, ResourceKind]
TITLE_SNAPSHOT_MAX = 200


@dataclass(frozen=True)
class SavedRow:
    row_id: int
    kind: ResourceKind
    title: str
    starts_at: datetime | None
    ends_at: datetime | None
    saved_at: datetime
    removed: bool


@dataclass(frozen=True)
class RsvpRow:
    row_id: int
    kind: ResourceKind
    student_id: int
    state: RsvpState
    waitlist_seq: int | None
    created_at: datetime


@dataclass(frozen=True)
class RsvpCounts:
    going: int = 0
    waitlisted: int = 0


def _item(row_id: int, kind: ResourceKind) -> Any:
    return and_(t.rsvps.c.resource_id == row_id, t.rsvps.c.kind == kind.value)


def _row_ids(items: Collection[ItemKey]) -> list[int]:
    """The row ids of these items, for `IN`; the caller keeps the rows of the wanted kinds.

    Not `(resource_id, kind) IN (…)`: two bound values per item, each escaped in Python by the
    driver, cost a workstation more CPU than the whole rest of a page of RSVP statuses. Only an
    original-style row holds items of several kinds, so the rows dropped afterwards are few.
    """
    return sorted({row_id for row_id, _ in items})


def _wanted(items: Collection[ItemKey]) -> set[tuple[int, str]]:
    return {(row_id, kind.value) for row_id, kind in items}


class SavedRepository:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def save(self, student_id: int, item: ItemKey, title: str, starts_at: datetime | None,
             ends_at: datetime | None, now: datetime) -> bool:
        """Save once; saving again changes nothing. True when the entry is new."""
        s = t.saved_resources
        found = self._conn.execute(
            select(s.c.removed_at).where(self._entry(student_id, item))
        ).first()
        if found is not None and found.removed_at is None:
            return False
        if found is not None:  # a removed entry whose key now names a live resource again
            self._conn.execute(delete(s).where(self._entry(student_id, item)))
        try:
            with self._conn.begin_nested():
                self._conn.execute(insert(s).values(
                    student_id=student_id, resource_id=item[0], kind=item[1].value,
                    title=title[:TITLE_SNAPSHOT_MAX], starts_at=starts_at, ends_at=ends_at,
                    saved_at=now,
                ))
        except IntegrityError:  # the same student saved it from another workstation just now
            return False
        return True

    def unsave(self, student_id: int, item: ItemKey) -> bool:
        result = self._conn.execute(
            delete(t.saved_resources).where(self._entry(student_id, item))
        )
        return bool(result.rowcount)

    def of_student(self, student_id: int) -> list[SavedRow]:
        s = t.saved_resources
        rows = self._conn.execute(
            select(s).where(s.c.student_id == student_id).order_by(s.c.saved_at)
        ).all()
        return [
            SavedRow(row.resource_id, ResourceKind(row.kind), row.title, row.starts_at,
                     row.ends_at, row.saved_at, row.removed_at is not None)
            for row in rows
        ]

    def saved_among(self, student_id: int, items: Collection[ItemKey]) -> set[ItemKey]:
        if not items:
            return set()
        s = t.saved_resources
        rows = self._conn.execute(
            select(s.c.resource_id, s.c.kind).where(
                s.c.student_id == student_id,
                s.c.removed_at.is_(None),
                s.c.resource_id.in_(_row_ids(items)),
            )
        )
        wanted = _wanted(items)
        return {(row.resource_id, ResourceKind(row.kind)) for row in rows
                if (row.resource_id, row.kind) in wanted}

    def count(self, item: ItemKey) -> int:
        s = t.saved_resources
        return int(self._conn.execute(
            select(func.count()).select_from(s).where(self._of_item(item),
                                                      s.c.removed_at.is_(None))
        ).scalar_one())

    def students(self, item: ItemKey) -> set[int]:
        s = t.saved_resources
        rows = self._conn.execute(
            select(s.c.student_id).where(self._of_item(item), s.c.removed_at.is_(None))
        )
        return {int(row.student_id) for row in rows}

    def refresh(self, item: ItemKey, title: str, starts_at: datetime | None,
                ends_at: datetime | None) -> None:
        """Keep the last known title and times of a live resource's entries current."""
        s = t.saved_resources
        self._conn.execute(
            update(s).where(self._of_item(item), s.c.removed_at.is_(None))
            .values(title=title[:TITLE_SNAPSHOT_MAX], starts_at=starts_at, ends_at=ends_at)
        )

    def move(self, old: ItemKey, new: ItemKey) -> None:
        """An edit moved the resource to another key (another kind, or out of a shared row)."""
        s = t.saved_resources
        self._conn.execute(
            update(s).where(self._of_item(old), s.c.removed_at.is_(None))
            .values(resource_id=new[0], kind=new[1].value)
        )

    def mark_removed(self, item: ItemKey, students_without_entry: Collection[int], title: str,
                     starts_at: datetime | None, ends_at: datetime | None,
                     now: datetime) -> None:
        """The resource is being deleted: its entries stay, readable as removed.

        Students who only had an RSVP get an entry too, so they learn it was removed.
        """
        s = t.saved_resources
        snapshot = {"title": title[:TITLE_SNAPSHOT_MAX], "starts_at": starts_at,
                    "ends_at": ends_at}
        self._conn.execute(
            update(s).where(self._of_item(item), s.c.removed_at.is_(None))
            .values(**snapshot, removed_at=now)
        )
        # Any entry still under this key was removed before (SQLite may reuse a row id).
        self._conn.execute(
            delete(s).where(self._of_item(item), s.c.student_id.in_(students_without_entry),
                            s.c.removed_at.is_not(None))
        )
        if students_without_entry:
            self._conn.execute(insert(s), [
                {"student_id": student, "resource_id": item[0], "kind": item[1].value,
                 **snapshot, "saved_at": now, "removed_at": now}
                for student in sorted(students_without_entry)
            ])

    @staticmethod
    def _of_item(item: ItemKey) -> Any:
        s = t.saved_resources
        return and_(s.c.resource_id == item[0], s.c.kind == item[1].value)

    @classmethod
    def _entry(cls, student_id: int, item: ItemKey) -> Any:
        return and_(t.saved_resources.c.student_id == student_id, cls._of_item(item))


class RsvpRepository:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def lock_resource(self, row_id: int) -> bool:
        """Lock the resource's row until the transaction ends; False if there is no such row.

        Every RSVP change and every edit of the resource takes this lock first, so they happen
        one after the other (SELECT … FOR UPDATE; on SQLite the unit of work holds the
        database's write lock from its first statement instead).
        """
        r = t.interest_resources
        found = self._conn.execute(
            select(r.c.id).where(r.c.id == row_id).with_for_update()
        ).first()
        if found is None:
            return False
        self._bump_lock_row(row_id)
        return True

    def _bump_lock_row(self, row_id: int) -> None:
        """Write the resource's lock row. Galera does not lock rows across nodes, but it lets only
        one of two transactions that wrote the same row commit (the other fails with 1213 and the
        unit of work runs it again), so every RSVP change writes this one row."""
        lk = t.resource_locks
        if self._conn.dialect.name in ("mysql", "mariadb"):
            mysql_upsert = mysql_insert(lk).values(resource_id=row_id, changes=1)
            statement: Any = mysql_upsert.on_duplicate_key_update(changes=lk.c.changes + 1)
        else:
            sqlite_upsert = sqlite_insert(lk).values(resource_id=row_id, changes=1)
            statement = sqlite_upsert.on_conflict_do_update(
                index_elements=[lk.c.resource_id], set_={"changes": lk.c.changes + 1}
            )
        self._conn.execute(statement)

    def capacities(self, items: Collection[ItemKey]) -> dict[ItemKey, int | None]:
        """The capacity of each item that exists (None: it takes no RSVPs)."""
        if not items:
            return {}
        r = t.interest_resources
        rows = self._conn.execute(
            select(r.c.id, r.c.kind, r.c.capacity, r.c.workshop, r.c.training, r.c.event)
            .where(r.c.id.in_({row_id for row_id, _ in items}))
        ).all()
        by_id = {row.id: row for row in rows}
        found: dict[ItemKey, int | None] = {}
        for row_id, kind in items:
            row = by_id.get(row_id)
            if row is None:
                continue
            if row.kind is None:  # an original-style row: one item per non-empty cell
                cell = getattr(row, kind.value)
                if cell is not None and cell.strip():
                    found[(row_id, kind)] = None
            elif row.kind == kind.value:
                found[(row_id, kind)] = row.capacity
        return found

    def get(self, item: ItemKey, student_id: int) -> RsvpRow | None:
        row = self._conn.execute(
            select(t.rsvps).where(_item(*item), t.rsvps.c.student_id == student_id)
        ).first()
        return None if row is None else _rsvp(row)

    def counts(self, item: ItemKey) -> RsvpCounts:
        return self.counts_for([item]).get(item, RsvpCounts())

    def counts_for(self, items: Collection[ItemKey]) -> dict[ItemKey, RsvpCounts]:
        if not items:
            return {}
        v = t.rsvps
        rows = self._conn.execute(
            select(v.c.resource_id, v.c.kind, v.c.status, func.count().label("n"))
            .where(v.c.resource_id.in_(_row_ids(items)))
            .group_by(v.c.resource_id, v.c.kind, v.c.status)
        ).all()
        wanted = _wanted(items)
        found: dict[ItemKey, dict[str, int]] = {}
        for row in rows:
            if (row.resource_id, row.kind) not in wanted:
                continue
            found.setdefault((row.resource_id, ResourceKind(row.kind)), {})[row.status] = row.n
        return {
            key: RsvpCounts(going=int(n.get(RsvpState.GOING.value, 0)),
                            waitlisted=int(n.get(RsvpState.WAITLISTED.value, 0)))
            for key, n in found.items()
        }

    def of_student(self, student_id: int,
                   items: Collection[ItemKey] | None = None) -> list[RsvpRow]:
        v = t.rsvps
        query = select(v).where(v.c.student_id == student_id)
        if items is not None:
            if not items:
                return []
            query = query.where(v.c.resource_id.in_(_row_ids(items)))
        rows = self._conn.execute(query.order_by(v.c.created_at)).all()
        if items is None:
            return [_rsvp(row) for row in rows]
        wanted = _wanted(items)
        return [_rsvp(row) for row in rows if (row.resource_id, row.kind) in wanted]

    def position(self, item: ItemKey, waitlist_seq: int) -> int:
        """Rank on the waitlist, from 1."""
        v = t.rsvps
        return int(self._conn.execute(
            select(func.count()).select_from(v).where(
                _item(*item), v.c.status == RsvpState.WAITLISTED.value,
                v.c.waitlist_seq <= waitlist_seq,
            )
        ).scalar_one())

    def positions(self, items: Collection[ItemKey]) -> dict[tuple[int, str, int], int]:
        """(row id, kind, seq) → waitlist position, for every waitlisted RSVP of the items."""
        if not items:
            return {}
        v = t.rsvps
        rows = self._conn.execute(
            select(v.c.resource_id, v.c.kind, v.c.waitlist_seq)
            .where(v.c.resource_id.in_(_row_ids(items)),
                   v.c.status == RsvpState.WAITLISTED.value)
            .order_by(v.c.resource_id, v.c.kind, v.c.waitlist_seq)
        ).all()
        wanted = _wanted(items)
        found: dict[tuple[int, str, int], int] = {}
        rank: dict[tuple[int, str], int] = {}
        for row in rows:
            pair = (row.resource_id, row.kind)
            if pair not in wanted:
                continue
            rank[pair] = rank.get(pair, 0) + 1
            found[(row.resource_id, row.kind, row.waitlist_seq)] = rank[pair]
        return found

    def add(self, item: ItemKey, student_id: int, state: RsvpState, now: datetime) -> RsvpRow:
        v = t.rsvps
        seq = None
        if state is RsvpState.WAITLISTED:
            last = self._conn.execute(
                select(func.max(v.c.waitlist_seq)).where(_item(*item))
            ).scalar()
            seq = int(last or 0) + 1
        self._conn.execute(insert(v).values(
            resource_id=item[0], kind=item[1].value, student_id=student_id, status=state.value,
            waitlist_seq=seq, created_at=now,
        ))
        return RsvpRow(item[0], item[1], student_id, state, seq, now)

    def remove(self, item: ItemKey, student_id: int) -> None:
        self._conn.execute(
            delete(t.rsvps).where(_item(*item), t.rsvps.c.student_id == student_id)
        )

    def first_waitlisted(self, item: ItemKey, count: int) -> list[int]:
        v = t.rsvps
        rows = self._conn.execute(
            select(v.c.student_id).where(_item(*item), v.c.status == RsvpState.WAITLISTED.value)
            .order_by(v.c.waitlist_seq).limit(count)
        )
        return [int(row.student_id) for row in rows]

    def promote(self, item: ItemKey, student_ids: Collection[int]) -> None:
        if not student_ids:
            return
        v = t.rsvps
        self._conn.execute(
            update(v).where(_item(*item), v.c.student_id.in_(student_ids))
            .values(status=RsvpState.GOING.value, waitlist_seq=None)
        )

    def students(self, item: ItemKey) -> set[int]:
        rows = self._conn.execute(select(t.rsvps.c.student_id).where(_item(*item)))
        return {int(row.student_id) for row in rows}

    def remove_all(self, item: ItemKey) -> None:
        self._conn.execute(delete(t.rsvps).where(_item(*item)))

    def move(self, old: ItemKey, new: ItemKey) -> None:
        self._conn.execute(
            update(t.rsvps).where(_item(*old)).values(resource_id=new[0], kind=new[1].value)
        )

    def attendees(self, item: ItemKey) -> list[tuple[RsvpRow, str, str]]:
        """Every RSVP of the item with the student's name and email: going first, then the
        waitlist in order."""
        v, s = t.rsvps, t.students_data
        rows = self._conn.execute(
            select(v, s.c.name, s.c.email)
            .join(s, s.c.id == v.c.student_id)
            .where(_item(*item))
            .order_by(v.c.waitlist_seq.is_not(None), v.c.waitlist_seq, v.c.created_at,
                      v.c.student_id)
        ).all()
        return [(_rsvp(row), row.name, row.email) for row in rows]


def _rsvp(row: Any) -> RsvpRow:
    return RsvpRow(int(row.resource_id), ResourceKind(row.kind), int(row.student_id),
                   RsvpState(row.status), row.waitlist_seq, row.created_at)


class AuditRepository:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def add(
        self,
        *,
        occurred_at: datetime,
        advisor_id: int | None,
        advisor_email: str,
        action: AuditAction,
        item: ItemKey | None,
        title: str,
        before: Mapping[str, Any] | None,
        after: Mapping[str, Any] | None,
        detail: str,
    ) -> None:
        self._conn.execute(insert(t.audit_log).values(
            occurred_at=occurred_at,
            advisor_id=advisor_id,
            advisor_email=advisor_email[:254],
            action=action.value,
            resource_id=item[0] if item else None,
            resource_kind=item[1].value if item else None,
            resource_title=title[:TITLE_SNAPSHOT_MAX] or None,
            before_values=_to_json(before),
            after_values=_to_json(after),
            detail=detail[:500],
        ))

    def list(self, flt: AuditFilter) -> list[AuditEntry]:
        a = t.audit_log
        conditions = []
        if flt.action is not None:
            conditions.append(a.c.action == flt.action.value)
        if flt.advisor:
            conditions.append(a.c.advisor_email.contains(flt.advisor, autoescape=True))
        if flt.resource_id is not None:
            conditions.append(a.c.resource_id == flt.resource_id)
        if flt.since is not None:
            conditions.append(a.c.occurred_at >= flt.since)
        if flt.until is not None:
            conditions.append(a.c.occurred_at < flt.until)
        rows = self._conn.execute(
            select(a).where(*conditions)
            .order_by(a.c.occurred_at.desc(), a.c.id.desc())
            .offset(flt.offset).limit(flt.limit)
        ).all()
        return [
            AuditEntry(
                id=int(row.id),
                occurred_at=row.occurred_at,
                advisor_id=row.advisor_id,
                advisor_email=row.advisor_email,
                action=AuditAction(row.action),
                resource_key=(resource_key(row.resource_id, ResourceKind(row.resource_kind))
                              if row.resource_id is not None and row.resource_kind else None),
                resource_title=row.resource_title or "",
                before=_from_json(row.before_values),
                after=_from_json(row.after_values),
                detail=row.detail,
            )
            for row in rows
        ]


def _to_json(values: Mapping[str, Any] | None) -> str | None:
    return None if values is None else json.dumps(values, ensure_ascii=False, sort_keys=True)


def _from_json(text: str | None) -> dict[str, Any] | None:
    if not text:
        return None
    loaded = json.loads(text)
    return loaded if isinstance(loaded, dict) else {"value": loaded}


class StudentDirectory:
    """Finding accounts at the desk; reads names, emails and roles only, never password data."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def find(self, text: str, limit: int) -> list[StudentSummary]:
        """Accounts whose email starts with, or whose name contains, the text; exact email
        first."""
        return _find_students(self._conn, text, limit)


def _find_students(conn: Connection, text: str, limit: int) -> list[StudentSummary]:
    s = t.students_data
    lowered = text.lower()
    rows = conn.execute(
        select(s.c.id, s.c.name, s.c.email, s.c.role)
        .where(or_(s.c.email.startswith(lowered, autoescape=True),
                   func.lower(s.c.name).contains(lowered, autoescape=True)))
        .order_by((s.c.email == lowered).desc(), s.c.name, s.c.id)
        .limit(limit)
    ).all()
    return [
        StudentSummary(int(row.id), row.name, row.email,
                       Role(row.role) if row.role in Role._value2member_map_ else Role.STUDENT)
        for row in rows
    ]
