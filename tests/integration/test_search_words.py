"""The word table on MariaDB: `resource_words` follows every write to `interest_resources`.

The database comes from db/schema.sql, so these are the triggers a hand-installed server gets
(tests/integration/test_schema.py keeps them equal to init-db's). Rows are written by plain SQL,
as another tool on the same database would write them.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Connection, Engine, create_engine, text

from studentres_desktop.domain.search import split_words
from studentres_desktop.persistence.engine import DatabaseSettings, create_database_engine
from studentres_desktop.persistence.schema import ensure_schema
from studentres_desktop.persistence.search_index import (
    WORD_CHARS,
    WORDS_TABLE,
    WORDS_TRIGGERS,
    search_index_problems,
)
from tests.conftest import apply_schema_sql, shared_data_file

pytestmark = pytest.mark.mysql


@pytest.fixture
def engine(mysql_url: str) -> Iterator[Engine]:
    apply_schema_sql(mysql_url)
    made = create_engine(mysql_url)
    yield made
    made.dispose()


def add(conn: Connection, **values: Any) -> int:
    """Insert one `interest_resources` row with these columns; its id."""
    names = ", ".join(values)
    marks = ", ".join(f":{name}" for name in values)
    conn.execute(text(f"INSERT INTO interest_resources ({names}) VALUES ({marks})"), values)
    return int(conn.execute(text("SELECT LAST_INSERT_ID()")).scalar_one())


def words(conn: Connection, row_id: int) -> set[tuple[str, int]]:
    """The (word, slot) entries of one row."""
    rows = conn.execute(text(f"SELECT word, slot FROM {WORDS_TABLE} WHERE resource_id = :id"),
                        {"id": row_id}).all()
    return {(str(word), int(slot)) for word, slot in rows}


def test_a_row_with_only_the_original_columns_gets_each_cells_words_in_its_slot(engine):
    with engine.begin() as conn:
        both = add(conn, interest_tag="AI", workshop="Intro to AI", training="Git: the basics")
        event = add(conn, interest_tag="Career Skills", event="Career fair")

        assert words(conn, both) == {("Intro", 1), ("to", 1), ("AI", 1),
                                     ("Git", 2), ("the", 2), ("basics", 2)}
        assert words(conn, event) == {("Career", 3), ("fair", 3)}


def test_an_app_row_gets_the_words_of_its_title_description_and_location_in_slot_0(engine):
    with engine.begin() as conn:
        row = add(conn, kind="event", title="Career fair", description="Meet employers.",
                  location="Hall B", event="Career fair", interest_tag="Career Skills")

        # The cell the app fills for the original query is not indexed a second time.
        assert words(conn, row) == {("Career", 0), ("fair", 0), ("Meet", 0), ("employers", 0),
                                    ("Hall", 0), ("B", 0)}


def test_an_update_of_a_text_column_replaces_the_rows_words(engine):
    with engine.begin() as conn:
        plain = add(conn, workshop="Old workshop", event="Old event")
        app = add(conn, kind="workshop", title="Soldering basics", location="Lab 2")
        conn.execute(text("UPDATE interest_resources SET workshop = NULL, training = 'New one'"
                          " WHERE id = :id"), {"id": plain})
        conn.execute(text("UPDATE interest_resources SET title = 'Soldering, step by step'"
                          " WHERE id = :id"), {"id": app})

        assert words(conn, plain) == {("New", 2), ("one", 2), ("Old", 3), ("event", 3)}
        assert words(conn, app) == {("Soldering", 0), ("step", 0), ("by", 0), ("Lab", 0),
                                    ("2", 0)}


def test_an_app_row_that_becomes_original_style_moves_its_words_to_the_cells(engine):
    with engine.begin() as conn:
        row = add(conn, kind="training", title="Git basics", training="Git basics")
        conn.execute(text("UPDATE interest_resources SET kind = NULL WHERE id = :id"), {"id": row})

        assert words(conn, row) == {("Git", 2), ("basics", 2)}


def test_an_update_of_other_columns_leaves_the_words_alone(engine):
    with engine.begin() as conn:
        row = add(conn, kind="event", title="Robot race", description="Bring a robot")
        # Taken out by hand: were the words rewritten, it would come back.
        conn.execute(text(f"DELETE FROM {WORDS_TABLE} WHERE resource_id = :id AND word = 'race'"),
                     {"id": row})
        conn.execute(text("UPDATE interest_resources SET capacity = 12, url = 'https://x.edu',"
                          " starts_at = '2027-03-01 09:00', version = version + 1"
                          " WHERE id = :id"), {"id": row})

        assert words(conn, row) == {("Robot", 0), ("Bring", 0), ("a", 0)}


def test_a_delete_removes_the_rows_words_only(engine):
    with engine.begin() as conn:
        gone = add(conn, workshop="Shared word", event="Another")
        kept = add(conn, kind="event", title="Shared word")
        conn.execute(text("DELETE FROM interest_resources WHERE id = :id"), {"id": gone})

        assert words(conn, gone) == set()
        assert words(conn, kept) == {("Shared", 0), ("word", 0)}


def test_case_and_accents_do_not_matter(engine):
    with engine.begin() as conn:
        row = add(conn, workshop="Résumé clinic: RESUME, resume, résumé")
        found = {
            typed: conn.execute(text(f"SELECT resource_id FROM {WORDS_TABLE} WHERE word = :w"),
                                {"w": typed}).scalars().all()
            for typed in ("resume", "RÉSUMÉ", "Resume", "clinic", "resumes")
        }
        entries = words(conn, row)

    assert found == {"resume": [row], "RÉSUMÉ": [row], "Resume": [row], "clinic": [row],
                     "resumes": []}
    assert len(entries) == 2  # one entry per word as the collation compares them


def test_a_word_longer_than_the_column_is_cut_not_refused(engine):
    long_word = "x" * (WORD_CHARS + 16)
    with engine.begin() as conn:
        row = add(conn, workshop=f"{long_word} short {'é' * 10_000}")

        assert words(conn, row) == {("x" * WORD_CHARS, 1), ("short", 1),
                                    ("é" * WORD_CHARS, 1)}


def test_a_text_of_separators_only_or_null_gives_no_words(engine):
    with engine.begin() as conn:
        plain = add(conn, interest_tag="AI", workshop="  -- ,;!? ", training="", event=None)
        app = add(conn, kind="event", title="…", description=None, location="   ")
        bare = add(conn, interest_tag="AI")

        assert words(conn, plain) == words(conn, app) == words(conn, bare) == set()
        assert conn.execute(text(f"SELECT COUNT(*) FROM {WORDS_TABLE} WHERE word = ''")
                            ).scalar_one() == 0


def test_an_existing_database_without_the_word_table_gets_it_filled(mysql_url):
    engine = create_database_engine(DatabaseSettings(mysql_url))
    ensure_schema(engine)
    with engine.begin() as conn:
        for name in WORDS_TRIGGERS:
            conn.exec_driver_sql(f"DROP TRIGGER {name}")
        conn.exec_driver_sql(f"DROP TABLE {WORDS_TABLE}")
        plain = add(conn, workshop="Written before", event="the table")
        app = add(conn, kind="workshop", title="Also before", location="Room 1")
        missing = search_index_problems(conn)

    changes = ensure_schema(engine)

    with engine.begin() as conn:
        filled = words(conn, plain), words(conn, app)
        after = add(conn, event="Written after")
        assert words(conn, after) == {("Written", 3), ("after", 3)}
        assert search_index_problems(conn) == []
    engine.dispose()
    every = [WORDS_TABLE, *WORDS_TRIGGERS]
    assert missing == [f"search index: {name} is missing" for name in every]
    assert changes == [f"created word index {WORDS_TABLE} ({', '.join(every)})"]
    assert filled == ({("Written", 1), ("before", 1), ("the", 3), ("table", 3)},
                      {("Also", 0), ("before", 0), ("Room", 0), ("1", 0)})


def test_naughty_strings_never_fail_an_insert_and_give_their_words(engine):
    path = shared_data_file("blns.json", "515 known bad-input strings for the word triggers")
    naughty: list[str] = json.loads(path.read_text(encoding="utf-8"))
    naughty += ["\x00", "a\x00b", "line\r\nbreak", '["]', '\\", "x', "x" * 10_000]
    wrong = {}
    with engine.begin() as conn:
        for bad in naughty:
            plain = add(conn, workshop=bad)
            app = add(conn, kind="event", title=bad[:200], description=bad)
            for row, written in ((plain, bad), (app, f"{bad[:200]} {bad}")):
                expected = {word[:WORD_CHARS] for word in split_words(written)}
                stored = {word for word, _ in words(conn, row)}
                # The collation keeps one of the words it compares equal; each is a real word.
                if not stored <= expected or (expected and not stored):
                    wrong[bad] = (sorted(stored), sorted(expected))
    assert wrong == {}
