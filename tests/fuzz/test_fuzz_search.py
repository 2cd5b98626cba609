"""Search text under generated input, on both databases.

Search never errors (beyond refusing text it cannot take, by name), never changes the database,
never returns a resource that does not match the search rules (every word, the last one a
prefix while typed, case and accents folded), and finds every resource that does.
"""

from __future__ import annotations

import contextlib
import functools
import sqlite3
import unicodedata

from hypothesis import assume, event, given
from hypothesis import strategies as st

from studentres_desktop.domain.errors import ValidationError
from studentres_desktop.domain.models import ResourceDraft, ResourceFilter, ResourceKind
from studentres_desktop.services.validation import SEARCH_MAX, check_search, check_text
from tests.fuzz.conftest import FuzzDatabase, database_settings
from tests.fuzz.strategies import AWKWARD, around_limit
from tests.fuzz.strategies import text as any_text
from tests.support.search_reference import ref_fold, ref_search, ref_words

FTS5_OWN_WAY = frozenset({"Co", "Cn", "Mn"})


_EXPANSIONS = str.maketrans({"ß": "ss", "æ": "ae", "œ": "oe"})
_EXPANDED = frozenset("ßẞæÆœŒ")


def innodb_reading(value: str) -> str:
    """The text as MariaDB compares it: two-letter expansions, a digit of any script as the ASCII
    digit (Arabic-Indic one as "1"), and no word beyond the BMP."""
    return "".join(" " if ord(c) > 0xFFFF else str(unicodedata.decimal(c, c))
                   for c in value.lower().translate(_EXPANSIONS))


@functools.cache
def fts5_drops_accents(char: str) -> bool:
    """Whether FTS5 (unicode61 remove_diacritics 2) reads the character without its accents, as
    the rules do: it removes those of Latin letters only. True for characters without any."""
    folded = ref_fold(char)
    if unicodedata.normalize("NFKD", char) == char or not folded.isalnum():
        return True
    with contextlib.closing(sqlite3.connect(":memory:")) as conn:
        conn.execute("CREATE VIRTUAL TABLE t USING fts5(x, "
                     "tokenize='unicode61 remove_diacritics 2')")
        conn.execute("INSERT INTO t VALUES (?)", (char,))
        return bool(conn.execute("SELECT 1 FROM t WHERE t MATCH ?", (f'"{folded}"',)).fetchall())


_COLLATION_KEEPS: dict[str, bool] = {}


def collation_keeps_accents(fuzz_db: FuzzDatabase, char: str) -> bool:
    """Whether MariaDB's collation reads the character as a letter apart from its folded form
    (a Cyrillic short i is not an i): the app then asks for it as typed (README, Search)."""
    folded = ref_fold(char)
    if unicodedata.normalize("NFKD", char) == char or not folded:
        return False
    if char not in _COLLATION_KEEPS:
        with fuzz_db.services.engine.connect() as conn:
            same = conn.exec_driver_sql("SELECT %s = %s COLLATE utf8mb4_unicode_ci",
                                        (char, folded)).scalar()
        _COLLATION_KEEPS[char] = not same
    return _COLLATION_KEEPS[char]


def other_digit(c: str) -> bool:
    return c.isdecimal() and not c.isascii()


def storable(value: str) -> bool:
    try:
        check_text("title", value, max_length=200)
    except ValidationError:
        return False
    return True


# Titles and descriptions a catalogue may hold, rich in what search engines treat specially:
# operators, marks, short words, stopwords, accents and compatibility forms.
catalogue_text = st.lists(
    st.sampled_from([*filter(storable, AWKWARD), "Robot", "robot", "ROBOT", "50%", "a_b", "a/b",
                     "Programación", "résumé", "AI", "C++", "the", "de la", "+(x)", '"@~<'])
    | st.text(st.characters(exclude_categories=("Cc", "Cs")), max_size=4),
    min_size=1, max_size=8,
).map(" ".join).filter(storable)


