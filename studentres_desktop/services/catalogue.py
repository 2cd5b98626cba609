"""Catalogue administration: seeding, CSV import and listing, for IT staff and advisors' tools."""

from __future__ import annotations

import codecs
import csv
import dataclasses
import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TextIO, TypeVar

from studentres_desktop.domain.errors import (
    CatalogueImportFailed,
    ImportCancelled,
    ImportProblem,
    ValidationError,
)
from studentres_desktop.domain.models import (
    AuditAction,
    ImportPreview,
    PreviewRow,
    Principal,
    Resource,
    ResourceDraft,
    ResourceFilter,
    ResourceKind,
    ResourcePage,
    resource_key,
)
from studentres_desktop.persistence.uow import (
    UnitOfWork,
    UnitOfWorkFactory,
    read_with_retry,
    run_write,
)
from studentres_desktop.services.audit import Actor, actor_of, admin_actor, record
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
T = TypeVar("T")
Progress = Callable[[int, int], None]
CancelCheck = Callable[[], bool]
IMPORT_BATCH = 100


@dataclass(frozen=True)
class ParsedRow:
    line: int
    draft: ResourceDraft


# The DATETIME range MySQL and MariaDB document as supported; it also catches typos like 0202.
EARLIEST = datetime(1000, 1, 1)
LATEST = datetime(9999, 12, 31, 23, 59, 59)


def parse_datetime(field: str, value: str) -> datetime | None:
    """ISO 8601; a time with an offset is converted to this computer's local time."""
    value = value.strip()
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
        if parsed.tzinfo is not None:
            parsed = parsed.astimezone().replace(tzinfo=None)
    except ValueError:
        raise ValidationError(
            field, f"'{value[:40]}' is not an ISO 8601 date/time such as 2026-03-14T14:00"
        ) from None
    except OverflowError:  # an offset pushed it past year 1 or 9999
        parsed = datetime.min
    if not EARLIEST <= parsed <= LATEST:
        raise ValidationError(field, f"'{value[:40]}' is not between the years 1000 and 9999.")
    return parsed


def parse_capacity(value: str) -> int | None:
    value = value.strip()
    if not value:
        return None
    try:
        return int(value)
    except ValueError:
        raise ValidationError("capacity", f"'{value[:20]}' is not a whole number.") from None


@dataclass(frozen=True)
class _CsvReading:
    rows: list[ParsedRow]
    problems: list[ImportProblem]
    # (line, well-formed tags) of every row, bad ones too, to check against the vocabulary.
    tags: list[tuple[int, tuple[str, ...]]]
    # (line, cells by column) of every record, for a preview.
    records: list[tuple[int, dict[str, str]]] = dataclasses.field(default_factory=list)


def parse_catalogue_csv(stream: TextIO) -> list[ParsedRow]:
    """Every row as a checked draft, or CatalogueImportFailed listing every bad row.

    A problem's line is the physical line where its record begins, so a row whose quoted
    description spans several lines is found where its kind and title are.
    """
    reading = _read_catalogue_csv(stream)
    if reading.problems:
        raise CatalogueImportFailed(sorted(reading.problems, key=_reading_order))
    return reading.rows


def _reading_order(problem: ImportProblem) -> tuple[int, int]:
    """By line, then in the order of the columns, so a person can fix a row left to right."""
    field = problem.field
    return problem.line, CSV_COLUMNS.index(field) if field in CSV_COLUMNS else -1


