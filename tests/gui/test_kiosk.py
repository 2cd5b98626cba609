"""Kiosk mode: full screen, no keyboard way out, idle logout with a countdown, nothing left.

The idle clock is the test's FakeClock and `kiosk.tick()` is what the one-second timer calls,
so no test sleeps.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from PySide6.QtCore import Qt

from studentres_desktop.domain.models import Role
from studentres_desktop.ui.controllers.kiosk_controller import idle_logout_message
from tests.gui.conftest import AI_TITLES, PASSWORD
from tests.gui.test_session_end import assert_nothing_personal_left

TIMEOUT = timedelta(seconds=120)


@pytest.fixture
def kiosk_idle_timeout() -> timedelta:
    return TIMEOUT


def log_in(gui, role: Role = Role.STUDENT) -> None:
    gui.services.auth.register("Kim Kiosk", "kim@example.edu", PASSWORD)
    if role is Role.ADVISOR:
        gui.services.auth.set_role("kim@example.edu", role)
    gui.log_in("kim@example.edu")
    gui.pick_interests("Artificial Intelligence")
    gui.wait_for_titles(AI_TITLES)


def idle(gui, seconds: float) -> None:
    """Time passes with nobody touching the kiosk, then the one-second timer ticks."""
    gui.clock.advance(seconds=seconds)
    gui.controller.kiosk.tick()


def test_the_kiosk_fills_the_screen_and_no_key_or_close_leaves_it(gui):
    window = gui.controller.window
    assert window.isFullScreen()
    assert not window.action_quit.isVisible()
    assert not window.action_quit.isEnabled()
    window.close()  # the title bar's close, Alt+F4 and Ctrl+Q all arrive as a close event
    gui.qtbot.keyClick(window, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)
    gui.qtbot.keyClick(window, Qt.Key.Key_Escape)
    assert window.isVisible()
    log_in(gui)
    window.close()
    assert window.isVisible()
    assert gui.controller.session.active
    assert not window.action_exit_kiosk.isVisible()  # students cannot leave kiosk mode


def test_idle_logout_warns_offers_im_still_here_and_any_input_cancels(gui):
    c = gui.controller
    log_in(gui)
    c.browser_view.table.selectRow(0)

    idle(gui, 100)
    assert not c.kiosk.countdown_visible()
    idle(gui, 10)  # 10 seconds left: inside the last 15
    assert c.kiosk.countdown_visible()
    assert "10 seconds" in c.kiosk._countdown.seconds_text()
    gui.click(c.kiosk._countdown.still_here_button)
    assert not c.kiosk.countdown_visible()
    assert c.session.active

    idle(gui, 110)
    assert c.kiosk.countdown_visible()
    gui.qtbot.keyClick(c.browser_view.search_edit, Qt.Key.Key_A)  # any key counts
    assert not c.kiosk.countdown_visible()
    idle(gui, 119)
    assert c.session.active

    idle(gui, 2)  # 121 seconds without input
    gui.wait_for_page(c.login_view)
    assert not c.session.active
    assert c.login_view.notice_label.text() == idle_logout_message(TIMEOUT)
    assert c.login_view.email_edit.text() == ""  # no remembered email on a kiosk
    assert not c.kiosk.countdown_visible()
    assert_nothing_personal_left(gui, "Kim Kiosk", "kim@example.edu", AI_TITLES[0])


def test_a_half_typed_registration_is_wiped_when_the_kiosk_goes_idle(gui):
    c = gui.controller
    gui.click(c.login_view.register_link)
    gui.wait_for_page(c.register_view)
    gui.type_into(c.register_view.edits["name"], "Half Typed")
    gui.type_into(c.register_view.edits["email"], "half@example.edu")

    idle(gui, 121)

    gui.wait_for_page(c.login_view)
    assert all(edit.text() == "" for edit in c.register_view.edits.values())
    assert c.login_view.email_edit.text() == ""
    assert_nothing_personal_left(gui, "Half Typed", "half@example.edu")


@pytest.mark.parametrize("kiosk_idle_timeout", [timedelta(seconds=20)])
def test_a_short_timeout_warns_for_its_last_half(gui):
    c = gui.controller
    log_in(gui)
    idle(gui, 9)
    assert not c.kiosk.countdown_visible()
    idle(gui, 1)  # 10 of 20 seconds left
    assert c.kiosk.countdown_visible()
    idle(gui, 10)
    gui.wait_for_page(c.login_view)
    assert c.login_view.notice_label.text() == idle_logout_message(timedelta(seconds=20))


def test_only_an_advisor_exits_kiosk_mode(gui):
    c = gui.controller
    log_in(gui, Role.ADVISOR)
    assert c.window.action_exit_kiosk.isVisible()
    c.window.action_exit_kiosk.trigger()
    gui.qtbot.waitUntil(lambda: not c.window.isVisible())
    assert not c.session.active


def test_an_advisors_exit_action_goes_with_the_advisor(gui):
    c = gui.controller
    log_in(gui, Role.ADVISOR)
    c.window.action_logout.trigger()
    gui.wait_for_page(c.login_view)
    assert not c.window.action_exit_kiosk.isVisible()
    c.window.sig_exit_kiosk_requested.emit()  # even if something asked for it
    assert c.window.isVisible()
