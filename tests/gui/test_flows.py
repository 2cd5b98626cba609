"""End-to-end flows through the real windows, on SQLite and on MariaDB."""

from __future__ import annotations

import threading

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from studentres_desktop.domain.models import Role
from studentres_desktop.services.auth import ThrottlePolicy
from studentres_desktop.ui.controllers.app_controller import LOGGED_OUT
from studentres_desktop.ui.session import SESSION_EXPIRED
from tests.gui.conftest import AI_TITLES, PASSWORD
from tests.support.throttle import let_time_pass


def test_register_pick_interests_browse_filter_search_and_log_out(gui):
    c = gui.controller
    gui.register()
    gui.pick_interests("Artificial Intelligence", "Robotics")

    gui.wait_for_page(c.browser_view)
    gui.wait_for_titles(["Neural networks lab", "Robot arm soldering", "AI ethics panel",
                         "Self-paced Python for machine learning"])
    assert c.window.user_label.text() == "Ada Lovelace · ada@example.edu"
    assert "4 resources" in c.browser_view.count_label.text()

    # Filter by kind, then by interest.
    c.browser_view.kind_combo.setCurrentIndex(c.browser_view.kind_combo.findData("event"))
    c.browser_view.kind_combo.activated.emit(c.browser_view.kind_combo.currentIndex())
    gui.wait_for_titles(["AI ethics panel"])
    c.browser_view.kind_combo.setCurrentIndex(0)
    c.browser_view.kind_combo.activated.emit(0)
    robotics = c.browser_view.interest_combo.findData("Robotics")
    c.browser_view.interest_combo.setCurrentIndex(robotics)
    c.browser_view.interest_combo.activated.emit(robotics)
    gui.wait_for_titles(["Robot arm soldering"])
    c.browser_view.interest_combo.setCurrentIndex(0)
    c.browser_view.interest_combo.activated.emit(0)

    # Search as you type.
    gui.qtbot.keyClicks(c.browser_view.search_edit, "neural")
    gui.wait_for_titles(["Neural networks lab"])

    # Details of the selected resource.
    c.browser_view.table.selectRow(0)
    assert c.browser_view.detail_title.text() == "Neural networks lab"
    assert "NumPy" in c.browser_view.detail_description.toPlainText()

    # Log out: back to login, and nothing of Ada's is left on screen.
    c.window.action_logout.trigger()
    gui.wait_for_page(c.login_view)
    assert c.login_view.notice_label.text() == LOGGED_OUT
    assert c.browser_view.model.rowCount() == 0
    assert c.browser_view.search_edit.text() == ""
    assert c.browser_view.detail_description.toPlainText() == ""
    assert c.browser_view.interest_combo.count() == 0
    assert c.interests_view.model.rowCount() == 0
    assert c.login_view.password_edit.text() == ""
    assert c.window.user_label.text() == ""
    assert not c.window.action_change_interests.isEnabled()


def test_logging_in_again_shows_the_saved_interests(gui):
    gui.register()
    gui.pick_interests("Cybersecurity")
    gui.wait_for_titles(["Cyber range night"])
    gui.controller.window.action_logout.trigger()
    gui.wait_for_page(gui.controller.login_view)

    gui.log_in()

    gui.wait_for_page(gui.controller.browser_view)
    gui.wait_for_titles(["Cyber range night"])


def test_change_interests_from_the_header_marks_the_primary_and_refreshes(gui):
    c = gui.controller
    gui.register()
    gui.pick_interests("Cybersecurity")
    gui.wait_for_titles(["Cyber range night"])

    c.window.action_change_interests.trigger()
    gui.wait_for_page(c.interests_view)
    gui.wait_idle()
    assert [i.tag for i in c.interests_view.model.checked()] == ["Cybersecurity"]
    assert c.interests_view.cancel_button.isVisible()
    gui.pick_interests("Robotics", "Cybersecurity")
    c_view = c.interests_view
    assert c_view.primary_combo.currentData() in ("Robotics", "Cybersecurity")

    gui.wait_for_titles(["Robot arm soldering", "Cyber range night"])
    assert "saved" in c.window.statusBar().currentMessage()