def _read_catalogue_csv(stream: TextIO) -> _CsvReading:
    reader = csv.reader(stream, strict=True)
    try:
        header = next(reader, [])
    except csv.Error as error:
        raise CatalogueImportFailed([ImportProblem(1, "header", str(error))]) from None
    _check_header(header)
    reading = _CsvReading([], [], [])
    while True:
        begins = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            reading.problems.append(ImportProblem(begins, "row", f"unreadable CSV: {error}"))
            break
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) > len(header):
            reading.problems.append(ImportProblem(
                begins, "row", f"has {len(cells)} cells, but the header has {len(header)}"
            ))
            reading.records.append((begins, dict(zip(header, cells, strict=False))))
            continue
        record = dict(zip(header, cells, strict=False))
        reading.records.append((begins, {c: record.get(c, "") for c in CSV_COLUMNS}))
        draft, tags, errors = _draft_from_record(record)
        reading.tags.append((begins, tags))
        reading.problems.extend(ImportProblem(begins, e.field, e.message) for e in errors)
        if draft is not None:
            reading.rows.append(ParsedRow(begins, draft))
    return reading


def _check_header(header: list[str]) -> None:
    missing = [c for c in CSV_COLUMNS if c not in header]
    extra = [c for c in header if c not in CSV_COLUMNS]
    repeated = list(dict.fromkeys(c for c in header if header.count(c) > 1))
    if not (missing or extra or repeated):
        return
    detail = []
    if missing:
        detail.append(f"missing columns: {', '.join(missing)}")
    if extra:
        detail.append(f"unknown columns: {', '.join(extra)}")
    if repeated:
        detail.append(f"repeated columns: {', '.join(repeated)}")
    raise CatalogueImportFailed(
        [ImportProblem(1, "header", "; ".join(detail) + f"; expected {','.join(CSV_COLUMNS)}")]
    )


# Valid stand-ins for a field already reported, so the next check can look at the other fields.
_STAND_INS: dict[str, dict[str, object]] = {
    "kind": {"kind": ResourceKind.WORKSHOP},
    "title": {"title": "-"},
    "description": {"description": ""},
    "interest_tags": {"interest_tags": ()},
    "starts_at": {"starts_at": None, "ends_at": None},
    "ends_at": {"starts_at": None, "ends_at": None},
    "location": {"location": ""},
    "url": {"url": ""},
    "capacity": {"capacity": None},
}


def _draft_from_record(
    record: dict[str, str],
) -> tuple[ResourceDraft | None, tuple[str, ...], list[ValidationError]]:
    """The checked draft (None if any field is bad), the row's well-formed tags, every problem."""
    cell = {column: record.get(column, "") for column in CSV_COLUMNS}
    errors: list[ValidationError] = []
    stand_ins: dict[str, object] = {}

    def parsed(column: str, parse: Callable[[], T]) -> T | None:
        try:
            return parse()
        except ValidationError as error:
            errors.append(error)
            stand_ins.update(_STAND_INS[column])
            return None

    starts_at = parsed("starts_at", lambda: parse_datetime("starts_at", cell["starts_at"]))
    ends_at = parsed("ends_at", lambda: parse_datetime("ends_at", cell["ends_at"]))
    capacity = parsed("capacity", lambda: parse_capacity(cell["capacity"]))
    draft = ResourceDraft(
        kind=cell["kind"],  # type: ignore[arg-type]  # check_draft validates it
        title=cell["title"],
        description=cell["description"],
        interest_tags=tuple(t.strip() for t in cell["interest_tags"].split(";") if t.strip()),
        starts_at=starts_at,
        ends_at=ends_at,
        location=cell["location"],
        url=cell["url"].strip(),
        capacity=capacity,
    )
    draft = dataclasses.replace(draft, **stand_ins)  # type: ignore[arg-type]
    # check_draft stops at the first bad field: stand in for it and check again, so one run
    # of the import names every bad field of the row.
    for _ in range(len(_STAND_INS) + 1):
        try:
            checked = check_draft(draft)
        except ValidationError as error:
            errors.append(error)
            if error.field not in _STAND_INS:
                break
            draft = dataclasses.replace(draft, **_STAND_INS[error.field])  # type: ignore[arg-type]
            continue
        return (None if errors else checked), checked.interest_tags, errors
    return None, (), errors


