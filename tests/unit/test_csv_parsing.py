"""Reading the catalogue CSV without a database: cells to checked drafts, and bad rows reported
so a person can find and fix every one of them in a single pass.

Line numbers: a problem names the physical line where its record *begins*. A quoted description
may span several lines; the record's first line is the one with its kind and title, which is what
a person looks for in an editor. Blank lines and the lines inside quoted cells are counted, so the
number is the one an editor shows.
"""

from __future__ import annotations

import io
from datetime import datetime

import pytest

from studentres_desktop.domain.errors import CatalogueImportFailed, ValidationError
from studentres_desktop.domain.models import ResourceKind
from studentres_desktop.services.catalogue import (
    CSV_COLUMNS,
    parse_capacity,
    parse_catalogue_csv,
    parse_datetime,
)

HEADER = ",".join(CSV_COLUMNS)


def parse(text: str):
    return parse_catalogue_csv(io.StringIO(text, newline=""))


def problems_of(text: str) -> list[tuple[int, str]]:
    with pytest.raises(CatalogueImportFailed) as caught:
        parse(text)
    return [(p.line, p.field) for p in caught.value.problems]


# --- good rows ------------------------------------------------------------------------------------


def test_a_good_file_gives_one_checked_draft_per_row(utc_plus_one):
    rows = parse(
        f"{HEADER}\r\n"
        'workshop,ROS 2 for beginners,"Install ROS 2, then:\r\n- build a node\r\n- say ""hi""",'
        "Robotics; AI ,2027-03-14T14:00+02:00,2027-03-14T16:30+02:00,"
        '"Engineering Building, Room 2.14",https://events.example.edu/ros2,25\r\n'
        "TRAINING,Self-paced SQL,,,,,Online (self-paced),,\r\n"
    )
    assert [row.line for row in rows] == [2, 5]
    ros, sql = rows[0].draft, rows[1].draft
    assert ros.kind is ResourceKind.WORKSHOP
    assert ros.description == 'Install ROS 2, then:\r\n- build a node\r\n- say "hi"'
    assert ros.interest_tags == ("Robotics", "AI")
    assert ros.starts_at == datetime(2027, 3, 14, 13, 0)  # 14:00 at UTC+2 is 13:00 here
    assert ros.ends_at == datetime(2027, 3, 14, 15, 30)
    assert ros.location == "Engineering Building, Room 2.14"
    assert ros.url == "https://events.example.edu/ros2"
    assert ros.capacity == 25
    assert sql.kind is ResourceKind.TRAINING
    assert sql.interest_tags == ()
    assert (sql.starts_at, sql.ends_at, sql.capacity, sql.url) == (None, None, None, "")


def test_blank_and_whitespace_only_lines_are_skipped_but_counted():
    rows = parse(f"{HEADER}\n\nworkshop,First,,,,,,,\n   \n\nevent,Second,,,,,,,\n")
    assert [(row.line, row.draft.title) for row in rows] == [(3, "First"), (6, "Second")]


def test_a_row_with_fewer_cells_than_the_header_leaves_the_rest_empty():
    [row] = parse(f"{HEADER}\nworkshop,Short row\n")
    assert row.draft.title == "Short row"
    assert (row.draft.description, row.draft.starts_at, row.draft.capacity) == ("", None, None)


def test_a_header_only_file_has_no_rows():
    assert parse(f"{HEADER}\n") == []


# --- bad rows -------------------------------------------------------------------------------------


