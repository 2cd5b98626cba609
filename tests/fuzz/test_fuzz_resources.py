"""Every resource field, as the editor passes it, under generated input on both databases.

A draft is stored and read back exactly, or refused with a ValidationError naming the bad field
while the database stays as it was; no error but a domain error leaves the service.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from hypothesis import event, given
from hypothesis import strategies as st
from hypothesis.provisional import urls

from studentres_desktop.domain.errors import DomainError, ValidationError
from studentres_desktop.domain.models import Resource, ResourceDraft, ResourceKind
from studentres_desktop.services.validation import (
    DESCRIPTION_MAX,
    LOCATION_MAX,
    TAG_MAX,
    TITLE_MAX,
    URL_MAX,
)
from tests.fuzz.conftest import VOCABULARY, FuzzDatabase, database_settings
from tests.fuzz.strategies import around_limit, field_text, limit_integers, text

FINE = ResourceDraft(
    kind=ResourceKind.WORKSHOP,
    title="Soldering for beginners",
    description="Bring nothing.",
    interest_tags=("Robotics",),
    starts_at=datetime(2027, 3, 14, 14, 0),
    ends_at=datetime(2027, 3, 14, 16, 0),
    location="Lab 2",
    url="https://example.edu/solder",
    capacity=12,
)

moments = st.one_of(
    st.datetimes(),
    st.datetimes(timezones=st.sampled_from([UTC, timezone(timedelta(hours=-11))])),
    st.datetimes(datetime(2020, 1, 1), datetime(2030, 1, 1)).map(
        lambda moment: moment.replace(second=0, microsecond=0)),
    st.sampled_from([datetime.min, datetime.max, datetime(1000, 1, 1), datetime(999, 12, 31)]),
)

FIELD_VALUES: dict[str, st.SearchStrategy[Any]] = {
    "kind": st.sampled_from(list(ResourceKind))
    | st.sampled_from(["workshop", " Event ", "TRAINING", "talk", ""]) | text(12),
    "title": field_text(TITLE_MAX),
    "description": text() | around_limit(DESCRIPTION_MAX),
    "interest_tags": st.lists(st.sampled_from(VOCABULARY) | field_text(TAG_MAX), max_size=5)
    .map(tuple),
    "starts_at": st.none() | moments,
    "ends_at": st.none() | moments,
    "location": field_text(LOCATION_MAX),
    "url": st.one_of(st.just(""), urls(), text(), around_limit(URL_MAX),
                     text().map(lambda tail: "https://example.edu/" + tail)),
    "capacity": st.one_of(st.none(), limit_integers, st.floats(), st.booleans()),
}
FIELDS = tuple(FIELD_VALUES)


def one_field_changed() -> st.SearchStrategy[tuple[str, ResourceDraft]]:
    return st.sampled_from(FIELDS).flatmap(
        lambda name: FIELD_VALUES[name].map(
            lambda value: (name, dataclasses.replace(FINE, **{name: value}))))


every_field_changed = st.builds(ResourceDraft, **FIELD_VALUES)


def assert_stored_exactly(stored: Resource, draft: ResourceDraft) -> None:
    assert stored.kind is ResourceKind(str(draft.kind).strip().lower())
    assert (stored.title, stored.description, stored.location, stored.url) == (
        draft.title, draft.description, draft.location, draft.url)
    assert sorted(stored.interest_tags) == sorted(set(draft.interest_tags))
    assert (stored.starts_at, stored.ends_at, stored.capacity) == (
        draft.starts_at, draft.ends_at, draft.capacity)
    assert not stored.legacy


def create_or_refuse(fuzz_db: FuzzDatabase, token: str, draft: ResourceDraft,
                     fields: tuple[str, ...]) -> None:
    before = fuzz_db.snapshot()
    try:
        created = fuzz_db.services.resources.create(token, draft)
    except ValidationError as error:
        assert error.field in fields, error
        assert fuzz_db.snapshot() == before
        event(f"refused: {error.field}")
        return
    event("stored")
    assert_stored_exactly(created, draft)
    assert_stored_exactly(fuzz_db.services.resources.get(token, created.row_id, created.kind),
                          draft)


@database_settings
@given(changed=one_field_changed())
def test_each_field_of_a_new_resource_is_stored_exactly_or_refused_by_name(
    fuzz_db: FuzzDatabase, changed: tuple[str, ResourceDraft]
):
    fuzz_db.reset()
    name, draft = changed
    # A bad start time can only be reported against the end time it no longer precedes.
    names = ("starts_at", "ends_at") if name in ("starts_at", "ends_at") else (name,)
    create_or_refuse(fuzz_db, fuzz_db.advisor_token(), draft, names)


@database_settings
@given(draft=every_field_changed)
def test_a_resource_of_generated_fields_is_stored_exactly_or_refused(
    fuzz_db: FuzzDatabase, draft: ResourceDraft
):
    fuzz_db.reset()
    create_or_refuse(fuzz_db, fuzz_db.advisor_token(), draft, FIELDS)


@database_settings
@given(changed=one_field_changed())
def test_an_edit_is_stored_exactly_or_refused_leaving_the_resource_as_it_was(
    fuzz_db: FuzzDatabase, changed: tuple[str, ResourceDraft]
):
    fuzz_db.reset()
    token = fuzz_db.advisor_token()
    original = fuzz_db.services.resources.create(token, FINE)
    name, draft = changed
    before = fuzz_db.snapshot()
    try:
        updated = fuzz_db.services.resources.update(token, original.row_id, original.kind, draft)
    except ValidationError as error:
        assert error.field in (("starts_at", "ends_at") if name.endswith("_at") else (name,))
        assert fuzz_db.snapshot() == before
        return
    except DomainError as error:  # anything else is a defect: show the example
        raise AssertionError(f"{name}={getattr(draft, name)!r}: {error!r}") from error
    assert updated.row_id == original.row_id
    assert_stored_exactly(fuzz_db.services.resources.get(token, updated.row_id, updated.kind),
                          draft)
