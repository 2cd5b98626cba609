"""Search through the full-text index, on SQLite (FTS5) and MariaDB (FULLTEXT).

The differential test compares, query by query, the set of items the index finds with the set a
brute-force reference finds by reading every item. The reference is written here on its own
from the rules in studentres_desktop/domain/search.py, not with that module's code.
"""

from __future__ import annotations

import dataclasses
import json
import random
import unicodedata
from collections.abc import Iterable
from datetime import datetime, timedelta

import pytest
from sqlalchemy import text

from studentres_desktop.domain.errors import ValidationError
from studentres_desktop.domain.models import (
    Resource,
    ResourceDraft,
    ResourceFilter,
    ResourceKind,
    Role,
    SortOrder,
)
from studentres_desktop.persistence import repositories
from studentres_desktop.services import resources as resource_service
from tests.conftest import SHARED_DATA
from tests.support.original import drop_every_table
from tests.support.search_reference import item_words, ref_search

PASSWORD = "correct horse battery"
BASE = datetime(2027, 3, 1, 9, 0)
OPERATORS = '+-<>()~*"@'

ENGLISH = """
introduction learning machine robotics programming design research seminar workshop data
science network security cloud python statistics vision language model career interview
portfolio ethics privacy startup energy climate genome protein graphics game sensor robot
robots robotic control embedded lab hands-on students' beginners advanced practical guide
""".split()
ACCENTED = """
Programación résumé café naïve Zürich São über crème brûlée año façade Ångström jalapeño
Málaga Québec señal física matemáticas económico coöperation Øresund
""".split()
SHORT = "AI ML R C++ 3D C# UX VR IoT 5G de la en el the about a I of my_module e-learning".split()
PLACES = ("Library Seminar Room 2", "Sala de conferencias Núñez", "Café Zürich",
          "Online (Teams)", "Engineering Hub G.12", "")
VOCABULARY = ENGLISH + ACCENTED + SHORT


# --- building a catalogue -------------------------------------------------------------------------


def phrase(rng: random.Random, low: int, high: int) -> str:
    return " ".join(rng.choice(VOCABULARY) for _ in range(rng.randint(low, high)))


def generated_drafts(rng: random.Random, n: int) -> list[ResourceDraft]:
    tags = ["AI", "Robotics", "Data Science", "Cybersecurity"]
    drafts = []
    for i in range(n):
        dated = rng.random() < 0.8
        drafts.append(ResourceDraft(
            kind=rng.choice(list(ResourceKind)),
            title=phrase(rng, 2, 6).capitalize()[:200],
            description=phrase(rng, 0, 25),
            interest_tags=tuple(rng.sample(tags, rng.randint(0, 2))),
            starts_at=BASE + timedelta(hours=i) if dated else None,
            location=rng.choice(PLACES),
        ))
    return drafts


def insert_original_rows(services, rng: random.Random, n: int) -> None:
    """Rows written by plain SQL into the original columns, after the index exists."""
    rows = [
        {"tag": rng.choice(["AI", "Robotics"]),
         "w": phrase(rng, 1, 5) if rng.random() < 0.7 else None,
         "t": phrase(rng, 1, 5) if rng.random() < 0.5 else None,
         "e": phrase(rng, 1, 5) if rng.random() < 0.4 else "  "}
        for _ in range(n)
    ]
    with services.engine.begin() as conn:
        conn.execute(text("INSERT INTO interest_resources (interest_tag, workshop, training, "
                          "event) VALUES (:tag, :w, :t, :e)"), rows)


def every_item(services) -> list[Resource]:
    return list(found_items(services, ResourceFilter(sort=SortOrder.DATE)))


def found_items(services, flt: ResourceFilter) -> Iterable[Resource]:
    offset = 0
    while True:
        page = services.catalogue.list(ResourceFilter(
            interests=flt.interests, kinds=flt.kinds, text=flt.text, sort=flt.sort,
            offset=offset, limit=500))
        yield from page.items
        if not page.has_more:
            return
        offset += 500


def found_keys(services, query: str, sort: SortOrder = SortOrder.RELEVANCE) -> list[str]:
    return [r.key for r in found_items(services, ResourceFilter(text=query, sort=sort))]


# --- queries --------------------------------------------------------------------------------------


def strip_accents(value: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", value)
                   if not unicodedata.combining(c))


