"""How resources read on screen: dates, kinds and interests, shared by the table and the detail."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from studentres_desktop.domain.models import Resource, ResourceKind, RsvpState, RsvpStatus

KIND_PLURALS = {
    ResourceKind.WORKSHOP: "Workshops",
    ResourceKind.TRAINING: "Trainings",
    ResourceKind.EVENT: "Events",
}
KIND_COLOURS = {
    ResourceKind.WORKSHOP: "#2f6fdb",
    ResourceKind.TRAINING: "#1b8a5a",
    ResourceKind.EVENT: "#c25a00",
}


def when(resource: Resource) -> str:
    """'Tue 15 Dec 2026, 14:00–16:00', or 'Self-paced / no date' when undated."""
    start, end = resource.starts_at, resource.ends_at
    if start is None:
        return "No fixed date"
    text = f"{start:%a %d %b %Y, %H:%M}"
    if end is not None:
        text += f"–{end:%H:%M}" if end.date() == start.date() else f" – {end:%a %d %b %Y, %H:%M}"
    return text


def short_date(moment: datetime | None) -> str:
    return f"{moment:%a %d %b %Y %H:%M}" if moment else "No fixed date"


def interests(resource: Resource, labels: Mapping[str, str]) -> str:
    return ", ".join(labels.get(tag, tag) for tag in resource.interest_tags) or "—"


def ordinal(number: int) -> str:
    """1st, 2nd, 3rd, 4th, 11th, 12th, 13th, 21st …"""
    if 10 <= number % 100 <= 20:
        suffix = "th"
    else:
        suffix = {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


def rsvp_detail(status: RsvpStatus) -> str:
    """The detail pane's line: 'You're going.', '3rd on the waitlist', 'Full — join the …'."""
    if status.state is RsvpState.GOING:
        return "You're going."
    if status.state is RsvpState.WAITLISTED:
        return f"You're {ordinal(status.position or 1)} on the waitlist."
    if status.state is RsvpState.FULL:
        waiting = f" ({status.waitlisted} waiting)" if status.waitlisted else ""
        return f"Full — join the waitlist{waiting}."
    return status.label


RSVP_ACTIONS = {
    RsvpState.GOING: "Cancel RSVP",
    RsvpState.WAITLISTED: "Leave the waitlist",
    RsvpState.FULL: "Join the waitlist",
    RsvpState.OPEN: "RSVP",
}
