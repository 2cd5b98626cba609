"""Add to calendar: iCalendar (.ics) files for one resource or every saved one.

Resource times are wall-clock times in the university's time zone (`[site] timezone` in the
config file; the machine's zone by default). Events carry that zone (TZID with its VTIMEZONE),
so calendars elsewhere show the right moment on either side of a daylight-saving change.

- A resource with no end time lasts DEFAULT_DURATION (one hour).
- A resource that ends on a later day and lasts at least 12 hours is multi-day: an all-day
  event from its first to its last day. A shorter one that crosses midnight stays timed.
- An undated resource cannot be in a calendar: alone it is refused, among saved ones skipped.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, tzinfo

import icalendar

from studentres_desktop.domain.errors import NotFound, ValidationError
from studentres_desktop.domain.models import CalendarFile, Resource, parse_resource_key
from studentres_desktop.persistence.uow import UnitOfWorkFactory, read_with_retry
from studentres_desktop.services.auth import AuthService
from studentres_desktop.services.clock import Clock, utc_now
from studentres_desktop.services.plan import machine_zone, saved_entries, site_now

DEFAULT_DURATION = timedelta(hours=1)
MULTI_DAY_MIN = timedelta(hours=12)
PRODUCT_ID = "-//StudentRes Desktop//Student plan//EN"
UID_DOMAIN = "studentres.invalid"


def is_multi_day(resource: Resource) -> bool:
    start, end = resource.starts_at, resource.ends_at
    return (start is not None and end is not None and end.date() > start.date()
            and end - start >= MULTI_DAY_MIN)


def build_calendar(resources: list[Resource], zone: tzinfo, stamp: datetime) -> bytes:
    """One VEVENT per dated resource, in `zone`; `stamp` is the UTC time of export."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    for resource in resources:
        calendar.add_component(_event(resource, zone, stamp))
    calendar.add_missing_timezones()
    return bytes(calendar.to_ical())


def _event(resource: Resource, zone: tzinfo, stamp: datetime) -> icalendar.Event:
    assert resource.starts_at is not None
    event = icalendar.Event()
    event.add("uid", f"{resource.row_id}-{resource.kind.value}@{UID_DOMAIN}")
    event.add("dtstamp", stamp.replace(tzinfo=UTC))
    event.add("summary", resource.title)
    if is_multi_day(resource):
        assert resource.ends_at is not None
        event.add("dtstart", resource.starts_at.date())
        event.add("dtend", resource.ends_at.date() + timedelta(days=1))  # DTEND is exclusive
    else:
        start = resource.starts_at.replace(tzinfo=zone)
        end = (resource.ends_at or resource.starts_at + DEFAULT_DURATION).replace(tzinfo=zone)
        event.add("dtstart", start)
        event.add("dtend", end)
    if resource.description:
        event.add("description", resource.description)
    if resource.location:
        event.add("location", resource.location)
    if resource.url:
        event.add("url", resource.url)
    event.add("categories", [resource.kind.label])
    return event


class CalendarService:
    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        auth: AuthService,
        zone: tzinfo | None = None,
        clock: Clock = utc_now,
    ) -> None:
        self._uow = uow_factory
        self._auth = auth
        self._zone = zone or machine_zone()
        self._clock = clock

    @property
    def zone(self) -> tzinfo:
        return self._zone

    def for_resource(self, token: str, key: str) -> CalendarFile:
        self._auth.authenticate(token)
        item = parse_resource_key(key)
        resource = read_with_retry(self._uow, lambda uow: uow.resources.get(*item))
        if resource is None:
            raise NotFound("This resource no longer exists.")
        if resource.starts_at is None:
            raise ValidationError(
                "starts_at", "This resource has no date, so it cannot go in a calendar."
            )
        return CalendarFile(build_calendar([resource], self._zone, self._clock()), 1, ())

    def for_saved(self, token: str) -> CalendarFile:
        """Every saved resource that is dated and still in the catalogue, past ones included."""
        student_id = self._auth.authenticate(token).student_id
        now_local = site_now(self._clock, self._zone)
        entries = read_with_retry(self._uow, lambda uow: saved_entries(uow, student_id,
                                                                       now_local))
        dated = [e.resource for e in entries if e.resource and e.resource.starts_at]
        skipped = tuple(e.title for e in entries if not (e.resource and e.resource.starts_at))
        return CalendarFile(build_calendar(dated, self._zone, self._clock()), len(dated),
                            skipped)