def random_case(rng: random.Random, value: str) -> str:
    return "".join(c.upper() if rng.random() < 0.3 else c for c in value)


def naughty_strings() -> list[str]:
    path = SHARED_DATA / "blns.json"
    if not path.exists():
        return []
    return [s[:200] for s in json.loads(path.read_text(encoding="utf-8")) if s.strip()]


def generated_queries(rng: random.Random, documents: list[str], count: int) -> list[str]:
    """Words, prefixes, accented and unaccented forms, short terms, operators, naughty strings."""
    queries: list[str] = []
    naughty = naughty_strings()
    while len(queries) < count:
        source = rng.choice(documents).split()
        words = rng.sample(source, min(len(source), rng.randint(1, 3))) if source else ["x"]
        style = rng.randrange(7)
        if style == 0 and naughty:
            queries.append(rng.choice(naughty))
            continue
        if style == 1:  # the last word cut short, as while typing
            last = words[-1]
            words[-1] = last[: rng.randint(1, len(last))]
        elif style == 2:
            words = [strip_accents(w) for w in words]
        elif style == 3:
            words = [rng.choice(OPERATORS) + w + rng.choice(["", *OPERATORS]) for w in words]
        elif style == 4:
            words = [rng.choice(SHORT), *words[:1]]
        elif style == 5:
            words = [rng.choice(VOCABULARY) for _ in range(rng.randint(1, 2))]
        queries.append(random_case(rng, " ".join(words)))
    return queries


# --- tests ----------------------------------------------------------------------------------------


def test_index_finds_what_a_scan_of_every_item_finds(services):
    """A few thousand items, a few hundred queries: the same set through the index as by hand."""
    rng = random.Random(11)
    services.catalogue.add(generated_drafts(rng, 2400))
    insert_original_rows(services, rng, 150)
    with services.engine.begin() as conn:  # changed by plain SQL, after the index exists
        conn.execute(text("UPDATE interest_resources SET title = 'Renamed hydroponics clinic' "
                          "WHERE id IN (3, 5, 8)"))
        conn.execute(text("DELETE FROM interest_resources WHERE id IN (13, 21)"))
    catalogue = every_item(services)
    assert len(catalogue) > 2500
    items = {r.key: item_words(r) for r in catalogue}
    documents = [" ".join((r.title, r.description, r.location)) for r in catalogue]
    queries = generated_queries(rng, documents, 320)
    queries += ["hydroponics", "AI", "ai", "R", "C++", "3D", "the", "about", "de la", "la",
                "programacion", "RESUME", "resu", "zur", "robo", "a" * 81, "robot " + "a" * 81,
                '"machine learning"', "+python -ethics", "(ai) OR ml*", "@3 vision", "~ <> *"]

    nonempty = 0
    for query in queries:
        try:
            keys = found_keys(services, query)
        except ValidationError as error:  # control characters: refused by name, never run
            assert error.field == "search"
            continue
        assert len(keys) == len(set(keys)), query
        expected = ref_search(items, query)
        assert set(keys) == expected, (query, sorted(set(keys) ^ expected)[:5])
        nonempty += bool(expected)
    assert nonempty > len(queries) // 3
    assert found_keys(services, "hydroponics") and not found_keys(services, "zzhydroponics")


def test_words_fold_case_and_accents_and_the_last_is_a_prefix(services):
    services.catalogue.add([
        draft("Programación para todos", days=1),
        draft("Résumé clinic", description="Bring your CV", days=2),
        draft("Robotics lab", days=3),
        draft("Naïve Bayes in Zürich", days=4),
    ])

    def found(query: str) -> list[str]:
        return titles(services.catalogue.list(ResourceFilter(text=query, sort=SortOrder.DATE)))

    assert found("programacion") == ["Programación para todos"]
    assert found("PROGRAMACIÓN") == ["Programación para todos"]
    assert found("resume") == ["Résumé clinic"]
    assert found("résumé cv") == ["Résumé clinic"]
    assert found("robo") == ["Robotics lab"]
    assert found("robo lab") == []  # only the last word is a prefix
    assert found("naive zurich") == ["Naïve Bayes in Zürich"]
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in "zurich")
    assert found(full_width) == ["Naïve Bayes in Zürich"]
    assert found("clinic résumé") == ["Résumé clinic"]  # any order


