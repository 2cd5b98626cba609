"""Render every window offscreen with the demo catalogue to docs/screenshots/*.png.

    QT_QPA_PLATFORM=offscreen python scripts/screenshots.py [--out docs/screenshots]

It drives the real app (controllers, services, an embedded SQLite file in a temporary folder)
the way a student would, and grabs the main window at each step.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication

from studentres_desktop.bootstrap import Services, build_desktop, build_gateway, build_services
from studentres_desktop.domain.models import ResourceDraft, ResourceFilter, ResourceKind, Role
from studentres_desktop.persistence.engine import DatabaseSettings
from studentres_desktop.ui.loader import stylesheet
from studentres_desktop.ui.shell import Shell

WIDTH, HEIGHT = 1280, 800


class MovableClock:
    def __init__(self) -> None:
        self.now = datetime.now(UTC).replace(tzinfo=None)

    def __call__(self) -> datetime:
        return self.now


def wait_until(app: QApplication, condition: Callable[[], bool], seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("the app did not reach the expected state")
        app.processEvents()
        time.sleep(0.01)
    app.processEvents()


STUDENT = ("maya.okafor@university.edu", "tiny robots build big things")
GOING = "Robot vision with deep learning"
WAITLISTED = "Robotics Lab induction: safety, soldering and batteries"
PAST = "Robot kinematics refresher"


def show_the_plan(app: QApplication, controller: Shell, services: Services,
                  clock: MovableClock, shot: Callable[[str], None]) -> None:
    """The student RSVPs to one workshop, joins the full induction's waitlist, saves a few."""
    browser = controller.browser_view
    actions = browser.plan_actions
    browser.tabs.setCurrentIndex(0)
    # The kind first: a new filter drops a search still waiting for the typing to stop.
    browser.kind_combo.setCurrentIndex(0)
    browser.kind_combo.activated.emit(0)
    browser.search_edit.setText("")
    browser.sig_search_edited.emit("")

    def idle() -> bool:
        return not controller.runner.busy and not browser.model.loading

    wait_until(app, lambda: idle() and controller.browser.state.text == ""
               and controller.browser.state.kind == "")
    # A workshop from last week, and twelve students who filled the induction before Maya.
    week_ago = clock.now.replace(hour=14, minute=0, second=0, microsecond=0) - timedelta(days=6)
    services.catalogue.add([ResourceDraft(
        ResourceKind.WORKSHOP, PAST, "Forward and inverse kinematics, with a real arm.",
        ("Robotics",), week_ago, week_ago + timedelta(hours=2), "Robotics Lab", "", 16)])
    induction = next(r for r in services.catalogue.list(ResourceFilter(limit=500)).items
                     if r.title == WAITLISTED)
    for n in range(1, (induction.capacity or 0) + 3):
        email = f"student{n}@university.edu"
        services.auth.register(f"Student {n}", email, "a long enough passphrase")
        services.plan.rsvp(services.auth.login(email, "a long enough passphrase").token,
                           induction.key)
    controller.browser.reload()
    wait_until(app, idle)

    def select(title: str) -> None:
        row = next(r for r in range(browser.model.rowCount())
                   if browser.model.resource(r).title == title)
        browser.table.selectRow(row)
        browser.table.scrollTo(browser.model.index(row, 0))
        wait_until(app, lambda: idle() and actions.save_button.isEnabled())

    select(GOING)
    actions.save_button.click()
    wait_until(app, lambda: idle() and actions.save_button.text() == "★ &Saved")
    actions.rsvp_button.click()
    wait_until(app, lambda: idle() and actions.status_label.text() == "You're going.")
    shot("09-plan-rsvp-going")

    select(WAITLISTED)
    actions.save_button.click()
    wait_until(app, lambda: idle() and actions.save_button.text() == "★ &Saved")
    actions.rsvp_button.click()
    wait_until(app, lambda: idle() and "waitlist" in actions.status_label.text()
               and actions.rsvp_button.text() == "Leave the waitlist")
    shot("10-plan-waitlisted")

    token = services.auth.login(*STUDENT).token
    for resource in services.catalogue.list(ResourceFilter(limit=500)).items:
        if resource.title in (PAST, "Neural networks from scratch with NumPy",
                              "Machine learning foundations (self-paced course)"):
            services.plan.save(token, resource.key)
    browser.show_saved_tab()
    wait_until(app, lambda: idle() and browser.saved.model.rowCount() == 5)
    browser.saved.table.selectRow(0)
    wait_until(app, lambda: idle() and actions.save_button.isEnabled())
    shot("11-plan-saved")
    browser.tabs.setCurrentIndex(0)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("docs/screenshots"))
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)

    app = QApplication(sys.argv[:1])
    app.setStyleSheet(stylesheet())
    clock = MovableClock()
    workdir = Path(tempfile.mkdtemp(prefix="studentres-shots-"))
    services = build_services(DatabaseSettings(f"sqlite:///{workdir / 'demo.sqlite3'}"),
                              bcrypt_cost=10, clock=clock)
    settings = QSettings(str(workdir / "settings.ini"), QSettings.Format.IniFormat)
    gateway = build_gateway(services, embedded=True)
    controller = build_desktop(gateway, settings)
    window = controller.window
    controller.start()
    window.resize(WIDTH, HEIGHT)
    wait_until(app, lambda: controller.ready)

    def shot(name: str) -> None:
        app.processEvents()
        path = args.out / f"{name}.png"
        window.grab().save(str(path))
        print(f"wrote {path}")

    shot("01-login")

    # Registration with the errors a hurried student makes.
    controller.navigation.show_registration()
    register = controller.register_view
    for field, value in (("name", "Maya Okafor"), ("email", "maya.okafor@university"),
                         ("password", "robots"), ("confirm", "robot")):
        register.edits[field].setText(value)
        register.edits[field].editingFinished.emit()
    register.edits["confirm"].setFocus()
    shot("02-registration-errors")

    for field, value in (("email", "maya.okafor@university.edu"),
                         ("password", "tiny robots build big things"),
                         ("confirm", "tiny robots build big things")):
        register.edits[field].setText(value)
    register.register_button.click()
    wait_until(app, lambda: window.current_page() is controller.interests_view
               and controller.interests_view.model.rowCount() > 0 and not controller.runner.busy)

    interests = controller.interests_view
    for tag in ("Robotics", "AI"):
        row = next(r for r in range(interests.model.rowCount())
                   if interests.model.index(r).data(Qt.ItemDataRole.UserRole) == tag)
        interests.model.toggle(row)
    interests.model.set_primary("Robotics")
    interests.goal_edit.setText("build drones that see obstacles")
    shot("03-interest-picker")

    interests.save_button.click()
    browser = controller.browser_view
    wait_until(app, lambda: window.current_page() is browser and browser.model.rowCount() > 0
               and not controller.runner.busy)
    shot("04-resource-browser")

    kind = browser.kind_combo.findData("workshop")
    browser.kind_combo.setCurrentIndex(kind)
    browser.kind_combo.activated.emit(kind)
    browser.search_edit.setText("robot")
    browser.sig_search_edited.emit("robot")
    wait_until(app, lambda: not browser.model.loading and not controller.runner.busy
               and browser.search_edit.text() == controller.browser.state.text)
    browser.table.selectRow(0)
    wait_until(app, lambda: not controller.runner.busy
               and browser.plan_actions.save_button.isEnabled())
    shot("05-resource-browser-filtered")

    browser.show_recommendations_tab()
    recommendations = browser.recommendations
    wait_until(app, lambda: controller.recommendations.ready and recommendations.model.rowCount()
               > 0 and not controller.runner.busy, seconds=300)
    # Show one found by its text rather than its tags, so the reason is of the other kind.
    row = next((r for r in range(recommendations.model.rowCount())
                if not recommendations.model.item(r).reason.startswith("Matches")), 5)
    recommendations.list_view.setCurrentIndex(recommendations.model.index(row))
    recommendations.list_view.scrollTo(recommendations.model.index(row),
                                       recommendations.list_view.ScrollHint.PositionAtCenter)
    shot("06-recommendations")

    show_the_plan(app, controller, services, clock, shot)

    clock.now += timedelta(minutes=31)
    controller.session.check()
    wait_until(app, lambda: window.current_page() is controller.login_view)
    shot("07-session-expired")

    # An advisor at the front desk adds a resource and mistypes its link.
    services.auth.register("Sam Advisor", "sam.advisor@university.edu", "front desk kiosk one")
    services.auth.set_role("sam.advisor@university.edu", Role.ADVISOR)
    services.interests.set_for_student(services.auth.login(
        "sam.advisor@university.edu", "front desk kiosk one").token, ["Robotics"])
    controller.session.start(gateway.log_in("sam.advisor@university.edu",
                                            "front desk kiosk one"))
    wait_until(app, lambda: browser.model.rowCount() > 0 and not controller.runner.busy)
    window.action_new_resource.trigger()
    editor = controller.editing.editor
    wait_until(app, lambda: editor.isVisible())
    editor.title_edit.setText("Drone flight safety briefing")
    editor.description_edit.setPlainText(
        "Before the first outdoor flight: the campus rules, pre-flight checks and what to do "
        "when a drone loses its link.")
    editor.location_edit.setText("Robotics Lab, Engineering Building")
    editor.url_edit.setText("events.example.edu/drone-safety")
    editor.buttons.accepted.emit()
    wait_until(app, lambda: editor.errors["url"].isVisible())
    path = args.out / "08-advisor-editor.png"
    editor.grab().save(str(path))
    print(f"wrote {path}")
    editor.reject()

    controller.runner.wait_for_done(10_000)
    services.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
