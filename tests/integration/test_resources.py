"""Interests and resource retrieval through the services, on SQLite and MariaDB."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import text

from studentres_desktop.domain.errors import AccessDenied, NotFound, ValidationError
from studentres_desktop.domain.models import (
    ResourceDraft,
    ResourceFilter,
    ResourceKind,
    Role,
    SortOrder,
)
from studentres_desktop.services.resources import MAX_OFFSET

PASSWORD = "correct horse battery"
BASE = datetime(2027, 1, 10, 10, 0)


def login(services, email="ada@example.edu", interests=("AI",)) -> str:
    services.auth.register("Ada", email, PASSWORD)
    token = services.auth.login(email, PASSWORD).token
    if interests:
        services.interests.set_for_student(token, list(interests))
    return token


def draft(title, kind=ResourceKind.WORKSHOP, tags=("AI",), days=None, description="", **extra):
    starts = BASE + timedelta(days=days) if days is not None else None
    return ResourceDraft(
        kind=kind,
        title=title,
        description=description,
        interest_tags=tuple(tags),
        starts_at=starts,
        ends_at=starts + timedelta(hours=2) if starts else None,
        **extra,
    )


def titles(page) -> list[str]:
    return [r.title for r in page.items]


# --- interests ------------------------------------------------------------------------------------


def test_vocabulary_has_a_sensible_starting_list(services):
    tags = [i.tag for i in services.interests.vocabulary()]
    assert len(tags) >= 8
    assert {"AI", "Data Science", "Robotics", "Cybersecurity", "Software Engineering"} <= set(tags)
    assert all(i.label and i.description for i in services.interests.vocabulary())


def test_student_sets_several_interests_and_reads_them_back_primary_first(services):
    token = login(services, interests=())
    student = services.interests.set_for_student(token, ["Robotics", "AI"], primary="AI")
    assert student.interests == ("AI", "Robotics")
    assert student.primary_interest == "AI"
    assert [i.tag for i in services.interests.of_student(token)] == ["AI", "Robotics"]
    # The original one-column query still answers with the primary interest.
    with services.engine.connect() as conn:
        interest = conn.execute(text("SELECT interest FROM students_data")).scalar_one()
    assert interest == "AI"


def test_setting_interests_needs_at_least_one_known_tag(services):
    token = login(services, interests=("AI",))
    with pytest.raises(ValidationError) as none_chosen:
        services.interests.set_for_student(token, [])
    assert none_chosen.value.field == "interests"
    with pytest.raises(ValidationError) as unknown:
        services.interests.set_for_student(token, ["AI", "Underwater Basket Weaving"])
    assert unknown.value.field == "interests"
    assert "Underwater Basket Weaving" in unknown.value.message
    assert services.auth.current_student(token).interests == ("AI",)


# --- retrieval ------------------------------------------------------------------------------------


def test_resources_for_a_student_match_their_interests_sorted_by_date_undated_last(services):
    services.catalogue.add([
        draft("Later AI", days=5),
        draft("Undated AI"),
        draft("Sooner AI", days=1),
        draft("Robotics only", tags=("Robotics",), days=0),
        draft("Both", tags=("Robotics", "AI"), days=3),
    ])
    token = login(services, interests=("AI",))

    page = services.resources.for_student(token)

    assert titles(page) == ["Sooner AI", "Both", "Later AI", "Undated AI"]
    assert not page.has_more
    assert page.items[1].interest_tags == ("Robotics", "AI")


def test_student_without_interests_gets_nothing(services):
    services.catalogue.add([draft("An AI workshop", days=1)])
    token = login(services, interests=())
    assert services.resources.for_student(token).items == ()


def test_filter_by_kind_and_by_one_of_the_students_interests(services):
    services.catalogue.add([
        draft("AI workshop", days=1),
        draft("AI event", kind=ResourceKind.EVENT, days=2),
        draft("Robotics training", kind=ResourceKind.TRAINING, tags=("Robotics",), days=3),
        draft("Cyber workshop", tags=("Cybersecurity",), days=4),
    ])
    token = login(services, interests=("AI", "Robotics"))

    events = services.resources.for_student(token, ResourceFilter(kinds=frozenset({"event"})))
    robotics = services.resources.for_student(token, ResourceFilter(interests=("Robotics",)))
    not_mine = services.resources.for_student(token, ResourceFilter(interests=("Cybersecurity",)))

    assert titles(events) == ["AI event"]
    assert titles(robotics) == ["Robotics training"]
    assert titles(not_mine) == []


def test_text_search_covers_title_and_description_case_insensitively(services):
    services.catalogue.add([
        draft("Neural networks", description="Backpropagation from scratch", days=1),
        draft("Ethics", description="Fairness in NEURAL models", days=2),
        draft("Prompting", description="Large language models", days=3),
    ])
    token = login(services)
    page = services.resources.for_student(token, ResourceFilter(text="neural",
                                                                sort=SortOrder.DATE))
    assert titles(page) == ["Neural networks", "Ethics"]


def test_wildcards_and_operators_in_search_are_never_interpreted(services):
    services.catalogue.add([
        draft("Beat the 80% rule", days=1),
        draft("Beat the 80 rule", days=2),
        draft("my_module tips", days=3),
        draft("myXmodule tips", days=4),
    ])
    token = login(services)

    def found(search: str) -> list[str]:
        return titles(services.resources.for_student(token, ResourceFilter(text=search)))

    assert found("80%") == ["Beat the 80% rule", "Beat the 80 rule"]  # % only ends the word
    assert found("my_m") == ["my_module tips"]  # _ is part of a word, not a wildcard
    assert found("-beat +rule") == ["Beat the 80% rule", "Beat the 80 rule"]
    assert found("tips*") == ["my_module tips", "myXmodule tips"]
    for search in ("%", '"', "+", "-", "*", "()", "~<>", "@", "+-*", "@2"):
        assert found(search) == [], search  # no word to find, and never an error
    for search in ('"beat', "beat)", "(beat", "beat~", "@beat", ">beat <rule"):
        assert len(found(search)) == 2, search
    assert found('"beat rule"') == ["Beat the 80% rule", "Beat the 80 rule"]  # no phrases


def test_pagination_walks_every_item_once_in_order(services):
    services.catalogue.add([draft(f"Item {n:02d}", days=n) for n in range(23)]
                           + [draft(f"Undated {n}") for n in range(4)])
    token = login(services)
    seen, offset = [], 0
    while True:
        page = services.resources.for_student(token, ResourceFilter(offset=offset, limit=5))
        seen += titles(page)
        if not page.has_more:
            break
        offset += 5
    assert seen == [f"Item {n:02d}" for n in range(23)] + [f"Undated {n}" for n in range(4)]
    assert services.resources.count(token, ResourceFilter()) == 27


def test_sort_by_title_is_case_insensitive(services):
    services.catalogue.add([draft("beta", days=1), draft("Alpha", days=2), draft("gamma"),
                            draft("Delta", days=0)])
    token = login(services)
    page = services.resources.for_student(token, ResourceFilter(sort=SortOrder.TITLE))
    assert titles(page) == ["Alpha", "beta", "Delta", "gamma"]


def test_whole_catalogue_includes_untagged_resources(services):
    services.catalogue.add([draft("Tagged", days=1), draft("Untagged", tags=(), days=2)])
    token = login(services)
    assert titles(services.resources.browse(token, ResourceFilter())) == ["Tagged", "Untagged"]
    assert titles(services.resources.for_student(token)) == ["Tagged"]


@pytest.mark.parametrize(
    ("flt", "field"),
    [
        (ResourceFilter(limit=0), "limit"),
        (ResourceFilter(limit=501), "limit"),
        (ResourceFilter(offset=-1), "offset"),
        (ResourceFilter(text="x" * 201), "search"),
        (ResourceFilter(text="tab\there"), "search"),
        (ResourceFilter(kinds=frozenset({"seminar"})), "kind"),
        (ResourceFilter(interests=("bad;tag",)), "interest"),
    ],
)
def test_bad_filters_name_the_field(services, flt, field):
    token = login(services)
    with pytest.raises(ValidationError) as caught:
        services.resources.for_student(token, flt)
    assert caught.value.field == field


# --- rows written by plain SQL with only the original columns ------------------------------------


def test_original_style_rows_show_up_one_item_per_filled_cell(services):
    with services.engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO interest_resources (interest_tag, workshop, training, event) VALUES "
            "('AI', 'Intro to ML', 'PyTorch basics', NULL),"
            "('AI', NULL, '', 'AI ethics panel'),"
            "('Robotics', 'Soldering', NULL, NULL),"
            "('AI', '  ', NULL, NULL)"
        ))
    services.catalogue.add([draft("App-written AI", days=1)])
    token = login(services)

    page = services.resources.for_student(token)

    assert titles(page) == ["App-written AI", "Intro to ML", "PyTorch basics", "AI ethics panel"]
    kinds = {r.title: r.kind for r in page.items}
    assert kinds["PyTorch basics"] is ResourceKind.TRAINING
    assert kinds["AI ethics panel"] is ResourceKind.EVENT
    assert all(r.legacy for r in page.items[1:])
    assert page.items[1].interest_tags == ("AI",)
    searched = services.resources.for_student(token, ResourceFilter(text="pytorch"))
    assert titles(searched) == ["PyTorch basics"]
    trainings = services.resources.for_student(token, ResourceFilter(kinds=frozenset({"training"})))
    assert titles(trainings) == ["PyTorch basics"]


def test_the_original_query_still_answers_for_app_written_rows(services):
    services.catalogue.add([
        draft("Deep learning lab", tags=("AI", "Robotics"), days=1),
        draft("Capture the flag", kind=ResourceKind.EVENT, tags=("Cybersecurity",), days=2),
    ])
    with services.engine.connect() as conn:
        rows = conn.execute(
            text("SELECT * FROM interest_resources WHERE interest_tag = :tag"), {"tag": "AI"}
        ).mappings().all()
    assert len(rows) == 1
    assert rows[0]["workshop"] == "Deep learning lab"
    assert rows[0]["training"] is None
    assert rows[0]["event"] is None


# --- advisors keep the catalogue current ----------------------------------------------------------


def advisor_token(services) -> str:
    services.auth.register("Grace", "grace@example.edu", PASSWORD)
    services.auth.set_role("grace@example.edu", Role.ADVISOR)
    return services.auth.login("grace@example.edu", PASSWORD).token


def test_advisor_creates_updates_and_deletes_a_resource(services):
    token = advisor_token(services)
    created = services.resources.create(token, draft("Draft title", days=1, capacity=20))
    updated = services.resources.update(
        token, created.row_id, created.kind,
        draft("Final title", kind=ResourceKind.EVENT, tags=("AI", "Robotics"), days=2,
              location="Innovation Hub", url="https://events.example.edu/final"),
    )
    assert (updated.title, updated.kind, updated.location) == ("Final title", "event",
                                                               "Innovation Hub")
    assert set(updated.interest_tags) == {"AI", "Robotics"}
    services.resources.delete(token, updated.row_id, updated.kind)
    with pytest.raises(NotFound):
        services.resources.get(token, updated.row_id, updated.kind)


def test_editing_an_original_style_item_keeps_its_siblings(services):
    with services.engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO interest_resources (interest_tag, workshop, training) "
            "VALUES ('AI', 'Intro to ML', 'PyTorch basics')"
        ))
        row_id = conn.execute(text("SELECT id FROM interest_resources")).scalar_one()
    token = advisor_token(services)
    services.resources.update(token, row_id, ResourceKind.WORKSHOP,
                              draft("Intro to Machine Learning", days=3))
    student = login(services)
    assert titles(services.resources.for_student(student)) == [
        "Intro to Machine Learning", "PyTorch basics"
    ]


def test_students_cannot_edit_the_catalogue(services):
    token = login(services)
    with pytest.raises(AccessDenied):
        services.resources.create(token, draft("Sneaky"))


@pytest.mark.parametrize(
    ("bad", "field"),
    [
        (dict(title=""), "title"),
        (dict(title="x" * 201), "title"),
        (dict(url="javascript:alert(1)"), "url"),
        (dict(url="https://exa mple.edu"), "url"),
        (dict(capacity=0), "capacity"),
        (dict(capacity=-5), "capacity"),
        (dict(location="Room\n2"), "location"),
        (dict(interest_tags=("Nope",)), "interest_tags"),
        (dict(starts_at=BASE, ends_at=BASE - timedelta(hours=1)), "ends_at"),
        (dict(kind="seminar"), "kind"),
    ],
)
def test_bad_resource_fields_are_refused_by_name(services, bad, field):
    token = advisor_token(services)
    values = dict(kind=ResourceKind.WORKSHOP, title="Fine", interest_tags=("AI",))
    values.update(bad)
    with pytest.raises(ValidationError) as caught:
        services.resources.create(token, ResourceDraft(**values))
    assert caught.value.field == field
    assert services.catalogue.list(ResourceFilter()).items == ()


def test_every_page_follows_the_documented_order_for_random_filters(services):
    """Dated items by start then row, then undated ones by row and cell order; any filter."""
    import random

    rng = random.Random(3)
    tags = ["AI", "Robotics", "Cybersecurity"]
    services.catalogue.add([
        draft(f"{rng.choice(['Alpha', 'beta', 'Gamma'])} item {n}",
              kind=rng.choice(list(ResourceKind)), tags=rng.sample(tags, rng.randint(0, 2)),
              days=rng.choice([None, rng.randint(0, 30)]),
              description=rng.choice(["robots", "neural nets", "ciphers"]))
        for n in range(60)
    ])
    with services.engine.begin() as conn:
        for n in range(8):
            conn.execute(text(
                "INSERT INTO interest_resources (interest_tag, workshop, training, event) "
                "VALUES (:tag, :w, :t, NULL)"),
                {"tag": rng.choice(tags), "w": f"Old workshop {n}",
                 "t": f"Old training {n}" if n % 2 else None})
    everything = services.catalogue.list(ResourceFilter(limit=500)).items
    kind_order = {kind: n for n, kind in enumerate(ResourceKind)}

    def expected(flt: ResourceFilter) -> list[str]:
        def keep(r):
            return ((flt.interests is None or set(r.interest_tags) & set(flt.interests))
                    and (not flt.kinds or r.kind in flt.kinds)
                    and (not flt.text or flt.text in (r.title + " " + r.description).lower()))
        chosen = [r for r in everything if keep(r)]
        chosen.sort(key=lambda r: (r.starts_at is None, r.starts_at or datetime.min, r.row_id,
                                   kind_order[r.kind]))
        return [r.key for r in chosen]

    for _ in range(25):
        flt = ResourceFilter(
            interests=rng.choice([None, tuple(rng.sample(tags, rng.randint(1, 3)))]),
            kinds=frozenset(rng.sample(list(ResourceKind), rng.randint(0, 2))),
            text=rng.choice(["", "robots", "neural"]), sort=SortOrder.DATE)
        size = rng.choice([3, 7, 20])
        seen, offset = [], 0
        while True:
            page = services.catalogue.list(ResourceFilter(
                interests=flt.interests, kinds=flt.kinds, text=flt.text, sort=flt.sort,
                offset=offset, limit=size))
            seen += [r.key for r in page.items]
            if not page.has_more:
                break
            offset += size
        assert seen == expected(flt), flt


@pytest.mark.parametrize("offset", [MAX_OFFSET + 1, 2**63 - 1, 2**64])
def test_an_offset_past_any_catalogue_is_refused_by_name(services, offset):
    # Found by fuzzing `list-resources --offset 9223372036854775807`: SQLite raised OverflowError
    # for offset + page, which escaped the service as a crash instead of a message.
    token = login(services)
    with pytest.raises(ValidationError) as caught:
        services.resources.browse(token, ResourceFilter(offset=offset))
    assert caught.value.field == "offset"
    last = services.resources.browse(token, ResourceFilter(offset=MAX_OFFSET, limit=500))
    assert last.items == () and not last.has_more