def test_words_of_other_scripts_are_found_as_typed(services):
    """FTS5 removes the accents of Latin letters only: a Cyrillic short i or a Greek tonos stays
    in its index, so SQLite is asked for the word as typed too. MariaDB's collation ignores the
    tonos but reads the short i as a letter of its own, so it is asked for the word as typed,
    and only there does the Greek word without its accent find it (README, Search)."""
    services.catalogue.add([draft("Высший пилотаж", days=1),
                            draft("Ελληνικά για αρχάριους", days=2),
                            draft("Résumé clinic", days=3)])

    def found(query: str) -> list[str]:
        return titles(services.catalogue.list(ResourceFilter(text=query, sort=SortOrder.DATE)))

    for query in ("высший", "ВЫСШИЙ", "высш", "высший пилотаж", "пилотаж высший"):
        assert found(query) == ["Высший пилотаж"], query
    for query in ("ελληνικά", "ΕΛΛΗΝΙΚΆ", "ελλην", "ελληνικά αρχάριους"):
        assert found(query) == ["Ελληνικά για αρχάριους"], query
    for query in ("resume", "résumé", "RÉSUMÉ clinic"):  # Latin accents: either way on both
        assert found(query) == ["Résumé clinic"], query
    assert found("высшии") == []
    assert found("ελληνικα") == (["Ελληνικά για αρχάριους"] if on_mysql(services) else [])


@pytest.mark.parametrize("broad", [False, True], ids=["ranked", "newest first"])
def test_a_final_sigma_is_a_sigma(services, monkeypatch, broad):
    """Greek words end in a final sigma, typed as a plain one until the word is done; ranked by
    the index alone, and newest first, where MariaDB's candidates are checked in Python."""
    monkeypatch.setattr(resource_service, "BROAD_SEARCH", 0 if broad else 10**6)
    services.catalogue.add([draft("Εισαγωγη στον λογος", days=1), draft("Robotics lab", days=2)])
    token = login(services)

    for query in ("λογος", "λογοσ", "ΛΟΓΟΣ", "λογο", "στον λογοσ"):
        page = services.resources.browse(token, ResourceFilter(text=query))
        assert titles(page) == ["Εισαγωγη στον λογος"], query
        assert page.newest_first is broad
    assert titles(services.resources.browse(token, ResourceFilter(text="λογοι"))) == []


def test_short_words_and_stopwords_are_found(services):
    """InnoDB alone would drop words under 3 letters and its stopwords."""
    services.catalogue.add([
        draft("Intro to AI", days=1),
        draft("ML for everyone", days=2),
        draft("Statistics in R", days=3),
        draft("Modern C++", days=4),
        draft("3D printing", days=5),
        draft("The art of debugging", description="All about breakpoints", days=6),
        draft("Aprendizaje de la IA en el aula", days=7),
        draft("Airflow pipelines", description="Rapid retries", days=8),
    ])

    def found(query: str) -> list[str]:
        return titles(services.catalogue.list(ResourceFilter(text=query, sort=SortOrder.DATE)))

    assert found("AI") == ["Intro to AI"]  # not "Airflow": a short last word is whole
    assert found("ml") == ["ML for everyone"]
    assert found("R") == ["Statistics in R"]
    assert found("C++") == ["Modern C++"]
    assert found("3d") == ["3D printing"]
    assert found("the") == ["The art of debugging"]
    assert found("about") == ["The art of debugging"]
    assert found("de la en el") == ["Aprendizaje de la IA en el aula"]
    assert found("to ai") == ["Intro to AI"]
    assert found("air") == ["Airflow pipelines"]


def test_results_are_ranked_by_relevance_then_filtered_like_any_browse(services):
    services.catalogue.add([draft(f"Unrelated talk {n}", days=10 + n) for n in range(4)] + [
        draft("Weekly meetup", description="Snacks, and some robotics at the end", days=1),
        draft("Robotics: robotics for robotics people", days=2),
        draft("Robotics workshop", kind=ResourceKind.EVENT, tags=("Robotics",), days=3),
    ])
    ranked = titles(services.catalogue.list(ResourceFilter(text="robotics")))
    assert ranked[0] == "Robotics: robotics for robotics people"
    assert set(ranked) == {"Weekly meetup", "Robotics: robotics for robotics people",
                           "Robotics workshop"}
    by_date = titles(services.catalogue.list(ResourceFilter(text="robotics",
                                                            sort=SortOrder.DATE)))
    assert by_date == ["Weekly meetup", "Robotics: robotics for robotics people",
                       "Robotics workshop"]
    events = services.catalogue.list(ResourceFilter(text="robotics",
                                                    kinds=frozenset({ResourceKind.EVENT})))
    assert titles(events) == ["Robotics workshop"]
    tagged = services.catalogue.list(ResourceFilter(text="robo", interests=("Robotics",)))
    assert titles(tagged) == ["Robotics workshop"]
    paged = [titles(services.catalogue.list(ResourceFilter(text="robotics", offset=n, limit=1)))
             for n in range(3)]
    assert [p[0] for p in paged] == ranked


