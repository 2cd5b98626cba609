"""When a session ends, by any route, nothing of the person is left on screen or clipboard.

On a shared kiosk the next person must not see what the last one was doing: every dialog a
feature opened is closed, and no visible widget, item model or the clipboard holds the person's
name, email, interests, learning goal or the resource they were editing.
"""

from __future__ import annotations

import pytest
import shiboken6
from PySide6.QtCore import QAbstractItemModel, QAbstractListModel, QEvent, QModelIndex, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QApplication,
    QComboBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
)

from studentres_desktop.domain.models import Role
from tests.gui.conftest import AI_TITLES, PASSWORD
from tests.support.desk import GOAL as HELPED_GOAL
from tests.support.desk import LIN as HELPED
from tests.support.desk import seed_student

NAME = "Grace Hopperfield"
EMAIL = "grace.hopperfield@example.edu"
GOAL = "compilers for quantum annealers"
EDITED_TITLE = "Draft title typed by the advisor"
ROUTES = ["logout", "expiry", "close"]


def start_session(gui, role: Role, goal: str = "") -> None:
    gui.services.auth.register(NAME, EMAIL, PASSWORD)
    if role is Role.ADVISOR:
        gui.services.auth.set_role(EMAIL, role)
    gui.log_in(EMAIL)
    gui.pick_interests("Artificial Intelligence", "Robotics", goal=goal)
    gui.wait_for_titles([*AI_TITLES[:1], "Robot arm soldering", *AI_TITLES[1:]])


def end_session(gui, route: str) -> None:
    c = gui.controller
    if route == "logout":
        c.window.sig_logout_requested.emit()  # the header button, even under a modal dialog
    elif route == "expiry":
        gui.clock.advance(minutes=31)
        assert c.session.check() is False  # what the 15-second timer does
    else:
        c.window.close()
    gui.qtbot.waitUntil(lambda: not c.session.active)
    QApplication.processEvents()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)  # closed boxes go away


def texts_on_screen() -> list[str]:
    """Every text a person could read in a visible widget, plus the window titles."""
    found: list[str] = []
    for widget in QApplication.allWidgets():
        if not widget.isVisible():
            continue
        if widget.isWindow():
            found.append(widget.windowTitle())
        if isinstance(widget, QLabel | QAbstractButton | QLineEdit):
            found.append(widget.text())
        elif isinstance(widget, QPlainTextEdit | QTextEdit):
            found.append(widget.toPlainText())
        elif isinstance(widget, QComboBox):
            found += [widget.itemText(i) for i in range(widget.count())]
    return found


def texts_in_models() -> list[str]:
    """Every display text of every item model the app's widgets hold, visible or not."""
    models: set[QAbstractItemModel] = set()
    for widget in QApplication.allWidgets():
        if isinstance(widget, QAbstractItemView) and widget.model() is not None:
            models.add(widget.model())
        models.update(widget.findChildren(QAbstractItemModel))
    found: list[str] = []
    for model in models:
        if not shiboken6.isValid(model):  # a combo box's model deleted with its box
            continue
        columns = 1 if isinstance(model, QAbstractListModel) else model.columnCount(QModelIndex())
        for row in range(model.rowCount(QModelIndex())):
            for column in range(columns):
                value = model.index(row, column).data(Qt.ItemDataRole.DisplayRole)
                if value is not None:
                    found.append(str(value))
    return found


def assert_nothing_personal_left(gui, *personal: str) -> None:
    c = gui.controller
    visible_windows = [w for w in QApplication.topLevelWidgets() if w.isVisible()]
    assert all(w is c.window for w in visible_windows), [type(w).__name__ for w in
                                                        visible_windows]
    assert c.window.current_page() is c.login_view
    assert c.editing.owned_dialogs() == []
    assert not c.editing.editor.isVisible()
    assert c.desk_lookup.owned_dialogs() == []
    assert c.desk_lookup.overview is None and c.desk_lookup.html == ""
    for text in texts_on_screen() + texts_in_models() + [QGuiApplication.clipboard().text()]:
        for secret in personal:
            assert secret.lower() not in text.lower(), f"{secret!r} is still shown in {text!r}"


@pytest.mark.parametrize("route", ROUTES)
def test_an_advisor_session_ends_with_every_dialog_closed_and_nothing_left(gui, route, caplog):
    c = gui.controller
    seed_student(gui)  # the student the advisor helps at the desk
    start_session(gui, Role.ADVISOR)
    c.browser_view.table.selectRow(0)
    resource = c.browser_view.model.resource(0)
    QGuiApplication.clipboard().setText(f"{NAME} <{EMAIL}>")  # copied from the header

    # The editor, with something typed into it ...
    gui.click(c.browser_view.edit_button)
    gui.qtbot.waitUntil(c.editing.editor.isVisible)
    gui.type_into(c.editing.editor.title_edit, EDITED_TITLE)
    # ... the delete question over it ...
    c.editing.confirm_delete(resource)
    gui.qtbot.waitUntil(lambda: c.editing.confirmation is not None
                        and c.editing.confirmation.isVisible())
    # ... the desk look-up with another student's list ...
    c.window.action_help_student.trigger()
    c.desk_lookup.view.sig_search_requested.emit(HELPED[1])
    gui.qtbot.waitUntil(lambda: c.desk_lookup.overview is not None)
    assert c.desk_lookup.view.isVisible()
    assert any(HELPED_GOAL in text for text in texts_on_screen())
    assert any(HELPED[1] in text for text in texts_in_models())
    # ... and an error box over them all.
    c.errors.present_unexpected(RuntimeError("a defect"))
    opened = [w for w in QApplication.topLevelWidgets() if w.isVisible() and w is not c.window]
    assert len(opened) == 4
    assert any(resource.title in text for text in texts_on_screen())

    end_session(gui, route)

    assert_nothing_personal_left(gui, NAME, EMAIL, resource.title, EDITED_TITLE,
                                 "Artificial Intelligence", "Robotics", *HELPED, HELPED_GOAL,
                                 "Cyber range night")
    # The features closed what they opened; the shell's last sweep found nothing to do.
    assert "no feature owned" not in caplog.text