def test_saving_with_no_interest_ticked_says_what_to_do(gui):
    gui.register()
    view = gui.controller.interests_view
    gui.wait_for_page(view)
    gui.qtbot.waitUntil(lambda: view.model.rowCount() > 0)
    gui.click(view.save_button)
    assert view.error_label.text() == "Choose at least one interest, then save."
    assert gui.page() is view


def test_wrong_password_and_unknown_email_read_the_same(gui):
    c = gui.controller
    gui.register()
    gui.pick_interests("Robotics")
    c.window.action_logout.trigger()
    gui.wait_for_page(c.login_view)

    gui.log_in(password="not the password")
    gui.qtbot.waitUntil(lambda: c.login_view.error_label.text() != "")
    wrong_password = c.login_view.error_label.text()
    gui.log_in(email="nobody@example.edu")
    gui.qtbot.waitUntil(lambda: not c.runner.busy)
    gui.qtbot.waitUntil(lambda: c.login_view.login_button.isEnabled())
    assert c.login_view.error_label.text() == wrong_password
    assert "not correct" in wrong_password
    assert c.login_view.password_edit.text() == ""


def test_throttled_login_shows_how_long_to_wait(gui):
    c = gui.controller
    gui.services.auth.register("Ada", "ada@example.edu", PASSWORD)
    for _ in range(ThrottlePolicy().free_failures):
        gui.log_in(password="wrong password!")
        gui.wait_idle()
    gui.log_in(password=PASSWORD)
    gui.qtbot.waitUntil(lambda: "Try again in" in c.login_view.error_label.text())
    assert "Try again in 2 seconds" in c.login_view.error_label.text()
    assert gui.page() is c.login_view

    let_time_pass(gui.services, gui.clock, seconds=2)
    gui.log_in(password=PASSWORD)
    gui.wait_for_page(c.interests_view)


def test_login_shows_busy_and_a_second_click_does_nothing(gui):
    c = gui.controller
    gui.services.auth.register("Ada", "ada@example.edu", PASSWORD)
    release = threading.Event()
    calls = []
    real_login = gui.services.auth.login

    def slow_login(email, password):
        calls.append(email)
        release.wait(10)
        return real_login(email, password)

    gui.services.auth.login = slow_login
    gui.type_into(c.login_view.email_edit, "ada@example.edu")
    gui.type_into(c.login_view.password_edit, PASSWORD)
    gui.click(c.login_view.login_button)
    gui.qtbot.waitUntil(lambda: len(calls) == 1)

    assert not c.login_view.login_button.isEnabled()
    assert c.login_view._busy_bar.isVisible()
    gui.click(c.login_view.login_button)
    gui.qtbot.keyClick(c.login_view.password_edit, Qt.Key.Key_Return)
    release.set()
    gui.wait_for_page(c.interests_view)
    assert calls == ["ada@example.edu"]


def test_enter_in_the_email_field_moves_on_or_submits(gui):
    c = gui.controller
    gui.services.auth.register("Ada", "ada@example.edu", PASSWORD)
    gui.type_into(c.login_view.email_edit, "ada@example.edu")
    gui.qtbot.keyClick(c.login_view.email_edit, Qt.Key.Key_Return)
    assert c.login_view.password_edit.hasFocus()
    gui.qtbot.keyClicks(c.login_view.password_edit, PASSWORD)
    gui.qtbot.keyClick(c.login_view.password_edit, Qt.Key.Key_Enter)
    gui.wait_for_page(c.interests_view)