def test_advisor_edits_are_searchable_at_once_and_deleted_items_vanish(services):
    token = advisor_token(services)
    created = services.resources.create(token, draft("Quantum computing primer", days=1))
    assert titles(services.resources.browse(token, ResourceFilter(text="quantum"))) == [
        "Quantum computing primer"]
    services.resources.update(token, created.row_id, created.kind,
                              draft("Photonics primer", days=1))
    assert titles(services.resources.browse(token, ResourceFilter(text="quantum"))) == []
    assert titles(services.resources.browse(token, ResourceFilter(text="photonics"))) == [
        "Photonics primer"]
    services.resources.delete(token, created.row_id, created.kind)
    assert titles(services.resources.browse(token, ResourceFilter(text="photonics"))) == []


def test_original_style_cells_are_searched_one_by_one(services):
    with services.engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO interest_resources (interest_tag, workshop, training, event) VALUES "
            "('AI', 'Intro to ML', 'PyTorch basics', 'AI ethics panel')"
        ))
    found = services.catalogue.list(ResourceFilter(text="ml"))
    assert [(r.kind, r.title) for r in found.items] == [(ResourceKind.WORKSHOP, "Intro to ML")]
    token = advisor_token(services)
    item = found.items[0]
    services.resources.update(token, item.row_id, item.kind,
                              draft("Intro to deep learning", days=1))
    assert titles(services.catalogue.list(ResourceFilter(text="ml"))) == []
    assert titles(services.catalogue.list(ResourceFilter(text="pytorch"))) == ["PyTorch basics"]
    assert titles(services.catalogue.list(ResourceFilter(text="deep"))) == [
        "Intro to deep learning"]


def test_an_upgraded_database_finds_its_old_rows(database_url):
    """Rows of the original design, written before the index existed, are searchable after
    init-db, and so are those written by plain SQL after it."""
    from studentres_desktop.bootstrap import build_services
    from studentres_desktop.persistence.engine import DatabaseSettings
    from studentres_desktop.persistence.schema import ensure_schema, inspect_schema

    engine_services = build_services(DatabaseSettings(database_url), bcrypt_cost=4)
    engine = engine_services.engine
    serial = "INTEGER PRIMARY KEY" + ("" if engine.dialect.name == "sqlite" else " AUTO_INCREMENT")
    try:
        with engine.begin() as conn:
            drop_every_table(conn)
            conn.exec_driver_sql(f"CREATE TABLE interest_resources (id {serial}, "
                                 "interest_tag VARCHAR(64), workshop TEXT, training TEXT, "
                                 "event TEXT)")
            conn.exec_driver_sql("INSERT INTO interest_resources (interest_tag, workshop, event) "
                                 "VALUES ('AI', 'Old robotics workshop', 'Old AI event')")
        assert not inspect_schema(engine).current
        changes = ensure_schema(engine)
        assert any("search" in change for change in changes)
        assert inspect_schema(engine).current
        with engine.begin() as conn:
            conn.exec_driver_sql("INSERT INTO interest_resources (interest_tag, training) "
                                 "VALUES ('AI', 'New robotics training')")
        found = engine_services.catalogue.list(ResourceFilter(text="robotics"))
        assert sorted(r.title for r in found.items) == ["New robotics training",
                                                        "Old robotics workshop"]
        assert titles(engine_services.catalogue.list(ResourceFilter(text="ai"))) == [
            "Old AI event"]
    finally:
        engine_services.dispose()


# --- counting -------------------------------------------------------------------------------------


