"""Search text under generated input, on both databases.

Search never errors (beyond refusing text it cannot take, by name), never changes the database,
never returns a resource that does not match, and always finds a resource whose title or
description holds the text as it is.
"""

from __future__ import annotations

from hypothesis import assume, event, given
from hypothesis import strategies as st
from sqlalchemy import text as sql

from studentres_desktop.domain.errors import ValidationError
from studentres_desktop.domain.models import Resource, ResourceDraft, ResourceFilter, ResourceKind
from studentres_desktop.services.validation import SEARCH_MAX, check_search, check_text
from tests.fuzz.conftest import FuzzDatabase, database_settings
from tests.fuzz.strategies import AWKWARD, around_limit
from tests.fuzz.strategies import text as any_text

ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def storable(value: str) -> bool:
    try:
        check_text("title", value, max_length=200)
    except ValidationError:
        return False
    return True


# Titles and descriptions a catalogue may hold, rich in what LIKE and collations treat specially.
catalogue_text = st.lists(
    st.sampled_from([*filter(storable, AWKWARD), "Robot", "robot", "ROBOT", "50%", "a_b", "a/b"])
    | st.text(st.characters(exclude_categories=("Cc", "Cs")), max_size=4),
    min_size=1, max_size=8,
).map("".join).filter(storable)


def contains(haystack: str, needle: str, fuzz_db: FuzzDatabase) -> bool:
    """Whether the database's text comparison finds `needle` in `haystack`.

    SQLite's LIKE folds ASCII letters only. MariaDB's LIKE compares by the collation (accents,
    case and compatibility forms folded: '2' finds '²'), which Python cannot reproduce and no
    other MariaDB function applies the same way (LOCATE does not fold accents): so the oracle
    asks LIKE itself, with a pattern escaped independently of the app's, which is the part
    under test.
    """
    if not fuzz_db.is_mysql:
        return needle.translate(ASCII_LOWER) in haystack.translate(ASCII_LOWER)
    pattern = "".join("!" + c if c in "!%_" else c for c in needle)
    with fuzz_db.services.engine.connect() as conn:
        found = conn.execute(sql("SELECT :haystack LIKE :pattern ESCAPE '!'"),
                             {"pattern": f"%{pattern}%", "haystack": haystack}).scalar_one()
    return bool(found)


def matches(resource: Resource, needle: str, fuzz_db: FuzzDatabase) -> bool:
    return contains(resource.title, needle, fuzz_db) or contains(
        resource.description, needle, fuzz_db)


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
    for page in pages:
        found = {(r.title, r.description) for r in page.items}
        if expected:
            for resource in page.items:
                assert matches(resource, expected, fuzz_db), (expected, resource)
            for title, description in pairs:
                if expected in title or expected in description:
                    assert (title, description) in found, (expected, title, description)
        else:
            assert len(found) == len(set(pairs))
        event("found some" if found else "found none")
