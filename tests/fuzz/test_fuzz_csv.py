"""CSV import under generated input: whole files through the parser, and cells through the import.

A file is parsed into checked rows or refused with CatalogueImportFailed, never anything else.
A row's cells are stored and read back exactly, or the import is refused naming the row's line
and the bad column, and the database is as it was.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import event, given
from hypothesis import strategies as st

from studentres_desktop.domain.errors import CatalogueImportFailed, ValidationError
from studentres_desktop.domain.models import ResourceFilter
from studentres_desktop.services.catalogue import (
    CSV_COLUMNS,
    parse_catalogue_csv,
    parse_datetime,
)
from studentres_desktop.services.validation import (
    DESCRIPTION_MAX,
    LOCATION_MAX,
    TITLE_MAX,
    URL_MAX,
    check_kind,
)
from tests.fuzz.conftest import VOCABULARY, FuzzDatabase, database_settings
from tests.fuzz.strategies import AWKWARD, around_limit, field_text, limit_integers, text

FINE_ROW = {
    "kind": "workshop",
    "title": "Soldering for beginners",
    "description": "Bring nothing.",
    "interest_tags": "Robotics; AI",
    "starts_at": "2027-03-14T14:00",
    "ends_at": "2027-03-14T16:00",
    "location": "Lab 2",
    "url": "https://example.edu/solder",
    "capacity": "12",
}
WHERE_A_FILE_PROBLEM_IS = {*CSV_COLUMNS, "header", "row", "file"}

time_cells = st.one_of(
    st.datetimes().map(datetime.isoformat),
    st.datetimes().map(lambda moment: moment.isoformat(sep=" ", timespec="minutes")),
    st.builds(lambda moment, offset: moment.isoformat(timespec="minutes") + offset,
              st.datetimes(), st.sampled_from(["Z", "+00:00", "+14:00", "-12:00", "+05:30"])),
    text(30),
    st.just(""),
)
CELLS: dict[str, st.SearchStrategy[str]] = {
    "kind": st.sampled_from(["workshop", " Event ", "TRAINING", "talk", ""]) | text(12),
    "title": field_text(TITLE_MAX),
    "description": text() | around_limit(DESCRIPTION_MAX),
    "interest_tags": st.lists(st.sampled_from([*VOCABULARY, " AI ", "", "Not a tag!"]) | text(10),
                              max_size=4).map(";".join),
    "starts_at": time_cells,
    "ends_at": time_cells,
    "location": field_text(LOCATION_MAX),
    "url": text() | around_limit(URL_MAX) | text().map(lambda tail: " https://x.edu/" + tail),
    "capacity": limit_integers.map(str) | text(12) | st.sampled_from(["", " 7 ", "1_000", "1e3"]),
}


@given(content=st.one_of(
    text(400),
    st.lists(st.lists(text(20) | st.sampled_from(AWKWARD), max_size=12).map(",".join),
             max_size=6).map("\n".join).map(lambda body: ",".join(CSV_COLUMNS) + "\n" + body),
))
def test_any_file_is_parsed_or_refused_with_its_problems_listed(content: str):
    try:
        rows = parse_catalogue_csv(io.StringIO(content, newline=""))
    except CatalogueImportFailed as failure:
        assert failure.problems
        for problem in failure.problems:
            assert problem.line >= 1 and problem.field in WHERE_A_FILE_PROBLEM_IS, problem
        return
    assert all(row.line >= 2 for row in rows)


def csv_bytes(row: dict[str, str]) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    writer.writerow([row[column] for column in CSV_COLUMNS])
    # A lone surrogate cannot be UTF-8; written as its bytes, the file must be refused as such.
    return out.getvalue().encode("utf-8", "surrogatepass")


def expected_cells(row: dict[str, str]) -> dict[str, object]:
    """What the import stores for an accepted row, read from the cells as the README describes."""
    capacity = row["capacity"].strip()
    return {
        "kind": check_kind(row["kind"]),
        "title": row["title"],
        "description": row["description"],
        "interest_tags": sorted({t.strip() for t in row["interest_tags"].split(";") if t.strip()}),
        "starts_at": parse_datetime("starts_at", row["starts_at"]),
        "ends_at": parse_datetime("ends_at", row["ends_at"]),
        "location": row["location"],
        "url": row["url"].strip(),
        "capacity": int(capacity) if capacity else None,
    }


def import_or_refuse(fuzz_db: FuzzDatabase, path: Path, row: dict[str, str],
                     columns: set[str]) -> None:
    fuzz_db.reset()
    path.write_bytes(csv_bytes(row))
    before = fuzz_db.snapshot()
    try:
        added = fuzz_db.services.catalogue.import_csv(path)
    except CatalogueImportFailed as failure:
        assert fuzz_db.snapshot() == before
        for problem in failure.problems:
            if problem.field == "file":  # only a lone surrogate makes it so
                assert any("\ud800" <= c <= "\udfff" for c in "".join(row.values()))
                continue
            assert (problem.line, problem.field) in {(2, column) for column in columns}, problem
        event("refused")
        return
    event("imported")
    assert added == 1
    [stored] = fuzz_db.services.catalogue.list(ResourceFilter()).items
    assert {
        "kind": stored.kind, "title": stored.title, "description": stored.description,
        "interest_tags": sorted(stored.interest_tags), "starts_at": stored.starts_at,
        "ends_at": stored.ends_at, "location": stored.location, "url": stored.url,
        "capacity": stored.capacity,
    } == expected_cells(row)


@pytest.fixture
def csv_path(tmp_path: Path) -> Path:
    return tmp_path / "catalogue.csv"


@database_settings
@given(column=st.sampled_from(CSV_COLUMNS), data=st.data())
def test_each_cell_is_imported_exactly_or_refused_by_line_and_column(
    fuzz_db: FuzzDatabase, csv_path: Path, column: str, data: st.DataObject, utc_plus_one: None
):
    row = {**FINE_ROW, column: data.draw(CELLS[column], label=column)}
    # A bad start can only be reported against the end time it no longer precedes, and back.
    columns = {"starts_at", "ends_at"} if column.endswith("_at") else {column}
    import_or_refuse(fuzz_db, csv_path, row, columns)


@database_settings
@given(row=st.fixed_dictionaries(CELLS))
def test_a_row_of_generated_cells_is_imported_exactly_or_refused(
    fuzz_db: FuzzDatabase, csv_path: Path, row: dict[str, str], utc_plus_one: None
):
    import_or_refuse(fuzz_db, csv_path, row, set(CSV_COLUMNS))


def test_the_expected_cells_follow_the_parser_for_a_plain_row():
    assert expected_cells(FINE_ROW)["interest_tags"] == ["AI", "Robotics"]
    with pytest.raises(ValidationError):
        expected_cells({**FINE_ROW, "kind": "talk"})