def test_capped_counts_are_exact_below_the_cap_and_say_more_above(services):
    services.catalogue.add([draft(f"Robotics session {n}", days=n) for n in range(12)]
                           + [draft("Cooking class", days=20)])
    token = login(services)
    exact = services.resources.count_capped(token, ResourceFilter(text="robotics"), cap=20)
    assert (exact.total, exact.exact, exact.label) == (12, True, "12 resources")
    capped = services.resources.count_capped(token, ResourceFilter(), cap=5)
    assert (capped.total, capped.exact, capped.label) == (5, False, "5+ resources")
    at_cap = services.resources.count_capped(token, ResourceFilter(text="robotics"), cap=12)
    assert at_cap.exact and at_cap.total == 12
    one = services.resources.count_capped(token, ResourceFilter(text="cooking"))
    assert one.label == "1 resource"
    none = services.resources.count_capped(token, ResourceFilter(text="+"))
    assert (none.total, none.exact) == (0, True)
    assert services.resources.count(token, ResourceFilter(text="robotics")) == 12
    with pytest.raises(ValidationError) as caught:
        services.resources.count_capped(token, ResourceFilter(), cap=0)
    assert caught.value.field == "cap"


def test_capped_counts_agree_with_exact_ones_for_random_filters(services):
    rng = random.Random(5)
    services.catalogue.add(generated_drafts(rng, 300))
    insert_original_rows(services, rng, 20)
    token = login(services, interests=("AI", "Robotics"))
    for _ in range(30):
        flt = ResourceFilter(
            interests=rng.choice([None, ("AI",), ("Robotics", "AI")]),
            kinds=frozenset(rng.sample(list(ResourceKind), rng.randint(0, 2))),
            text=rng.choice(["", "robot", "the", "ai", "programacion", "de la"]))
        for_student = rng.random() < 0.5
        exact = services.resources.count(token, flt, for_student=for_student)
        cap = rng.choice([10, 50, 1000])
        capped = services.resources.count_capped(token, flt, for_student=for_student, cap=cap)
        assert (capped.total, capped.exact) == ((exact, True) if exact <= cap else (cap, False))


# --- broad searches: newest first ---------------------------------------------------------------


def on_mysql(services) -> bool:
    return services.engine.dialect.name != "sqlite"


def newest_order(items) -> list[tuple[int, int]]:
    kinds = list(ResourceKind)
    return [(-r.row_id, kinds.index(r.kind)) for r in items]


def test_a_search_broader_than_the_threshold_comes_newest_first(services, monkeypatch):
    monkeypatch.setattr(resource_service, "BROAD_SEARCH", 4)
    services.catalogue.add([
        draft("Robotics: robotics for robotics people", days=9),
        draft("Robotics club", days=1, tags=("Robotics",)),
        draft("Weekly meetup", description="some robotics at the end"),
        draft("Robotics lab tour", kind=ResourceKind.EVENT, days=5),
        draft("Cooking with robots", days=2),
        # Holds "robotics" only inside a longer word: LIKE on MariaDB finds it, the check drops it.
        draft("Jazzrobotics night", days=4),
    ])
    with services.engine.begin() as conn:
        conn.execute(text("INSERT INTO interest_resources (interest_tag, workshop, training, "
                          "event) VALUES ('AI', 'Robotics intro', NULL, 'Robotics fair')"))
    services.catalogue.add([draft("Robotics hackathon", days=3)])

    broad = services.catalogue.list(ResourceFilter(text="robotics"))
    narrow = services.catalogue.list(ResourceFilter(text="robotics lab"))

    assert len(broad.items) == 7 and narrow.newest_first is False
    assert titles(narrow) == ["Robotics lab tour"]
    assert broad.newest_first is True
    assert titles(broad) == ["Robotics hackathon", "Robotics intro", "Robotics fair",
                             "Robotics lab tour", "Weekly meetup", "Robotics club",
                             "Robotics: robotics for robotics people"]
    paged = [services.catalogue.list(ResourceFilter(text="robotics", offset=n, limit=2))
             for n in range(0, 8, 2)]
    assert [t for page in paged for t in titles(page)] == titles(broad)
    assert {page.newest_first for page in paged} == {broad.newest_first}
    # Deep pages: MATCH ordered by row id, the same items in the same order.
    monkeypatch.setattr(repositories, "SUPERSET_OFFSET_MAX", 1)
    deep = [services.catalogue.list(ResourceFilter(text="robotics", offset=n, limit=2))
            for n in range(0, 8, 2)]
    assert [t for page in deep for t in titles(page)] == titles(broad)
    by_date = services.catalogue.list(ResourceFilter(text="robotics", sort=SortOrder.DATE))
    assert by_date.newest_first is False and titles(by_date)[0] == "Robotics club"
    # "robot" starts two words (robotics, robots): on MariaDB the rows are walked with LIKE,
    # which also finds "Jazzrobotics"; the check drops it.
    typed = services.catalogue.list(ResourceFilter(text="robot"))
    assert typed.newest_first is True
    assert titles(typed) == ["Robotics hackathon", "Robotics intro", "Robotics fair",
                             "Cooking with robots", "Robotics lab tour", "Weekly meetup",
                             "Robotics club", "Robotics: robotics for robotics people"]


