"""Add to calendar: the .ics files parse back with icalendar, in the site's time zone and
across a daylight-saving change; on SQLite and MariaDB."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest

from studentres_desktop.domain.errors import ValidationError
from studentres_desktop.domain.models import ResourceDraft, ResourceKind
from tests.support.accounts import advisor, create, student

MADRID = ZoneInfo("Europe/Madrid")  # summer time starts on 28 March 2027 at 02:00


def event_draft(title, starts, ends=None, **extra):
    return ResourceDraft(kind=ResourceKind.EVENT, title=title, interest_tags=("AI",),
                         starts_at=starts, ends_at=ends, **extra)


def events(content: bytes) -> dict[str, icalendar.Event]:
    calendar = icalendar.Calendar.from_ical(content)
    return {str(e["SUMMARY"]): e for e in calendar.walk("VEVENT")}


@pytest.fixture
def madrid(make_services):
    return make_services(site_zone=MADRID)


def test_times_are_in_the_site_zone_on_both_sides_of_a_daylight_saving_change(madrid):
    desk = advisor(madrid)
    before, after = create(
        madrid, desk,
        event_draft("Before the change", datetime(2027, 3, 27, 10, 0),
                    datetime(2027, 3, 27, 12, 30), description="Bring a laptop",
                    location="Room 2.14", url="https://example.edu/before"),
        event_draft("After the change", datetime(2027, 3, 29, 10, 0)),
    )
    token = student(madrid)
    madrid.plan.save(token, before.key)
    madrid.plan.save(token, after.key)

    exported = madrid.calendar.for_saved(token)

    assert (exported.events, exported.skipped) == (2, ())
    calendar = icalendar.Calendar.from_ical(exported.content)
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Europe/Madrid"]
    found = events(exported.content)
    first, second = found["Before the change"], found["After the change"]
    start, end = first.decoded("DTSTART"), first.decoded("DTEND")
    assert (start.hour, start.utcoffset()) == (10, timedelta(hours=1))
    assert start.astimezone(UTC) == datetime(2027, 3, 27, 9, 0, tzinfo=UTC)
    assert end.astimezone(UTC) == datetime(2027, 3, 27, 11, 30, tzinfo=UTC)
    assert first["DTSTART"].params["TZID"] == "Europe/Madrid"
    later = second.decoded("DTSTART")
    assert (later.hour, later.utcoffset()) == (10, timedelta(hours=2))
    assert later.astimezone(UTC) == datetime(2027, 3, 29, 8, 0, tzinfo=UTC)
    # No end time: the default hour.
    assert second.decoded("DTEND") - later == timedelta(hours=1)
    assert str(first["DESCRIPTION"]) == "Bring a laptop"
    assert str(first["LOCATION"]) == "Room 2.14"
    assert str(first["URL"]) == "https://example.edu/before"
    assert str(first["UID"]) != str(second["UID"])


def test_a_multi_day_resource_is_all_day_and_an_overnight_one_is_timed(madrid):
    desk = advisor(madrid)
    camp, night = create(
        madrid, desk,
        event_draft("Robot camp", datetime(2027, 7, 5, 9, 0), datetime(2027, 7, 7, 17, 0)),
        event_draft("Hack night", datetime(2027, 7, 9, 20, 0), datetime(2027, 7, 10, 2, 0)),
    )
    token = student(madrid)

    found = events(madrid.calendar.for_resource(token, camp.key).content)
    overnight = events(madrid.calendar.for_resource(token, night.key).content)

    all_day = found["Robot camp"]
    assert all_day.decoded("DTSTART") == date(2027, 7, 5)
    assert all_day.decoded("DTEND") == date(2027, 7, 8)  # exclusive: the 7th is included
    assert all_day["DTSTART"].params["VALUE"] == "DATE"
    timed = overnight["Hack night"].decoded("DTSTART")
    assert isinstance(timed, datetime) and timed.tzinfo is not None


def test_undated_and_removed_saved_resources_are_left_out(madrid):
    desk = advisor(madrid)
    dated, undated, doomed = create(
        madrid, desk, event_draft("Dated", datetime(2027, 5, 1, 9, 0)),
        event_draft("Undated", None), event_draft("Doomed", datetime(2027, 5, 2, 9, 0)),
    )
    token = student(madrid)
    for resource in (dated, undated, doomed):
        madrid.plan.save(token, resource.key)
    madrid.resources.delete(desk, doomed.row_id, doomed.kind)

    exported = madrid.calendar.for_saved(token)

    assert list(events(exported.content)) == ["Dated"]
    assert sorted(exported.skipped) == ["Doomed", "Undated"]
    with pytest.raises(ValidationError) as caught:
        madrid.calendar.for_resource(token, undated.key)
    assert caught.value.field == "starts_at"


def test_the_zone_defaults_to_the_machines(make_services):
    services = make_services()
    assert services.calendar.zone is not None
    assert datetime(2027, 1, 1, tzinfo=services.calendar.zone).utcoffset() is not None