def test_every_bad_row_is_reported_with_its_line_and_field():
    text = (
        f"{HEADER}\n"
        "workshop,Good row,,AI,2027-01-05T10:00,2027-01-05T12:00,Room 1,,\n"  # 2
        "seminar,Bad kind,,AI,,,,,\n"  # 3
        "workshop,Bad date,,AI,2027-13-01T10:00,,,,\n"  # 4
        "workshop,Ends first,,AI,2027-01-02T10:00,2027-01-02T09:00,,,\n"  # 5
        "workshop,Bad url,,AI,,,,ftp://files.example.edu/a,\n"  # 6
        "workshop,Bad capacity,,AI,,,,,twenty\n"  # 7
        "workshop,,,AI,,,,,\n"  # 8
        "workshop,Bad tag,,AI;no/slash,,,,,\n"  # 9
        "workshop,Zero seats,,AI,,,,,0\n"  # 10
        "workshop,End without start,,,,2027-01-02T09:00,,,\n"  # 11
        'workshop,Bad place,,,,,"Room\n2",,\n'  # 12-13
    )
    assert problems_of(text) == [
        (3, "kind"),
        (4, "starts_at"),
        (5, "ends_at"),
        (6, "url"),
        (7, "capacity"),
        (8, "title"),
        (9, "interest_tags"),
        (10, "capacity"),
        (11, "starts_at"),
        (12, "location"),
    ]


def test_every_bad_field_of_one_row_is_reported_in_column_order():
    text = f"{HEADER}\nparty,,,AI,yesterday,2027-01-01T10:00,,www.example.edu,lots\n"
    assert problems_of(text) == [
        (2, "kind"),
        (2, "title"),
        (2, "starts_at"),
        (2, "url"),
        (2, "capacity"),
    ]


def test_an_unreadable_start_does_not_also_report_the_end_as_lacking_one():
    # The end is fine; only the start is wrong, and the person is told just that.
    assert problems_of(f"{HEADER}\nworkshop,T,,,14/03/2027,2027-03-14T16:00,,,\n") == [
        (2, "starts_at")
    ]


def test_line_numbers_are_where_a_multi_line_record_begins():
    text = (
        f"{HEADER}\n"  # 1
        "workshop,Fine,,,,,,,\n"  # 2
        'wrkshop,Long description,"first line\n'  # 3: the bad record begins here
        "second line\n"  # 4
        'third line",,,,,,\n'  # 5
        "\n"  # 6
        'event,Also long,"a\nb",,,,,,many\n'  # 7-8
        "event,Last,,,,,,,-3\n"  # 9
    )
    assert problems_of(text) == [(3, "kind"), (7, "capacity"), (9, "capacity")]


def test_the_message_lets_a_person_find_each_row_and_field():
    text = f'{HEADER}\nworkshop,Fine,,,,,,,\nseminar,"Two\nlines",,,,,,,\n'
    with pytest.raises(CatalogueImportFailed) as caught:
        parse(text)
    message = str(caught.value)
    assert message.startswith("Nothing was imported")
    assert "line 3, kind: 'seminar' is not one of: workshop, training, event." in message


def test_problem_fields_are_header_column_names():
    text = f"{HEADER}\nx,,\x00,bad!tag,soon,later,a\tb,mailto:a@b.c,1.5\n"
    with pytest.raises(CatalogueImportFailed) as caught:
        parse(text)
    fields = [p.field for p in caught.value.problems]
    assert set(fields) <= set(CSV_COLUMNS)
    assert fields == [f for f in CSV_COLUMNS if f in fields]  # column order
    assert len(fields) >= 7


def test_a_row_with_more_cells_than_the_header_is_reported_as_a_row_problem():
    text = f"{HEADER}\nworkshop,Too wide,,,,,,,,surplus\nworkshop,Fine,,,,,,,\n"
    with pytest.raises(CatalogueImportFailed) as caught:
        parse(text)
    [problem] = caught.value.problems
    assert (problem.line, problem.field) == (2, "row")
    assert "10 cells" in problem.message and "9" in problem.message


def test_an_unclosed_quote_is_reported_where_its_record_begins():
    text = f'{HEADER}\nworkshop,Fine,,,,,,,\nworkshop,"Unclosed,,,,,,,\nevent,Next,,,,,,,\n'
    with pytest.raises(CatalogueImportFailed) as caught:
        parse(text)
    [problem] = caught.value.problems
    assert (problem.line, problem.field) == (3, "row")
    assert "unreadable CSV" in problem.message


def test_text_after_a_closing_quote_is_reported():
    assert problems_of(f'{HEADER}\nworkshop,"Quoted"tail,,,,,,,\n') == [(2, "row")]