class CatalogueService:
    """Operations for people with direct database access (the admin CLI): no session token."""

    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        clock: Clock = utc_now,
        on_catalogue_changed: Callable[[], None] = lambda: None,
    ) -> None:
        self._uow = uow_factory
        self._clock = clock
        self._changed = on_catalogue_changed

    def seed_interests(self) -> int:
        """Add the starting vocabulary where missing; returns how many were added."""
        return run_write(self._uow, lambda uow: uow.interests.add_missing(DEFAULT_INTERESTS))

    def seed_demo(self, today: date | None = None) -> int:
        """Add the demo resources that are not there yet (matched by kind and title)."""
        self.seed_interests()
        drafts = demo_drafts(today or date.today())
        def write(uow: UnitOfWork) -> int:
            present = uow.resources.titles()
            new = [d for d in drafts if (d.kind.value, d.title) not in present]
            uow.resources.add_many(new, self._clock())
            return len(new)

        added = run_write(self._uow, write)
        self._changed()
        return added

    def is_empty(self) -> bool:
        return read_with_retry(self._uow, lambda uow: not uow.resources.page(
            ResourceFilter(limit=1))[0])

    def import_csv(
        self,
        path: Path,
        *,
        actor: Actor | None = None,
        progress: Progress | None = None,
        cancelled: CancelCheck | None = None,
    ) -> int:
        """Import every row in one transaction, or nothing; returns how many were added.

        The import is recorded in the audit log as `actor` (studentres-admin by default).
        """
        reading = _read_catalogue_csv(io.StringIO(_read_utf8(path), newline=""))
        return self._add_checked(reading.rows, reading.problems, reading.tags,
                                 actor=actor or admin_actor(), source=path.name,
                                 progress=progress, cancelled=cancelled)

    def preview_csv(self, path: Path) -> ImportPreview:
        """Read the file as `import_csv` would, changing nothing: every record with its cells,
        its draft when good, and its problems (line, column, message)."""
        try:
            reading = _read_catalogue_csv(io.StringIO(_read_utf8(path), newline=""))
        except CatalogueImportFailed as failed:  # unreadable file or header: no rows at all
            return ImportPreview((), tuple(failed.problems))
        problems = reading.problems + read_with_retry(
            self._uow, lambda uow: _unknown_tags(uow, reading.tags)
        )
        problems.sort(key=_reading_order)
        good = {row.line: row.draft for row in reading.rows}
        by_line: dict[int, list[ImportProblem]] = {}
        for problem in problems:
            by_line.setdefault(problem.line, []).append(problem)
        rows = tuple(
            PreviewRow(line, cells, None if by_line.get(line) else good.get(line),
                       tuple(by_line.get(line, ())))
            for line, cells in reading.records
        )
        return ImportPreview(rows, tuple(problems))

    def import_preview(
        self,
        preview: ImportPreview,
        *,
        actor: Actor | Principal,
        source: str = "",
        progress: Progress | None = None,
        cancelled: CancelCheck | None = None,
    ) -> int:
        """Import the rows of a clean preview in one transaction (see `_add_checked`)."""
        if preview.problems:
            raise CatalogueImportFailed(list(preview.problems))
        rows = [ParsedRow(row.line, row.draft) for row in preview.rows if row.draft is not None]
        return self._add_checked(rows, [], [(row.line, row.draft.interest_tags) for row in rows],
                                 actor=actor, source=source, progress=progress,
                                 cancelled=cancelled)

    def add_rows(self, rows: Sequence[ParsedRow]) -> int:
        return self._add_checked(rows, [], [(row.line, row.draft.interest_tags) for row in rows])

    def _add_checked(
        self,
        rows: Sequence[ParsedRow],
        problems: list[ImportProblem],
        tags: list[tuple[int, tuple[str, ...]]],
        *,
        actor: Actor | Principal | None = None,
        source: str = "",
        progress: Progress | None = None,
        cancelled: CancelCheck | None = None,
    ) -> int:
        """Add the rows in one transaction, in batches; `progress(done, total)` follows each
        batch and `cancelled()` is asked before it. A cancelled or failed import adds nothing.
        With an `actor`, one audit entry records the import."""
        def write(uow: UnitOfWork) -> None:
            found = problems + _unknown_tags(uow, tags)
            if found:
                raise CatalogueImportFailed(sorted(found, key=_reading_order))
            now, keys, total = self._clock(), [], len(rows)
            for start in range(0, total, IMPORT_BATCH):
                if cancelled is not None and cancelled():
                    raise ImportCancelled()
                batch = [row.draft for row in rows[start:start + IMPORT_BATCH]]
                ids = uow.resources.add_many(batch, now)
                keys += [resource_key(row_id, d.kind) for row_id, d in zip(ids, batch,
                                                                           strict=True)]
                if progress is not None:
                    progress(start + len(batch), total)
            if cancelled is not None and cancelled():
                raise ImportCancelled()
            recorded = actor_of(uow, actor) if isinstance(actor, Principal) else actor
            if recorded is not None:
                record(uow, recorded, AuditAction.CATALOGUE_IMPORTED, now,
                       after={"source": source, "count": total, "keys": keys},
                       detail=f"{total} resources" + (f" from {source}" if source else ""))

        run_write(self._uow, write)
        self._changed()
        return len(rows)

    def export_csv(self, path: Path) -> int:
        """Write the whole catalogue in the import format; returns how many resources."""
        resources = read_with_retry(self._uow, lambda uow: uow.catalogue.all_resources())
        buffer = io.StringIO(newline="")
        write_catalogue_csv(resources, buffer)
        try:
            path.write_text(buffer.getvalue(), encoding="utf-8", newline="")
        except OSError as error:
            raise ValidationError(str(path), f"cannot be written: {error.strerror}") from None
        return len(resources)

    def add(self, drafts: Iterable[ResourceDraft]) -> int:
        return self.add_rows([ParsedRow(n, check_draft(d)) for n, d in enumerate(drafts, 1)])

    def count(self, flt: ResourceFilter | None = None) -> int:
        """How many resources the filter matches (the whole catalogue by default)."""
        checked = check_filter(flt or ResourceFilter())
        return read_with_retry(self._uow, lambda uow: uow.resources.count(checked))

    def list(self, flt: ResourceFilter) -> ResourcePage:
        flt = check_filter(flt)
        items, has_more = read_with_retry(self._uow, lambda uow: uow.resources.page(flt))
        return ResourcePage(tuple(items), flt.offset, flt.limit, has_more)