def test_session_expiry_returns_to_login_and_clears_the_students_data(gui):
    c = gui.controller
    gui.register()
    gui.pick_interests("Artificial Intelligence")
    gui.wait_for_titles(AI_TITLES)
    c.browser_view.table.selectRow(0)

    gui.clock.advance(minutes=31)
    c.session.check()  # what the session timer does every few seconds

    gui.wait_for_page(c.login_view)
    assert c.login_view.notice_label.text() == SESSION_EXPIRED
    assert c.browser_view.model.rowCount() == 0
    assert c.browser_view.detail_title.text() == "Select a resource to see its details."
    assert c.interests_view.model.rowCount() == 0
    assert c.window.user_label.text() == ""


def test_an_expired_token_is_caught_when_navigating(gui):
    c = gui.controller
    gui.register()
    gui.pick_interests("Artificial Intelligence")
    gui.wait_for_page(c.browser_view)
    gui.clock.advance(minutes=45)

    c.window.action_change_interests.trigger()

    gui.wait_for_page(c.login_view)
    assert c.login_view.notice_label.text() == SESSION_EXPIRED


def test_a_revoked_token_ends_the_session_on_the_next_request(gui):
    c = gui.controller
    gui.register()
    gui.pick_interests("Artificial Intelligence")
    gui.wait_for_page(c.browser_view)
    gui.services.auth.logout(c.session._api._token)  # revoked elsewhere in this process

    c.window.action_refresh.trigger()

    gui.wait_for_page(c.login_view)
    assert c.login_view.notice_label.text() == SESSION_EXPIRED


def test_database_going_away_shows_a_banner_keeps_input_and_recovers_with_retry(gui):
    c = gui.controller
    gui.services.auth.register("Ada", "ada@example.edu", PASSWORD)
    gui.outage.begin()

    gui.log_in()
    gui.qtbot.waitUntil(lambda: c.window.banner.isVisible(), timeout=20_000)
    assert "cannot be reached" in c.window.banner_label.text()
    assert c.login_view.email_edit.text() == "ada@example.edu"
    assert c.login_view.password_edit.text() == PASSWORD
    assert c.window.retry_button.isVisible()

    gui.outage.end()
    gui.click(c.window.retry_button)
    gui.wait_for_page(c.interests_view, timeout=20_000)
    assert not c.window.banner.isVisible()


def test_database_going_away_while_browsing_recovers_with_retry(gui):
    c = gui.controller
    gui.register()
    gui.pick_interests("Robotics")
    gui.wait_for_titles(["Robot arm soldering"])
    gui.outage.begin()

    gui.qtbot.keyClicks(c.browser_view.search_edit, "robot")
    gui.qtbot.waitUntil(lambda: c.window.banner.isVisible(), timeout=20_000)
    assert c.browser_view.search_edit.text() == "robot"

    gui.outage.end()
    gui.click(c.window.retry_button)
    gui.wait_for_titles(["Robot arm soldering"], timeout=20_000)
    assert not c.window.banner.isVisible()


def test_an_unexpected_error_shows_a_short_dialog_and_the_app_keeps_running(gui, qtbot):
    c = gui.controller

    def broken(*_args, **_kwargs):
        raise RuntimeError("a bug with private details: SELECT * FROM students_data")

    gui.services.auth.login = broken
    gui.log_in()
    qtbot.waitUntil(lambda: any(isinstance(w, QMessageBox) and w.isVisible()
                                for w in c.window.findChildren(QMessageBox)))
    box = next(w for w in c.window.findChildren(QMessageBox) if w.isVisible())
    assert "Something unexpected went wrong" in box.text()
    assert "SELECT" not in box.text()
    box.accept()
    assert c.login_view.login_button.isEnabled()
    assert gui.page() is c.login_view


def test_advisor_accounts_log_in_like_students(gui):
    gui.services.auth.register("Grace", "grace@example.edu", PASSWORD)
    gui.services.auth.set_role("grace@example.edu", Role.ADVISOR)
    gui.log_in("grace@example.edu")
    gui.wait_for_page(gui.controller.interests_view)
