"""How errors reach people: words for domain errors, never a driver message or traceback."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from studentres_desktop.domain.errors import ValidationError

FIELD_LABELS = {
    "name": "Name",
    "email": "Email",
    "password": "Password",
    "confirm": "Confirmation",
    "interests": "Interests",
    "interest": "Interest",
    "learning goal": "What you want to learn",
    "search": "Search",
    "title": "Title",
    "description": "Description",
    "interest_tags": "Interests",
    "starts_at": "The start",
    "ends_at": "The end",
    "location": "Location",
    "url": "The link",
    "capacity": "The number of places",
    "kind": "Kind",
}


class ErrorReporter(Protocol):
    def __call__(self, error: Exception, retry: Callable[[], None] | None = None) -> None: ...


def field_message(error: ValidationError) -> str:
    """'Password is too short: …' from field 'password' and message 'is too short: …'."""
    message = error.message
    if message[:1].islower():
        label = FIELD_LABELS.get(error.field, error.field.replace("_", " ").capitalize())
        return f"{label} {message}"
    return message