def test_a_students_newest_first_page_keeps_older_original_cells(services, monkeypatch):
    """Cells of a row written by plain SQL before every app row still follow them, once the
    app rows run out (MariaDB reads a student's cells apart, above the app rows' last)."""
    monkeypatch.setattr(resource_service, "BROAD_SEARCH", 0)
    with services.engine.begin() as conn:
        conn.execute(text("INSERT INTO interest_resources (interest_tag, workshop, training, "
                          "event) VALUES ('AI', 'Data basics', NULL, 'Data fair')"))
    services.catalogue.add([draft("Data club", days=1), draft("Data lab", days=2),
                            draft("Data for robots", tags=("Robotics",))])
    token = login(services)
    wanted = ["Data lab", "Data club", "Data basics", "Data fair"]
    for typed in ("data", "data "):  # being typed (it starts one word), and whole
        page = services.resources.for_student(token, ResourceFilter(text=typed))
        assert page.newest_first is True and titles(page) == wanted, typed
        one_by_one = [services.resources.for_student(
            token, ResourceFilter(text=typed, offset=n, limit=1)) for n in range(5)]
        assert [t for p in one_by_one for t in titles(p)] == wanted, typed


def test_a_broad_search_for_a_student_keeps_every_filter(services, monkeypatch):
    rng = random.Random(3)
    services.catalogue.add(generated_drafts(rng, 300))
    insert_original_rows(services, rng, 30)
    token = login(services, interests=("AI", "Robotics"))
    newest_pages = 0
    for _ in range(25):
        flt = ResourceFilter(
            interests=rng.choice([None, ("AI",), ("Robotics", "AI")]),
            kinds=frozenset(rng.sample(list(ResourceKind), rng.randint(0, 2))),
            text=rng.choice(["robot", "the", "ai", "programacion", "de la", "data "]),
            limit=500)
        monkeypatch.setattr(resource_service, "BROAD_SEARCH", 10**6)
        ranked = services.resources.for_student(token, flt)
        monkeypatch.setattr(resource_service, "BROAD_SEARCH", 0)
        newest = services.resources.for_student(token, flt)
        assert not ranked.newest_first and not ranked.has_more
        assert {r.key for r in newest.items} == {r.key for r in ranked.items}, flt
        if newest.items and (newest.newest_first or not on_mysql(services)):
            # MariaDB/MySQL judge breadth by the app rows alone: a text found only in original
            # cells is never broad there.
            assert newest.newest_first
            order = newest_order(newest.items)
            assert order == sorted(order), flt
            newest_pages += 1
        paged = [services.resources.for_student(
            token, dataclasses.replace(flt, offset=offset, limit=7)) for offset in (0, 7, 14)]
        assert [r.key for page in paged for r in page.items] == [
            r.key for r in newest.items[:21]], flt
    assert newest_pages > 10


def test_newest_first_finds_what_a_scan_of_every_item_finds(services, monkeypatch):
    """The differential test again, every search through the newest-first walk."""
    monkeypatch.setattr(resource_service, "BROAD_SEARCH", 0)
    rng = random.Random(17)
    services.catalogue.add(generated_drafts(rng, 600))
    insert_original_rows(services, rng, 60)
    catalogue = every_item(services)
    items = {r.key: item_words(r) for r in catalogue}
    documents = [" ".join((r.title, r.description, r.location)) for r in catalogue]
    queries = generated_queries(rng, documents, 120)
    queries += ["AI", "R", "C++", "3D", "the", "de la", "programacion", "resu", "zur", "robo",
                "+python -ethics", "(ai) OR ml*"]
    nonempty = newest = 0
    for query in queries:
        try:
            found = list(found_items(services, ResourceFilter(text=query)))
        except ValidationError as error:
            assert error.field == "search"
            continue
        keys = [r.key for r in found]
        assert len(keys) == len(set(keys)), query
        assert set(keys) == ref_search(items, query), query
        if services.catalogue.list(ResourceFilter(text=query)).newest_first:
            order = newest_order(found)
            assert order == sorted(order), query
            newest += 1
        nonempty += bool(keys)
    assert nonempty > len(queries) // 3
    assert newest > len(queries) // 4