def _unknown_tags(uow: UnitOfWork, tags: list[tuple[int, tuple[str, ...]]]
                  ) -> list[ImportProblem]:
    known = uow.interests.existing(tag for _, row_tags in tags for tag in row_tags)
    return [
        ImportProblem(line, "interest_tags", f"unknown interest '{tag}'")
        for line, row_tags in tags
        for tag in row_tags
        if tag not in known
    ]


def _iso(value: datetime | None) -> str:
    return value.isoformat(timespec="seconds") if value is not None else ""


def write_catalogue_csv(resources: Iterable[Resource], stream: TextIO) -> None:
    """The resources in the format `import-resources` reads (an export imports back equal)."""
    writer = csv.writer(stream, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for resource in resources:
        writer.writerow([
            resource.kind.value,
            resource.title,
            resource.description,
            ";".join(resource.interest_tags),
            _iso(resource.starts_at),
            _iso(resource.ends_at),
            resource.location,
            resource.url,
            "" if resource.capacity is None else str(resource.capacity),
        ])


def _read_utf8(path: Path) -> str:
    """The file's text (a UTF-8 byte order mark is dropped), or an error naming the bad line."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise ValidationError(str(path), f"cannot be read: {error.strerror}") from None
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise CatalogueImportFailed([ImportProblem(
            line, "file", "is not UTF-8 text; save it as \"CSV UTF-8\" and try again"
        )]) from None