# --- the header -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (HEADER.replace(",capacity", ""), "missing columns: capacity"),
        (HEADER + ",price", "unknown columns: price"),
        (HEADER.replace("title", "Title"), "missing columns: title; unknown columns: Title"),
        (HEADER + ",kind", "repeated columns: kind"),
        ("", "missing columns: kind, title"),
    ],
)
def test_a_bad_header_is_refused_before_any_row(header, expected):
    with pytest.raises(CatalogueImportFailed) as caught:
        parse(f"{header}\nworkshop,Fine,,,,,,,\n")
    [problem] = caught.value.problems
    assert (problem.line, problem.field) == (1, "header")
    assert expected in problem.message
    assert HEADER in problem.message  # says what was expected


def test_columns_may_come_in_any_order():
    header = ",".join(reversed(CSV_COLUMNS))
    [row] = parse(f"{header}\n12,,,,,AI,About,Reordered,event\n")
    assert (row.draft.kind, row.draft.title, row.draft.capacity) == (
        ResourceKind.EVENT,
        "Reordered",
        12,
    )
    assert row.draft.interest_tags == ("AI",)


# --- single cells ---------------------------------------------------------------------------------


def test_parse_datetime_reads_iso_8601_without_an_offset_as_local_time():
    assert parse_datetime("starts_at", "2027-03-14T14:00") == datetime(2027, 3, 14, 14, 0)
    assert parse_datetime("starts_at", " 2027-03-14 14:00:30 ") == datetime(2027, 3, 14, 14, 0, 30)
    assert parse_datetime("starts_at", "2027-03-14") == datetime(2027, 3, 14, 0, 0)
    assert parse_datetime("starts_at", "") is None
    assert parse_datetime("starts_at", "   ") is None


def test_parse_datetime_converts_an_offset_to_this_computers_local_time(utc_plus_one):
    assert parse_datetime("starts_at", "2027-03-14T14:00Z") == datetime(2027, 3, 14, 15, 0)
    assert parse_datetime("starts_at", "2027-03-14T14:00+01:00") == datetime(2027, 3, 14, 14, 0)
    assert parse_datetime("ends_at", "2027-03-14T23:30-05:00") == datetime(2027, 3, 15, 5, 30)
    assert parse_datetime("ends_at", "2027-03-14T14:00+01:00").tzinfo is None


@pytest.mark.parametrize(
    "value",
    ["14/03/2027", "2027-02-30", "2027-03-14T25:00", "tomorrow", "2027-03-14T14:00+25:00"],
)
def test_parse_datetime_refuses_what_is_not_iso_8601_naming_the_given_field(value):
    with pytest.raises(ValidationError) as caught:
        parse_datetime("ends_at", value)
    assert caught.value.field == "ends_at"
    assert value in caught.value.message
    assert "ISO 8601" in caught.value.message


@pytest.mark.parametrize(
    "value", ["0202-03-14T10:00", "0001-01-01T00:00+01:00", "9999-12-31T23:00-05:00"]
)
def test_parse_datetime_refuses_years_the_database_cannot_hold(value, utc_plus_one):
    with pytest.raises(ValidationError) as caught:
        parse_datetime("starts_at", value)
    assert caught.value.field == "starts_at"
    assert "1000 and 9999" in caught.value.message


@pytest.mark.parametrize(
    ("value", "expected"), [("", None), ("  ", None), (" 25 ", 25), ("0", 0), ("100000", 100_000)]
)
def test_parse_capacity_reads_whole_numbers_and_blank_as_none(value, expected):
    # Ranges (at least 1) are check_draft's job, so a CSV row with 0 is refused there.
    assert parse_capacity(value) == expected


@pytest.mark.parametrize("value", ["twenty", "12.5", "1e3", "12 seats", "--3"])
def test_parse_capacity_refuses_what_is_not_a_whole_number(value):
    with pytest.raises(ValidationError) as caught:
        parse_capacity(value)
    assert caught.value.field == "capacity"
    assert "whole number" in caught.value.message
