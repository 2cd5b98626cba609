"""Words are split where the search rules split them, on both databases, whatever Unicode the
database's own tokenizer knows: symbols newer than it (emoji among them) end a word."""

from __future__ import annotations

import unicodedata

import pytest

from studentres_desktop.domain.models import ResourceDraft, ResourceFilter, ResourceKind
from studentres_desktop.domain.search import is_word_character
from studentres_desktop.persistence import fts_separators
from studentres_desktop.persistence.search_index import (
    FTS_TABLE,
    _sqlite_fill,
    sqlite_index_outdated,
)

# (stored title, a search that must find it): each title joins a word to a character that the
# rules treat as a separator but SQLite's unicode61 tables (Unicode 6.1) do not know.
JOINED = [
    ("Robotics\U0001F916 workshop", "robotics workshop"),  # emoji, Unicode 8.0
    ("Robotics\U0001F916 workshop", "workshop robotics"),
    ("0\uFBC2 x", "0 x"),  # Arabic symbol wasla above (Sk), Unicode 14.0
    ("ab\uFBC2cd", "cd"),
    ("caf\u00e9\u2E50 night", "cafe night"),  # Po, Unicode 14.0
    ("x\u2E50y zz", "y"),
    ("Chess\u265F club", "chess club"),  # So, Unicode 1.1: FTS5 splits there by itself
]

OLD_TOKENIZER = (
    f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5(title, description, location, "
    "tokenize = \"unicode61 remove_diacritics 2 tokenchars '_'\")"
)


def draft(title: str) -> ResourceDraft:
    return ResourceDraft(ResourceKind.WORKSHOP, title, "", ("AI",))


@pytest.mark.parametrize(("title", "query"), JOINED)
def test_a_symbol_newer_than_the_tokenizer_ends_a_word(services, title, query):
    services.catalogue.add([draft(title), draft("Unrelated seminar")])
    found = services.catalogue.list(ResourceFilter(text=query))
    assert [r.title for r in found.items] == [title]


def test_every_listed_separator_is_one_the_rules_split_at():
    listed = fts_separators.separator_characters()
    assert len(listed) > 1000  # the emoji alone are more
    assert not [c for c in listed if is_word_character(c)]
    assert "\U0001F916" in listed and "\u2E50" in listed
    assert "a" not in listed and "\u265F" not in listed  # FTS5 already splits at old symbols


def test_the_list_matches_this_pythons_unicode():
    if unicodedata.unidata_version != fts_separators.UNICODE_VERSION:
        pytest.skip(f"the list was made for Unicode {fts_separators.UNICODE_VERSION}, this "
                    f"Python has {unicodedata.unidata_version}: run "
                    "scripts/build_fts_separators.py")
    assert fts_separators.compute_ranges() == fts_separators.RANGES


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # FTS5 is SQLite's alone
def test_an_index_made_by_an_older_version_is_rebuilt_at_start(services):
    """An embedded database whose FTS5 table predates the separators is rebuilt by the schema
    step every start runs; every stored item is found by the new rules afterwards."""
    from studentres_desktop.persistence.schema import ensure_schema, inspect_schema

    services.catalogue.add([draft("Robotics\U0001F916 workshop"), draft("Chess club")])
    with services.engine.begin() as conn:
        conn.exec_driver_sql(f"DROP TABLE {FTS_TABLE}")
        conn.exec_driver_sql(OLD_TOKENIZER)
        _sqlite_fill(conn)
        assert sqlite_index_outdated(conn)
    assert not services.catalogue.list(ResourceFilter(text="robotics workshop")).items
    report = inspect_schema(services.engine)
    assert any("older rules" in problem for problem in report.problems)

    changes = ensure_schema(services.engine)

    assert any(FTS_TABLE in change for change in changes)
    assert inspect_schema(services.engine).current
    found = services.catalogue.list(ResourceFilter(text="robotics workshop"))
    assert [r.title for r in found.items] == ["Robotics\U0001F916 workshop"]
    assert [r.title for r in services.catalogue.list(ResourceFilter(text="chess")).items] == [
        "Chess club"]
    assert ensure_schema(services.engine) == []  # current now: nothing more to do