@st.composite
def needles(draw: st.DrawFn, texts: list[str]) -> str:
    """Often a piece of a stored text, sometimes changed in case, otherwise anything at all."""
    source = draw(st.sampled_from(texts))
    start = draw(st.integers(0, len(source)))
    piece = source[start:draw(st.integers(start, len(source)))]
    return draw(st.one_of(
        st.just(piece), st.just(piece.swapcase()), st.just(f" {piece} "),
        any_text(), around_limit(SEARCH_MAX), st.sampled_from(AWKWARD),
    ))


@database_settings
@given(data=st.data(), texts=st.lists(catalogue_text, min_size=2, max_size=8))
def test_search_finds_exactly_the_resources_that_hold_the_text(
    fuzz_db: FuzzDatabase, data: st.DataObject, texts: list[str]
):
    fuzz_db.reset()
    pairs = list(zip(texts[::2], texts[1::2], strict=False))
    assume(pairs)
    fuzz_db.services.catalogue.add(
        ResourceDraft(ResourceKind.WORKSHOP, title, description, ("AI",))
        for title, description in pairs
    )
    token = fuzz_db.student_token()
    fuzz_db.services.interests.set_for_student(token, ["AI"])
    needle = data.draw(needles(texts), label="search")
    before = fuzz_db.snapshot()
    flt = ResourceFilter(text=needle, limit=500)
    try:
        expected = check_search(needle)
    except ValidationError:
        expected = None
    try:
        pages = [fuzz_db.services.catalogue.list(flt),
                 fuzz_db.services.resources.browse(token, flt),
                 fuzz_db.services.resources.for_student(token, flt)]
    except ValidationError as error:
        assert error.field == "search" and expected is None, error
        event("refused")
        return
    assert expected is not None
    assert fuzz_db.snapshot() == before
    # What the rules say should be found, worked out apart from the app (tests/support).
    words = {(title, description): set(ref_words(f"{title} {description}"))
             for title, description in pairs}
    wanted = ref_search(words, expected) if expected else set(words)
    # Compatibility forms (a double-struck digit, a ligature) are folded in the query; in stored
    # text each engine reads them its own way, so only NFKC text must be found every time. On
    # SQLite, FTS5 also keeps private-use and unassigned characters, and the non-spacing marks
    # it does not know as accents, inside a word (persistence/fts_separators.py).
    plain = all(unicodedata.is_normalized("NFKC", value) for value in (*texts, expected or ""))
    if not fuzz_db.is_mysql:
        # Nor the accents of letters other than Latin ones, which FTS5 keeps: found only as
        # typed there (README, Search).
        plain = plain and not any(
            unicodedata.category(c) in FTS5_OWN_WAY or not fts5_drops_accents(c)
            for value in (*texts, expected or "") for c in value)
    allowed = wanted
    if fuzz_db.is_mysql:
        # MariaDB reads text its own way in two respects (README, Search): utf8mb4_unicode_ci
        # compares ß with "ss", æ with "ae", œ with "oe", and a digit of any script with the
        # ASCII one, and keeps some accented letters apart (a Cyrillic short i is not an i),
        # and InnoDB's tokenizer ends a word at a character beyond the Basic
        # Multilingual Plane. A row matching under that reading may be found too, and only text
        # without such characters must be found every time.
        read = {key: set(ref_words(innodb_reading(" ".join(key)))) for key in words}
        allowed = wanted | (ref_search(read, innodb_reading(expected)) if expected else set())
        plain = plain and not any(
            (ord(c) > 0xFFFF and c.isalnum()) or other_digit(c) or c in _EXPANDED
            or collation_keeps_accents(fuzz_db, c)
            for value in (*texts, expected or "") for c in value)
    for page in pages:
        found = {(r.title, r.description) for r in page.items}
        assert found <= allowed, (expected, found - allowed)  # never a row that does not match
        if plain:
            assert found == wanted, (expected, wanted - found)  # and every row that does
        event("found some" if found else "found none")
