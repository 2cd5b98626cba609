"""A student with a plan, for the desk look-up tests and the end-of-session tests."""

from __future__ import annotations

from studentres_desktop.domain.models import ResourceFilter
from tests.gui.conftest import PASSWORD

LIN = ("Lin Okonkwo", "lin.okonkwo@example.edu")
GOAL = "train a model that reads lab notebooks"
SAVED = ["Neural networks lab", "Cyber range night"]
RSVPED = "AI ethics panel"


def seed_student(gui, name: str = LIN[0], email: str = LIN[1]) -> None:
    """A student with interests, a goal, two saved resources and one RSVP."""
    s = gui.services
    s.auth.register(name, email, PASSWORD)
    token = s.auth.login(email, PASSWORD).token
    s.interests.set_for_student(token, ["AI", "Cybersecurity"], "AI")
    s.auth.set_learning_goal(token, GOAL)
    keys = {r.title: r.key for r in s.catalogue.list(ResourceFilter(limit=500)).items}
    for title in SAVED:
        s.plan.save(token, keys[title])
    s.plan.rsvp(token, keys[RSVPED])