@pytest.mark.parametrize("route", ROUTES)
def test_a_student_session_ends_with_recommendations_and_browser_emptied(gui, route, tmp_path):
    c = gui.controller
    start_session(gui, Role.STUDENT, goal=GOAL)
    # The student's plan: a saved resource in the Saved tab and the calendar's message open.
    c.browser_view.table.selectRow(gui.browser_titles().index("Robot arm soldering"))
    actions = c.browser_view.plan_actions
    gui.qtbot.waitUntil(actions.save_button.isEnabled)
    gui.click(actions.save_button)
    gui.qtbot.waitUntil(lambda: actions.save_button.text() == "★ &Saved")
    c.browser_view.show_saved_tab()
    gui.qtbot.waitUntil(lambda: c.browser_view.saved.model.rowCount() == 1)
    c.calendar.set_file_chooser(lambda suggested: tmp_path / suggested)
    gui.click(c.browser_view.saved.calendar_button)
    gui.qtbot.waitUntil(lambda: c.calendar.message is not None and c.calendar.message.isVisible())
    assert any("Robot arm soldering" in text for text in texts_in_models())
    c.browser_view.tabs.setCurrentIndex(0)
    gui.qtbot.keyClicks(c.browser_view.search_edit, "neural")
    gui.wait_for_titles(["Neural networks lab"])
    c.browser_view.table.selectRow(0)
    c.browser_view.show_recommendations_tab()
    gui.qtbot.waitUntil(lambda: c.browser_view.recommendations.model.rowCount() > 0,
                        timeout=20_000)
    c.browser_view.recommendations.list_view.setCurrentIndex(
        c.browser_view.recommendations.model.index(0, 0))
    shown = texts_on_screen() + texts_in_models()
    assert any(GOAL in text for text in shown) or any("neural" in t.lower() for t in shown)

    end_session(gui, route)

    assert_nothing_personal_left(gui, NAME, EMAIL, GOAL, "Neural networks lab",
                                 "Robot arm soldering", "Artificial Intelligence", "Robotics")
    assert c.calendar.owned_dialogs() == [] and c.calendar.message is None
    assert c.browser_view.saved.model.rowCount() == 0
    assert not c.browser_view.plan_actions.isVisibleTo(c.browser_view)
    assert c.browser_view.search_edit.text() == ""
    assert c.interests_view.goal_edit.text() == ""


IMPORTED_TITLE = "Lab safety induction for the night shift"
ATTENDEE = "Lin Attendee-Okoro"


@pytest.mark.parametrize("route", ROUTES)
def test_an_advisor_session_ends_with_the_desk_tools_closed_and_emptied(
        gui, route, tmp_path, caplog):
    """The import preview, the audit log and a resource's attendance list, all open."""
    c = gui.controller
    start_session(gui, Role.ADVISOR)
    going = c.browser_view.model.resource(0)
    gui.services.auth.register(ATTENDEE, "lin@example.edu", PASSWORD)
    gui.services.plan.rsvp(gui.services.auth.login("lin@example.edu", PASSWORD).token,
                           going.key)
    # The audit log, open beside the browser, names the advisor ...
    c.window.action_audit_log.trigger()
    gui.qtbot.waitUntil(lambda: c.audit_log.dialog.model.rowCount() == 0
                        and c.audit_log.dialog.isVisible())
    gui.qtbot.waitUntil(lambda: not c.runner.busy)
    resource = c.browser_view.model.resource(1)
    c.editing.delete(resource)
    gui.qtbot.waitUntil(lambda: c.audit_log.dialog.model.rowCount() == 1)
    # The attendance of the first resource ...
    gui.qtbot.waitUntil(lambda: resource.title not in gui.browser_titles()
                        and not c.browser_view.model.loading and not c.runner.busy)
    c.browser_view.table.selectRow(0)
    c.window.action_attendance.trigger()
    gui.qtbot.waitUntil(lambda: c.attendance.dialog.going.rowCount() == 1)
    # ... and a file with a problem is being checked for import.
    path = tmp_path / "night.csv"
    path.write_text("kind,title,description,interest_tags,starts_at,ends_at,location,url,"
                    f"capacity\nworkshop,{IMPORTED_TITLE},,Knitting,,,,,\n", encoding="utf-8")
    c.transfer.choose_import = lambda _title, _filter: path
    c.window.action_import.trigger()
    gui.qtbot.waitUntil(c.transfer.dialog.isVisible)
    shown = texts_on_screen() + texts_in_models()
    assert any(IMPORTED_TITLE in text for text in shown)
    assert any(EMAIL in text for text in texts_in_models())

    end_session(gui, route)

    assert_nothing_personal_left(gui, NAME, EMAIL, IMPORTED_TITLE, resource.title, "Knitting",
                                 ATTENDEE, "lin@example.edu", going.title)
    assert all(f.owned_dialogs() == [] for f in (c.transfer, c.audit_log, c.attendance))
    assert c.audit_log.dialog.model.rowCount() == 0
    assert c.transfer.dialog.model.rowCount() == 0
    assert "no feature owned" not in caplog.text
