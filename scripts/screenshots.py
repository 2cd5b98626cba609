"""Render every window offscreen with the demo catalogue to docs/screenshots/*.png.

    QT_QPA_PLATFORM=offscreen python scripts/screenshots.py [--out docs/screenshots]

It drives the real app (controllers, services, an embedded SQLite file in a temporary folder)
the way a student would, and grabs the main window at each step.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"  # never a real keyring

from PySide6.QtCore import QPoint, QRect, QSettings, Qt
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import QApplication, QWidget

from studentres_desktop.bootstrap import Services, build_desktop, build_gateway, build_services
from studentres_desktop.connection_file import ConnectionSettings
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


def offscreen_screen(workdir: Path) -> list[str]:
    """A 1280×800 offscreen screen (the default is 800×600), so a full-screen kiosk looks like
    one on a real kiosk display."""
    if os.environ.get("QT_QPA_PLATFORM") != "offscreen":
        return []
    config = workdir / "screen.json"
    config.write_text(json.dumps({"screens": [{
        "name": "kiosk", "x": 0, "y": 0, "width": WIDTH, "height": HEIGHT,
        "logicalDpi": 96, "logicalBaseDpi": 96, "dpr": 1}]}), encoding="utf-8")
    return ["-platform", f"offscreen:configfile={config}"]


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

    workdir = Path(tempfile.mkdtemp(prefix="studentres-shots-"))
    app = QApplication(sys.argv[:1] + offscreen_screen(workdir))
    app.setStyleSheet(stylesheet())
    clock = MovableClock()
    services = build_services(DatabaseSettings(f"sqlite:///{workdir / 'demo.sqlite3'}"),
                              bcrypt_cost=10, clock=clock)
    settings = QSettings(str(workdir / "settings.ini"), QSettings.Format.IniFormat)
    config_file = workdir / "config.toml"  # what IT would see in the connection dialog
    config_file.write_text(
        '[database]\nurl = "mysql+mysqlconnector://studentres-lab@db.example.edu:3306/studentres"\n'
        'ssl_ca = "/etc/ssl/certs/university-ca.pem"\n', encoding="utf-8")
    gateway = build_gateway(services, embedded=True,
                            connection=ConnectionSettings(config_file))
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

    # IT opens the connection settings from the login screen; a typo in the port is named.
    window.action_database_connection.trigger()
    connection = controller.connection.dialog
    wait_until(app, lambda: connection.isVisible() and connection.edits["host"].text() != ""
               and not controller.runner.busy)
    connection.edits["port"].setText("33o6")
    connection.save_button.click()
    wait_until(app, lambda: connection.error_label.isVisibleTo(connection)
               and not controller.runner.busy)
    connection.move(window.mapToGlobal(window.rect().center()) - connection.rect().center())
    app.processEvents()
    path = args.out / "22-database-connection.png"
    with_dialog(window, connection).save(str(path))
    print(f"wrote {path}")
    connection.reject()

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

    def grab(widget: QWidget, name: str) -> None:
        app.processEvents()
        path = args.out / f"{name}.png"
        widget.grab().save(str(path))
        print(f"wrote {path}")

    # The advisor checks a CSV file before importing it: three rows need fixing.
    header = "kind,title,description,interest_tags,starts_at,ends_at,location,url,capacity\n"
    rows = [
        "workshop,Drone swarm programming,Fly three drones as one,Robotics,2027-02-03T14:00,"
        "2027-02-03T17:00,Robotics Lab,https://events.example.edu/swarm,16",
        "seminar,Ethics of autonomous weapons,A debate,AI,2027-02-05T18:00,2027-02-05T20:00,"
        "Great Hall,,",
        "event,,Bring your own board,Robotics,2027-02-07T10:00,2027-02-07T16:00,Makerspace,,40",
        "training,Lidar basics,Point clouds and SLAM,Robotics,2027-02-09T10:00,"
        "2027-02-09T09:00,Robotics Lab,,12",
        "workshop,3D printing for robot parts,From CAD to print,Robotics;Making,,,Makerspace,,10",
    ]
    bad_file = workdir / "spring-robotics.csv"
    bad_file.write_text(header + "\n".join(rows) + "\n", encoding="utf-8")
    controller.transfer.choose_import = lambda _title, _filter: bad_file
    window.action_import.trigger()
    preview = controller.transfer.dialog
    wait_until(app, lambda: preview.isVisible() and not controller.runner.busy)
    preview.resize(1100, 560)
    grab(preview, "20-import-preview-errors")

    # Fixed, it imports; an edit at the desk and the import show in the audit log.
    good_file = workdir / "spring-robotics-fixed.csv"
    good_file.write_text(header + rows[0] + "\n", encoding="utf-8")
    controller.transfer.choose_import = lambda _title, _filter: good_file
    preview.reject()
    window.action_import.trigger()
    wait_until(app, lambda: preview.isVisible() and preview.import_button.isEnabled())
    preview.import_button.click()
    wait_until(app, lambda: not preview.isVisible() and not controller.runner.busy)
    token = services.auth.login("sam.advisor@university.edu", "front desk kiosk one").token
    moved = next(r for r in services.catalogue.list(ResourceFilter(limit=200)).items
                 if r.capacity)
    services.resources.update(token, moved.row_id, moved.kind, ResourceDraft(
        moved.kind, moved.title, moved.description, moved.interest_tags, moved.starts_at,
        moved.ends_at, "Engineering Building, Room 1.02", moved.url, moved.capacity),
        expected=moved)
    window.action_audit_log.trigger()
    audit = controller.audit_log.dialog
    wait_until(app, lambda: audit.isVisible() and audit.model.rowCount() >= 2
               and not controller.runner.busy)
    audit.resize(1180, 520)
    grab(audit, "21-audit-log")
    audit.reject()

    # Maya comes to the front desk: the advisor finds her and prints her list for her.
    maya = services.auth.login("maya.okafor@university.edu", "tiny robots build big things")
    upcoming = [r for r in services.catalogue.list(ResourceFilter(limit=500)).items
                if r.starts_at is not None and r.starts_at > clock.now
                and "Robotics" in r.interest_tags]
    for resource in upcoming[:3]:
        services.plan.save(maya.token, resource.key)
    for resource in [r for r in upcoming if r.capacity][:2]:
        services.plan.rsvp(maya.token, resource.key)
    window.action_help_student.trigger()
    lookup = controller.desk_lookup
    wait_until(app, lambda: lookup.view.isVisible())
    lookup.view.search_edit.setText("okafor")
    lookup.view.sig_search_requested.emit("okafor")
    wait_until(app, lambda: lookup.overview is not None and not controller.runner.busy)
    lookup.view.resize(1040, 720)
    path = args.out / "desk-lookup.png"
    lookup.view.grab().save(str(path))
    print(f"wrote {path}")
    controller.session.end("")
    wait_until(app, lambda: window.current_page() is controller.login_view)
    window.hide()
    controller.runner.wait_for_done(10_000)

    # A kiosk where a student walked away: the last seconds before it logs her out.
    kiosk = build_desktop(gateway, QSettings(str(workdir / "kiosk.ini"),
                                             QSettings.Format.IniFormat),
                          clock=clock, kiosk_idle_timeout=timedelta(seconds=120))
    kiosk.start()
    wait_until(app, lambda: kiosk.ready)
    kiosk.session.start(gateway.log_in("maya.okafor@university.edu",
                                       "tiny robots build big things"))
    kiosk_browser = kiosk.browser_view
    wait_until(app, lambda: kiosk.window.current_page() is kiosk_browser
               and kiosk_browser.model.rowCount() > 0 and not kiosk.runner.busy)
    assert kiosk.kiosk is not None
    clock.now += timedelta(seconds=108)
    kiosk.kiosk.tick()
    wait_until(app, kiosk.kiosk.countdown_visible)
    path = args.out / "kiosk-countdown.png"
    with_dialog(kiosk.window, kiosk.kiosk.owned_dialogs()[0]).save(str(path))
    print(f"wrote {path}")
    kiosk.session.end("")
    app.removeEventFilter(kiosk.kiosk)
    kiosk.window.unlock_and_close()

    kiosk.runner.wait_for_done(10_000)
    controller.runner.wait_for_done(10_000)
    services.dispose()
    return 0


def with_dialog(window: QWidget, dialog: QWidget):  # type: ignore[no-untyped-def]
    """The window with a dialog drawn where it shows (offscreen, each is its own surface)."""
    picture = window.grab()
    where = dialog.mapToGlobal(QPoint(0, 0)) - window.mapToGlobal(QPoint(0, 0))
    if not picture.rect().contains(where):
        where = QPoint((picture.width() - dialog.width()) // 2,
                       (picture.height() - dialog.height()) // 2)
    painter = QPainter(picture)
    painter.fillRect(QRect(where + QPoint(4, 6), dialog.size()), QColor(0, 0, 0, 60))  # shadow
    painter.drawPixmap(where, dialog.grab())
    painter.setPen(QColor("#5a6b86"))  # the frame a window manager would draw
    painter.drawRect(QRect(where, dialog.size()).adjusted(0, 0, -1, -1))
    painter.end()
    return picture


if __name__ == "__main__":
    sys.exit(main())
