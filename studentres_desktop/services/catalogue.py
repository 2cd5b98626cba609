"""Catalogue administration: seeding, CSV import and listing, for IT staff and advisors' tools."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TextIO

from studentres_desktop.domain.errors import (
    CatalogueImportFailed,
    ImportProblem,
    ValidationError,
)
from studentres_desktop.domain.models import ResourceDraft, ResourceFilter, ResourcePage
from studentres_desktop.persistence.uow import UnitOfWorkFactory, read_with_retry
from studentres_desktop.services.clock import Clock, utc_now
from studentres_desktop.services.demo_catalogue import DEFAULT_INTERESTS, demo_drafts
from studentres_desktop.services.resources import check_draft, check_filter

CSV_COLUMNS = (
    "kind",
    "title",
    "description",
    "interest_tags",
    "starts_at",
    "ends_at",
    "location",
    "url",
    "capacity",
)


@dataclass(frozen=True)
class ParsedRow:
    line: int
    draft: ResourceDraft


def parse_datetime(field: str, value: str) -> datetime | None:
    """ISO 8601; a time with an offset is converted to this computer's local time."""
    value = value.strip()
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ValidationError(
            field, f"'{value[:40]}' is not an ISO 8601 date/time such as 2026-03-14T14:00"
        ) from None
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone().replace(tzinfo=None)
    return parsed


def parse_capacity(value: str) -> int | None:
    value = value.strip()
    if not value:
        return None
    try:
        return int(value)
    except ValueError:
        raise ValidationError("capacity", f"'{value[:20]}' is not a whole number.") from None


def parse_catalogue_csv(stream: TextIO) -> list[ParsedRow]:
    """Every row as a checked draft, or CatalogueImportFailed listing every bad row."""
    reader = csv.DictReader(stream, strict=True)
    try:
        header = reader.fieldnames or []
    except csv.Error as error:
        raise CatalogueImportFailed([ImportProblem(1, "header", str(error))]) from None
    missing = [c for c in CSV_COLUMNS if c not in header]
    extra = [c for c in header if c not in CSV_COLUMNS]
    if missing or extra:
        detail = []
        if missing:
            detail.append(f"missing columns: {', '.join(missing)}")
        if extra:
            detail.append(f"unknown columns: {', '.join(str(c) for c in extra)}")
        raise CatalogueImportFailed(
            [ImportProblem(1, "header", "; ".join(detail) + f"; expected {','.join(CSV_COLUMNS)}")]
        )
    rows: list[ParsedRow] = []
    problems: list[ImportProblem] = []
    while True:
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            problems.append(ImportProblem(reader.line_num, "row", f"unreadable CSV: {error}"))
            break
        line = reader.line_num
        if None in record:
            problems.append(ImportProblem(line, "row", "has more cells than the header"))
            continue
        if all(not (v or "").strip() for v in record.values()):
            continue
        try:
            rows.append(ParsedRow(line, _draft_from_record(record)))
        except ValidationError as error:
            problems.append(ImportProblem(line, error.field, error.message))
    if problems:
        raise CatalogueImportFailed(problems)
    return rows


def _draft_from_record(record: dict[str, str]) -> ResourceDraft:
    cell = {key: (value or "") for key, value in record.items()}
    tags = tuple(t.strip() for t in cell["interest_tags"].split(";") if t.strip())
    return check_draft(
        ResourceDraft(
            kind=cell["kind"],  # type: ignore[arg-type]  # check_draft validates it
            title=cell["title"],
            description=cell["description"],
            interest_tags=tags,
            starts_at=parse_datetime("starts_at", cell["starts_at"]),
            ends_at=parse_datetime("ends_at", cell["ends_at"]),
            location=cell["location"],
            url=cell["url"].strip(),
            capacity=parse_capacity(cell["capacity"]),
        )
    )


class CatalogueService:
    """Operations for people with direct database access (the admin CLI): no session token."""

    def __init__(self, uow_factory: UnitOfWorkFactory, clock: Clock = utc_now) -> None:
        self._uow = uow_factory
        self._clock = clock

    def seed_interests(self) -> int:
        """Add the starting vocabulary where missing; returns how many were added."""
        with self._uow() as uow:
            added = uow.interests.add_missing(DEFAULT_INTERESTS)
            uow.commit()
        return added

    def seed_demo(self, today: date | None = None) -> int:
        """Add the demo resources that are not there yet (matched by kind and title)."""
        self.seed_interests()
        drafts = demo_drafts(today or date.today())
        with self._uow() as uow:
            present = uow.resources.titles()
            new = [d for d in drafts if (d.kind.value, d.title) not in present]
            uow.resources.add_many(new, self._clock())
            uow.commit()
        return len(new)

    def is_empty(self) -> bool:
        return read_with_retry(self._uow, lambda uow: not uow.resources.page(
            ResourceFilter(limit=1))[0])

    def import_csv(self, path: Path) -> int:
        """Import every row in one transaction, or nothing; returns how many were added."""
        try:
            with path.open(encoding="utf-8-sig", newline="") as stream:
                rows = parse_catalogue_csv(stream)
        except UnicodeDecodeError as error:
            raise CatalogueImportFailed(
                [ImportProblem(0, "file", f"is not UTF-8 text (byte {error.start})")]
            ) from None
        except OSError as error:
            raise ValidationError("file", f"cannot be read: {error.strerror}") from None
        return self.add_rows(rows)

    def add_rows(self, rows: Sequence[ParsedRow]) -> int:
        with self._uow() as uow:
            known = uow.interests.existing(t for row in rows for t in row.draft.interest_tags)
            problems = [
                ImportProblem(row.line, "interest_tags", f"unknown interest '{tag}'")
                for row in rows
                for tag in row.draft.interest_tags
                if tag not in known
            ]
            if problems:
                raise CatalogueImportFailed(problems)
            uow.resources.add_many([row.draft for row in rows], self._clock())
            uow.commit()
        return len(rows)

    def add(self, drafts: Iterable[ResourceDraft]) -> int:
        return self.add_rows([ParsedRow(n, check_draft(d)) for n, d in enumerate(drafts, 1)])

    def list(self, flt: ResourceFilter) -> ResourcePage:
        flt = check_filter(flt)
        items, has_more = read_with_retry(self._uow, lambda uow: uow.resources.page(flt))
        return ResourcePage(tuple(items), flt.offset, flt.limit, has_more)