def test_a_page_of_several_words_walks_the_rarest_whole_word(services, monkeypatch):
    monkeypatch.setattr(resource_service, "BROAD_SEARCH", 0)
    services.catalogue.add([draft(f"Robotics workshop {n}", description="Robótica básica")
                            for n in range(6)])
    services.catalogue.add([draft("Robotics lab night", description="robótica"),
                            draft("Robotics Labyrinth", description="a maze")])
    with services.engine.begin() as conn:
        conn.execute(text("INSERT INTO interest_resources (interest_tag, workshop) "
                          "VALUES ('AI', 'Robotics lab')"))
        conn.execute(text("UPDATE interest_resources SET title = 'Robotics workshop, Lab'"
                          " WHERE title = 'Robotics workshop 2'"))

    def walk(query: str) -> tuple[int | None, str | None]:
        """The walk's word, and the completion as stored (in any case: the collation ignores it)."""
        with services.engine.connect() as conn:
            driver, completion = repositories.ResourceRepository(conn).word_walk(
                ResourceFilter(text=query))
        return driver, None if completion is None else completion.lower()

    if on_mysql(services):
        assert walk("robotics lab night ") == (2, None)  # the whole word in the fewest app rows
        # The word being typed starts one word only: walked or probed as that word.
        assert walk("robotics lab nig") == (2, "night")
        assert walk("robotics lab") == (0, None)  # 'lab' starts 'lab' and 'labyrinth': never
        # walked, probed as a start
        assert walk("ROBÓTICA workshop") == (1, "workshop")  # in 6 app rows; 'robotica' 7
        assert walk("robotics") == (0, "robotics")  # the only word it starts: walked whole
        assert walk("robot") == (None, None)  # 'robotics', 'robótica': the LIKE walk
        assert walk("lab ") == (0, None)  # one whole word
    else:  # SQLite walks its FTS5 index backwards instead
        assert walk("robotics lab night ") == (None, None)
    found = services.catalogue.list(ResourceFilter(text="robotics lab"))
    # The row changed by plain SQL is found through its new words, with the original-style cell.
    assert found.newest_first
    assert titles(found) == ["Robotics lab", "Robotics Labyrinth", "Robotics lab night",
                             "Robotics workshop, Lab"]
    token = login(services)
    for text_ in ("robotics lab", "lab robotics ", "robotics lab nig", "robótica", "lab"):
        shown = services.catalogue.list(ResourceFilter(text=text_, limit=50)).items
        counted = services.resources.count(token, ResourceFilter(text=text_), for_student=False)
        capped = services.resources.count_capped(token, ResourceFilter(text=text_),
                                                 for_student=False, cap=3)
        assert counted == len(shown), text_
        assert (capped.total, capped.exact) == ((counted, True) if counted <= 3 else (3, False))
    assert titles(services.catalogue.list(ResourceFilter(text="robotica LAB nig"))) == [
        "Robotics lab night"]


# --- helpers --------------------------------------------------------------------------------------


def draft(title, kind=ResourceKind.WORKSHOP, tags=("AI",), days=None, description=""):
    starts = BASE + timedelta(days=days) if days is not None else None
    return ResourceDraft(kind=kind, title=title, description=description,
                         interest_tags=tuple(tags), starts_at=starts)


def titles(page) -> list[str]:
    return [r.title for r in page.items]


def login(services, interests=("AI",)) -> str:
    services.auth.register("Ada", "ada@example.edu", PASSWORD)
    token = services.auth.login("ada@example.edu", PASSWORD).token
    services.interests.set_for_student(token, list(interests))
    return token


def advisor_token(services) -> str:
    services.auth.register("Grace", "grace@example.edu", PASSWORD)
    services.auth.set_role("grace@example.edu", Role.ADVISOR)
    return services.auth.login("grace@example.edu", PASSWORD).token
