"""The student's plan: saved resources, and RSVPs with a capacity and a waitlist.

Times of resources are wall-clock times at the university (the site's time zone); the clock
gives UTC. Every RSVP change locks the resource's row first and writes its lock row (see
RsvpRepository.lock_resource), so two students racing for the last place never both get it, on
one server or on two nodes of a Galera cluster, and the waitlist is changed by one
transaction at a time: its order has no gaps or duplicates.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, datetime, tzinfo
from zoneinfo import ZoneInfoNotFoundError

import tzlocal

from studentres_desktop.domain.errors import NotFound, RsvpUnavailable, ValidationError
from studentres_desktop.domain.models import (
    AuditAction,
    Resource,
    Role,
    RsvpEntry,
    RsvpState,
    RsvpStatus,
    SavedEntry,
    parse_resource_key,
    resource_key,
)
from studentres_desktop.persistence.plan import ItemKey, RsvpCounts, RsvpRow, SavedRow
from studentres_desktop.persistence.uow import (
    UnitOfWork,
    UnitOfWorkFactory,
    read_with_retry,
    run_write,
)
from studentres_desktop.services import audit
from studentres_desktop.services.auth import AuthService
from studentres_desktop.services.clock import Clock, utc_now

MAX_KEYS = 500
log = logging.getLogger(__name__)


def machine_zone() -> tzinfo:
    """This computer's time zone: its IANA zone (with the daylight-saving rules) where the
    system names one, else its current UTC offset (e.g. TZ set to a POSIX rule such as CET-1).
    """
    try:
        return tzlocal.get_localzone()
    except (ZoneInfoNotFoundError, ValueError, OSError):
        fallback = datetime.now().astimezone().tzinfo or UTC
        log.warning("this computer's time zone has no IANA name; using its current offset "
                    "(%s). Set [site] timezone in the config file.", fallback)
        return fallback


def site_now(clock: Clock, zone: tzinfo) -> datetime:
    """The wall-clock time at the university, naive like the resources' times."""
    return clock().replace(tzinfo=UTC).astimezone(zone).replace(tzinfo=None)


def has_ended(starts_at: datetime | None, ends_at: datetime | None, now: datetime) -> bool:
    """Over: its end has passed, or (with no end) its start. Undated resources never end."""
    end = ends_at or starts_at
    return end is not None and end < now


# --- RSVP rules, shared by the student's own actions and the advisor's desk ---------------------


def locked_resource(uow: UnitOfWork, item: ItemKey) -> Resource:
    """The resource, with its row locked until the unit of work ends."""
    if not uow.rsvps.lock_resource(item[0]):
        raise NotFound("This resource no longer exists.")
    resource = uow.resources.get(*item)
    if resource is None:
        raise NotFound("This resource no longer exists.")
    return resource


def status_from(item: ItemKey, capacity: int | None, counts: RsvpCounts, mine: RsvpRow | None,
                position: int | None) -> RsvpStatus:
    if mine is not None:
        state = mine.state
    elif capacity is None:
        state = RsvpState.NO_CAPACITY
    elif counts.going >= capacity:
        state = RsvpState.FULL
    else:
        state = RsvpState.OPEN
    return RsvpStatus(
        key=resource_key(*item),
        state=state,
        capacity=capacity,
        going=counts.going,
        waitlisted=counts.waitlisted,
        position=position if state is RsvpState.WAITLISTED else None,
    )


def status_of(uow: UnitOfWork, resource: Resource, student_id: int) -> RsvpStatus:
    item = (resource.row_id, resource.kind)
    mine = uow.rsvps.get(item, student_id)
    position = None
    if mine is not None and mine.waitlist_seq is not None:
        position = uow.rsvps.position(item, mine.waitlist_seq)
    return status_from(item, resource.capacity, uow.rsvps.counts(item), mine, position)


def fill_places(uow: UnitOfWork, resource: Resource) -> list[int]:
    """Promote the first of the waitlist into free places; returns who was promoted."""
    if resource.capacity is None:
        return []
    item = (resource.row_id, resource.kind)
    counts = uow.rsvps.counts(item)
    free = resource.capacity - counts.going
    if free <= 0 or not counts.waitlisted:
        return []
    promoted = uow.rsvps.first_waitlisted(item, free)
    uow.rsvps.promote(item, promoted)
    return promoted


