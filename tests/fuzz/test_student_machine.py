"""A student's actions through the services as a Hypothesis state machine, on both databases.

Rules: register, log in, set interests, set the learning goal, save, unsave, RSVP, cancel, log
out. After every step: no two accounts share an email (as check_email normalises it), the
accounts and sessions the model expects are the ones the services report, each student's saved
list and RSVPs are the model's, every resource's going list and waitlist are the model's (in
order, within capacity, waitlist positions 1..n without gaps or duplicates), and a logged-out
token is refused.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    multiple,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import func, select

from studentres_desktop.domain.errors import (
    EmailAlreadyRegistered,
    InvalidCredentials,
    InvalidToken,
    ValidationError,
)
from studentres_desktop.domain.models import (
    ResourceDraft,
    ResourceFilter,
    ResourceKind,
    RsvpState,
    parse_resource_key,
)
from studentres_desktop.persistence import tables as t
from studentres_desktop.services.validation import GOAL_MAX, check_email
from tests.fuzz.conftest import VOCABULARY, FuzzDatabase, database_settings
from tests.fuzz.strategies import field_text, text

PASSWORDS = ("correct horse battery", "Correct Horse Battery", "staple gun tuesday")
ADDRESSES = ("ada@example.edu", "grace@example.edu", "élodie@exämple.edu", "ß@example.edu")


def spellings(address: str) -> st.SearchStrategy[str]:
    """The same address as a person might type it: case and surrounding spaces vary."""
    return st.sampled_from([address, address.upper(), f"  {address}\t", address.title()])


emails = st.sampled_from(ADDRESSES).flatmap(spellings) | text(20)


@dataclass
class Account:
    student_id: int
    name: str
    password: str


@dataclass
class Places:
    """A resource with a capacity, as the model sees it: who holds a place, who waits, in order."""

    capacity: int
    going: list[str] = field(default_factory=list)  # emails of those holding a place
    waiting: list[str] = field(default_factory=list)  # emails, first in line first


# Small capacities, so that the waitlist and promotions come into play within a few steps.
CAPACITIES = (1, 2)


class StudentActions(RuleBasedStateMachine):
    """Subclassed per test with `db`, the test function's database."""

    db: FuzzDatabase
    sessions = Bundle("sessions")

    def __init__(self) -> None:
        super().__init__()
        self.db.reset()
        self.services = self.db.services
        self.accounts: dict[str, Account] = {}  # by normalised email
        self.live: dict[str, str] = {}  # token -> normalised email
        self.logged_out: set[str] = set()
        self.interests: dict[str, tuple[set[str], str]] = {}  # email -> (tags, primary)
        self.goals: dict[str, str] = {}
        self.saved: dict[str, set[str]] = {}  # email -> resource keys
        starts = datetime(2027, 3, 1, 10, 0)
        self.services.catalogue.add(
            ResourceDraft(ResourceKind.WORKSHOP, f"Workshop for {n}", "", ("AI",),
                          starts + timedelta(days=n), capacity=n)
            for n in CAPACITIES
        )
        listed = self.services.catalogue.list(ResourceFilter(limit=50)).items
        self.places = {r.key: Places(r.capacity or 0) for r in listed if r.capacity}
        assert len(self.places) == len(CAPACITIES)

    @rule(name=st.sampled_from(["Ada", "Grace Hopper", "Élodie"]) | text(20), email=emails,
          password=st.sampled_from(PASSWORDS) | text(20))
    def register(self, name: str, email: str, password: str) -> None:
        try:
            student = self.services.auth.register(name, email, password)
        except EmailAlreadyRegistered:
            assert check_email(email) in self.accounts
            return
        except ValidationError as error:
            assert error.field in ("name", "email", "password"), error
            return
        assert student.email not in self.accounts, "a second account for one email"
        assert student.email == check_email(email)
        self.accounts[student.email] = Account(student.id, name, password)

    @rule(target=sessions, email=emails, password=st.sampled_from(PASSWORDS) | text(20))
    def log_in(self, email: str, password: str) -> object:
        try:
            normalised = check_email(email)
        except ValidationError:
            normalised = None
        account = self.accounts.get(normalised or "")
        try:
            result = self.services.auth.login(email, password)
        except (InvalidCredentials, ValidationError):
            assert account is None or account.password != password
            return multiple()
        assert account is not None and account.password == password
        assert result.student.id == account.student_id
        self.live[result.token] = result.student.email
        return result.token

    @initialize(target=sessions)
    def three_students_are_in_already(self) -> object:
        """The plan's rules need several live sessions to race for the few places."""
        tokens = []
        for n in range(3):
            email = f"seed{n}@example.edu"
            self.register(f"Seed {n}", email, PASSWORDS[0])
            tokens.append(self.log_in(email, PASSWORDS[0]))
        return multiple(*tokens)

    @rule(token=sessions, tags=st.lists(st.sampled_from(VOCABULARY), min_size=1, max_size=4))
    def set_interests(self, token: str, tags: list[str]) -> None:
        try:
            student = self.services.interests.set_for_student(token, tags)
        except InvalidToken:
            assert token in self.logged_out
            return
        assert token in self.live
        self.interests[student.email] = (set(tags), tags[0])

    @rule(token=sessions, goal=field_text(GOAL_MAX))
    def set_learning_goal(self, token: str, goal: str) -> None:
        try:
            student = self.services.auth.set_learning_goal(token, goal)
        except InvalidToken:
            assert token in self.logged_out
            return
        except ValidationError as error:
            assert error.field == "learning goal" and token in self.live
            return
        self.goals[student.email] = goal

    @rule(token=sessions, which=st.integers(0, len(CAPACITIES) - 1))
    def save(self, token: str, which: int) -> None:
        key = sorted(self.places)[which]
        try:
            self.services.plan.save(token, key)
        except InvalidToken:
            assert token in self.logged_out
            return
        self.saved.setdefault(self.live[token], set()).add(key)

    @rule(token=sessions, which=st.integers(0, len(CAPACITIES) - 1))
    def unsave(self, token: str, which: int) -> None:
        key = sorted(self.places)[which]
        try:
            self.services.plan.unsave(token, key)
        except InvalidToken:
            assert token in self.logged_out
            return
        self.saved.get(self.live[token], set()).discard(key)

    @rule(token=sessions, which=st.integers(0, len(CAPACITIES) - 1))
    def rsvp(self, token: str, which: int) -> None:
        key = sorted(self.places)[which]
        try:
            status = self.services.plan.rsvp(token, key)
        except InvalidToken:
            assert token in self.logged_out
            return
        email, places = self.live[token], self.places[key]
        if email not in places.going and email not in places.waiting:  # twice changes nothing
            if len(places.going) < places.capacity:
                places.going.append(email)
            else:
                places.waiting.append(email)
        if email in places.going:
            assert status.state is RsvpState.GOING
        else:
            assert status.state is RsvpState.WAITLISTED
            assert status.position == places.waiting.index(email) + 1

    @rule(token=sessions, which=st.integers(0, len(CAPACITIES) - 1))
    def cancel(self, token: str, which: int) -> None:
        key = sorted(self.places)[which]
        try:
            status = self.services.plan.cancel_rsvp(token, key)
        except InvalidToken:
            assert token in self.logged_out
            return
        email, places = self.live[token], self.places[key]
        if email in places.going:
            places.going.remove(email)
            if places.waiting:  # the first in line takes the freed place, at once
                places.going.append(places.waiting.pop(0))
        elif email in places.waiting:
            places.waiting.remove(email)
        assert status.state not in (RsvpState.GOING, RsvpState.WAITLISTED)

    @rule(token=sessions)
    def log_out(self, token: str) -> None:
        self.services.auth.logout(token)
        self.live.pop(token, None)
        self.logged_out.add(token)

    @rule(token=st.sampled_from(["", "not a token", "a.b.c"]))
    def use_a_forged_token(self, token: str) -> None:
        try:
            self.services.auth.current_student(token)
        except InvalidToken:
            return
        raise AssertionError(f"{token!r} was accepted")

    @invariant()
    def one_account_per_email(self) -> None:
        with self.services.engine.connect() as conn:
            emails = conn.execute(select(t.students_data.c.email)).scalars().all()
            accounts = conn.execute(select(func.count()).select_from(t.students_data)).scalar()
        assert accounts == len(emails) == len(set(emails)) == len(self.accounts)
        assert set(emails) == set(self.accounts)

    @invariant()
    def sessions_speak_for_their_students(self) -> None:
        for token, email in self.live.items():
            student = self.services.auth.current_student(token)
            assert student.email == email
            assert student.id == self.accounts[email].student_id
            if email in self.interests:
                tags, primary = self.interests[email]
                assert set(student.interests) == tags and student.primary_interest == primary
            assert student.learning_goal == self.goals.get(email, "")

    @invariant()
    def saved_lists_are_the_students_own(self) -> None:
        for token, email in self.live.items():
            saved = {entry.key for entry in self.services.plan.saved(token)}
            assert saved == self.saved.get(email, set())

    @invariant()
    def places_and_waitlists_are_in_order_without_gaps(self) -> None:
        for key, places in self.places.items():
            attendance = self.services.reports.attendees(parse_resource_key(key))
            # Who holds a place is a set (ties in sign-up time are in any order); the waitlist
            # is a queue, first in line first.
            assert sorted(a.email for a in attendance.going) == sorted(places.going)
            assert [a.email for a in attendance.waitlisted] == places.waiting
            assert len(attendance.going) <= places.capacity
            assert [a.position for a in attendance.waitlisted] == list(
                range(1, len(attendance.waitlisted) + 1))
        for token, email in self.live.items():
            mine = {entry.resource.key for entry in self.services.plan.my_rsvps(token)}
            assert mine == {key for key, places in self.places.items()
                            if email in places.going or email in places.waiting}

    @invariant()
    def logged_out_tokens_are_refused(self) -> None:
        for token in self.logged_out:
            try:
                self.services.auth.current_student(token)
            except InvalidToken:
                continue
            raise AssertionError("a logged-out token still works")


def test_a_students_actions_keep_the_invariants(fuzz_db: FuzzDatabase):
    machine = type("StudentActionsHere", (StudentActions,), {"db": fuzz_db})
    run_state_machine_as_test(
        machine, settings=settings(database_settings, stateful_step_count=25)
    )
