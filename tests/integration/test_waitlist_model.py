"""The waitlist against a model: any sequence of RSVPs, cancellations and capacity changes
leaves exactly the places and the waitlist order the rules say; positions are always 1..n.

Generated with Hypothesis, on SQLite and MariaDB (one database per test, a fresh resource per
example).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from studentres_desktop.domain.models import RsvpState
from tests.support.accounts import advisor, draft, student

STUDENTS = 6


@dataclass
class Model:
    capacity: int
    going: list[int] = field(default_factory=list)
    waitlist: list[int] = field(default_factory=list)

    def fill(self) -> None:
        while len(self.going) < self.capacity and self.waitlist:
            self.going.append(self.waitlist.pop(0))

    def rsvp(self, n: int) -> None:
        if n in self.going or n in self.waitlist:
            return
        (self.going if len(self.going) < self.capacity else self.waitlist).append(n)

    def cancel(self, n: int) -> None:
        for queue in (self.going, self.waitlist):
            if n in queue:
                queue.remove(n)
        self.fill()

    def resize(self, capacity: int) -> None:
        self.capacity = capacity
        self.fill()


operations = st.lists(
    st.one_of(
        st.tuples(st.just("rsvp"), st.integers(0, STUDENTS - 1)),
        st.tuples(st.just("cancel"), st.integers(0, STUDENTS - 1)),
        st.tuples(st.just("capacity"), st.integers(1, 4)),
    ),
    min_size=4,
    max_size=16,
)


def test_the_waitlist_follows_the_rules_for_any_sequence(services):
    desk = advisor(services)
    tokens = [student(services, f"s{n}@example.edu", f"S{n}", interests=())
              for n in range(STUDENTS)]
    emails = [f"s{n}@example.edu" for n in range(STUDENTS)]

    @settings(max_examples=30, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow])
    @given(capacity=st.integers(1, 3), steps=operations)
    def check(capacity: int, steps: list[tuple[str, int]]) -> None:
        resource = services.resources.create(desk, draft("Talk", capacity=capacity))
        model = Model(capacity)
        for action, value in steps:
            if action == "rsvp":
                services.plan.rsvp(tokens[value], resource.key)
                model.rsvp(value)
            elif action == "cancel":
                services.plan.cancel_rsvp(tokens[value], resource.key)
                model.cancel(value)
            else:
                current = services.resources.get(desk, resource.row_id, resource.kind)
                services.resources.update(desk, resource.row_id, resource.kind,
                                          draft("Talk", capacity=value), expected=current)
                model.resize(value)
            attendance = services.desk.attendees(desk, resource.key)
            assert {a.email for a in attendance.going} == {emails[n] for n in model.going}
            assert [a.email for a in attendance.waitlisted] == [emails[n]
                                                               for n in model.waitlist]
            assert [a.position for a in attendance.waitlisted] == list(
                range(1, len(model.waitlist) + 1))
        statuses = [services.plan.status(token, resource.key) for token in tokens]
        for n, status in enumerate(statuses):
            if n in model.going:
                assert status.state is RsvpState.GOING
            elif n in model.waitlist:
                assert status.position == model.waitlist.index(n) + 1
            else:
                full = len(model.going) >= model.capacity
                assert status.state is (RsvpState.FULL if full else RsvpState.OPEN)
        services.resources.delete(desk, resource.row_id, resource.kind)

    check()