def join(uow: UnitOfWork, resource: Resource, student_id: int, now_utc: datetime,
         now_local: datetime) -> RsvpStatus | None:
    """Take a place, or the end of the waitlist when full; None if already signed up.

    The resource's row must be locked (see `locked_resource`).
    """
    item = (resource.row_id, resource.kind)
    if uow.rsvps.get(item, student_id) is not None:
        return None
    if resource.capacity is None:
        raise RsvpUnavailable("This resource takes no RSVPs: it has no capacity set.")
    if has_ended(resource.starts_at, resource.ends_at, now_local):
        raise RsvpUnavailable("This resource is over; it takes no more RSVPs.")
    counts = uow.rsvps.counts(item)
    if counts.waitlisted and counts.going < resource.capacity and fill_places(uow, resource):
        counts = uow.rsvps.counts(item)
    if counts.going < resource.capacity:
        uow.rsvps.add(item, student_id, RsvpState.GOING, now_utc)
        return RsvpStatus(resource.key, RsvpState.GOING, resource.capacity, counts.going + 1,
                          counts.waitlisted)
    # The new waitlist_seq is above every other, so the new position is the waitlist's length.
    uow.rsvps.add(item, student_id, RsvpState.WAITLISTED, now_utc)
    return RsvpStatus(resource.key, RsvpState.WAITLISTED, resource.capacity, counts.going,
                      counts.waitlisted + 1, position=counts.waitlisted + 1)


def leave(uow: UnitOfWork, resource: Resource, student_id: int) -> tuple[bool, list[int]]:
    """Give up a place or a waitlist spot; the first waitlisted take freed places.

    Returns whether there was an RSVP, and who was promoted.
    """
    item = (resource.row_id, resource.kind)
    if uow.rsvps.get(item, student_id) is None:
        return False, []
    uow.rsvps.remove(item, student_id)
    return True, fill_places(uow, resource)


def check_keys(keys: Sequence[str]) -> list[ItemKey]:
    return list(dict.fromkeys(parsed_keys(keys).values()))


def parsed_keys(keys: Sequence[str]) -> dict[str, ItemKey]:
    """Each key as given, with the item it names; a ValidationError for too many or a bad one."""
    if len(keys) > MAX_KEYS:
        raise ValidationError("resources", f"at most {MAX_KEYS} at a time.")
    return {key: parse_resource_key(key) for key in keys}


def saved_entries(uow: UnitOfWork, student_id: int, now_local: datetime) -> list[SavedEntry]:
    """The student's saved resources: upcoming soonest first, then undated, then past ones
    (latest first), then removed ones."""
    entries = [_entry(uow, row, now_local) for row in uow.saved.of_student(student_id)]

    def seconds(moment: datetime) -> float:
        return (moment - datetime.min).total_seconds()

    def order(entry: SavedEntry) -> tuple[int, float]:
        when = entry.starts_at or entry.ends_at
        if entry.removed:
            return 3, seconds(entry.saved_at)
        if entry.past and when is not None:
            return 2, -seconds(when)
        if when is None:
            return 1, seconds(entry.saved_at)
        return 0, seconds(when)

    return sorted(entries, key=order)


def _entry(uow: UnitOfWork, row: SavedRow, now_local: datetime) -> SavedEntry:
    live = None if row.removed else uow.resources.get(row.row_id, row.kind)
    title, starts_at, ends_at = row.title, row.starts_at, row.ends_at
    if live is not None:
        title, starts_at, ends_at = live.title, live.starts_at, live.ends_at
    return SavedEntry(
        key=resource_key(row.row_id, row.kind),
        title=title,
        starts_at=starts_at,
        ends_at=ends_at,
        saved_at=row.saved_at,
        resource=live,
        past=has_ended(starts_at, ends_at, now_local),
    )


def rsvp_entries(uow: UnitOfWork, student_id: int) -> list[RsvpEntry]:
    """The student's RSVPs with their status, soonest first."""
    entries = []
    for row in uow.rsvps.of_student(student_id):
        resource = uow.resources.get(row.row_id, row.kind)
        if resource is not None:
            entries.append(RsvpEntry(resource, status_of(uow, resource, student_id)))
    return sorted(entries, key=lambda e: (e.resource.starts_at is None,
                                          e.resource.starts_at or datetime.min))


# --- the service ----------------------------------------------------------------------------------


class PlanService:
    """Save, unsave, RSVP and cancel, for the student the token speaks for."""

    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        auth: AuthService,
        clock: Clock = utc_now,
        zone: tzinfo | None = None,
    ) -> None:
        self._uow = uow_factory
        self._auth = auth
        self._clock = clock
        self._zone = zone or machine_zone()

    def _now_local(self) -> datetime:
        return site_now(self._clock, self._zone)

    # --- saved ----------------------------------------------------------------------------------

    def save(self, token: str, key: str) -> bool:
        """Save a resource; saving it again changes nothing. True when it was not saved yet."""
        student_id = self._auth.authenticate(token).student_id
        item = parse_resource_key(key)
        def write(uow: UnitOfWork) -> bool:
            resource = uow.resources.get(*item)
            if resource is None:
                raise NotFound("This resource no longer exists.")
            return uow.saved.save(student_id, item, resource.title, resource.starts_at,
                                  resource.ends_at, self._clock())

        return run_write(self._uow, write)

    def unsave(self, token: str, key: str) -> bool:
        """Forget a saved resource (a removed one too); True when it was saved."""
        student_id = self._auth.authenticate(token).student_id
        item = parse_resource_key(key)
        return run_write(self._uow, lambda uow: uow.saved.unsave(student_id, item))

    def saved(self, token: str) -> tuple[SavedEntry, ...]:
        student_id = self._auth.authenticate(token).student_id
        now_local = self._now_local()
        return tuple(read_with_retry(
            self._uow, lambda uow: saved_entries(uow, student_id, now_local)
        ))

    def saved_keys(self, token: str, keys: Sequence[str]) -> frozenset[str]:
        """Which of these resources the student saved (for the star on each row)."""
        student_id = self._auth.authenticate(token).student_id
        items = check_keys(keys)
        found = read_with_retry(self._uow, lambda uow: uow.saved.saved_among(student_id, items))
        return frozenset(resource_key(*item) for item in found)

    # --- RSVP -----------------------------------------------------------------------------------

    def rsvp(self, token: str, key: str) -> RsvpStatus:
        """Take a place, or join the waitlist when it is full; asking twice changes nothing.

        An advisor's own RSVP is recorded in the audit log, like every advisor's change.
        """
        principal = self._auth.authenticate(token)
        item = parse_resource_key(key)
        def write(uow: UnitOfWork) -> RsvpStatus:
            resource = locked_resource(uow, item)
            joined = join(uow, resource, principal.student_id, self._clock(), self._now_local())
            if joined is not None and principal.role is Role.ADVISOR:
                actor = audit.actor_of(uow, principal)
                audit.record(uow, actor, AuditAction.RSVP_ADDED, self._clock(),
                             resource=resource, after={"student": actor.email,
                                                       "status": joined.state.value,
                                                       "position": joined.position},
                             detail=f"for themselves: {joined.label}")
            return joined or status_of(uow, resource, principal.student_id)

        return run_write(self._uow, write, exclusive=True)

    def cancel_rsvp(self, token: str, key: str) -> RsvpStatus:
        """Give up the place (the first on the waitlist takes it) or the waitlist spot."""
        principal = self._auth.authenticate(token)
        item = parse_resource_key(key)
        def write(uow: UnitOfWork) -> RsvpStatus:
            resource = locked_resource(uow, item)
            audited = principal.role is Role.ADVISOR
            before = status_of(uow, resource, principal.student_id) if audited else None
            had, promoted = leave(uow, resource, principal.student_id)
            if had and before is not None:
                actor = audit.actor_of(uow, principal)
                emails = [s.email for s in map(uow.students.get, promoted) if s is not None]
                audit.record(uow, actor, AuditAction.RSVP_CANCELLED, self._clock(),
                             resource=resource,
                             before={"student": actor.email, "status": before.state.value,
                                     "position": before.position},
                             after={"student": actor.email, "status": None,
                                    "promoted_from_waitlist": emails},
                             detail="for themselves")
            return status_of(uow, resource, principal.student_id)

        return run_write(self._uow, write, exclusive=True)

    def status(self, token: str, key: str) -> RsvpStatus:
        return self.statuses(token, [key])[key]

    def statuses(self, token: str, keys: Sequence[str]) -> dict[str, RsvpStatus]:
        """The student's RSVP status on each resource (keys of removed ones are left out)."""
        student_id = self._auth.authenticate(token).student_id
        # Each key parsed once: a page of 50 parsed them four times over.
        given = parsed_keys(keys)
        items = list(dict.fromkeys(given.values()))

        def read(uow: UnitOfWork) -> dict[ItemKey, RsvpStatus]:
            # Four queries for a whole page, whatever its size.
            capacities = uow.rsvps.capacities(items)
            pairs = list(capacities)
            counts = uow.rsvps.counts_for(pairs)
            mine = {(row.row_id, row.kind): row for row in uow.rsvps.of_student(student_id,
                                                                                pairs)}
            positions = uow.rsvps.positions(
                [pair for pair, row in mine.items() if row.waitlist_seq is not None]
            )
            found: dict[ItemKey, RsvpStatus] = {}
            for pair, capacity in capacities.items():
                row = mine.get(pair)
                position = None
                if row is not None and row.waitlist_seq is not None:
                    position = positions.get((pair[0], pair[1].value, row.waitlist_seq))
                found[pair] = status_from(
                    pair, capacity, counts.get(pair, RsvpCounts()), row, position)
            return found

        found = read_with_retry(self._uow, read)
        if len(keys) == 1 and given[keys[0]] not in found:
            raise NotFound("This resource no longer exists.")
        return {key: found[item] for key, item in given.items() if item in found}

    def my_rsvps(self, token: str) -> tuple[RsvpEntry, ...]:
        student_id = self._auth.authenticate(token).student_id
        return tuple(read_with_retry(self._uow, lambda uow: rsvp_entries(uow, student_id)))
