"""The whole student journey with Tab, Shift+Tab, Return, Space and Escape alone.

Every control a person can reach with Tab must have a name that a screen reader says: an
accessible name, a label buddy, or its own text (Qt's accessibility interface computes it).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import QApplication, QWidget

from tests.gui.conftest import PASSWORD

MAX_STOPS = 60


def focused() -> QWidget:
    widget = QApplication.focusWidget()
    assert widget is not None, "nothing has the keyboard focus"
    return widget


def spoken_name(widget: QWidget) -> str:
    interface = QAccessible.queryAccessibleInterface(widget)
    return interface.text(QAccessible.Text.Name).strip() if interface is not None else ""


def press(gui, key: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier):
    gui.qtbot.keyClick(focused(), key, modifier)


def type_text(gui, text: str) -> None:
    gui.qtbot.keyClicks(focused(), text)


def tab_to(gui, wanted: Callable[[QWidget], bool], *, backwards: bool = False) -> QWidget:
    """Press Tab (or Shift+Tab) until the focus is on a wanted widget."""
    for _ in range(MAX_STOPS):
        if wanted(focused()):
            return focused()
        if backwards:
            press(gui, Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier)
        else:
            press(gui, Qt.Key.Key_Tab)
    raise AssertionError(f"Tab never reached the control; it went round at {focused()!r}")


def named(object_name: str) -> Callable[[QWidget], bool]:
    return lambda widget: widget.objectName() == object_name


def tab_cycle(gui) -> list[QWidget]:
    """Every control Tab reaches from the focused one, once round, each checked for a name."""
    first = focused()
    reached = [first]
    for _ in range(MAX_STOPS):
        press(gui, Qt.Key.Key_Tab)
        if focused() is first:
            break
        reached.append(focused())
    else:
        raise AssertionError("Tab did not come back round")
    nameless = [f"{type(w).__name__} {w.objectName()!r}" for w in reached if not spoken_name(w)]
    assert nameless == [], "reachable controls without a name a screen reader can say"
    return reached


def test_a_student_journey_by_keyboard_alone(gui):
    c = gui.controller
    c.window.activateWindow()
    gui.qtbot.waitUntil(lambda: QApplication.focusWidget() is c.login_view.email_edit)

    # Log in page: Tab reaches the "Log in" button, Shift+Tab goes back.
    cycle = [w.objectName() for w in tab_cycle(gui)]
    assert cycle[:4] == ["emailEdit", "passwordEdit", "loginButton", "registerLink"]
    tab_to(gui, named("passwordEdit"))
    press(gui, Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier)
    assert focused() is c.login_view.email_edit

    # Create an account with Space on the link, then type and Tab through the form.
    tab_to(gui, named("registerLink"))
    press(gui, Qt.Key.Key_Space)
    gui.wait_for_page(c.register_view)
    assert focused() is c.register_view.edits["name"]
    tab_cycle(gui)
    for field, value in (("name", "Kay Board"), ("email", "kay@example.edu"),
                         ("password", PASSWORD), ("confirm", PASSWORD)):
        tab_to(gui, lambda w, f=field: w is c.register_view.edits[f])
        type_text(gui, value)
    press(gui, Qt.Key.Key_Return)

    # Interests: Space ticks the first one, Tab to the goal, Return saves.
    gui.wait_for_page(c.interests_view)
    gui.qtbot.waitUntil(lambda: c.interests_view.model.rowCount() > 0
                        and focused() is c.interests_view.list_view)
    first_label = c.interests_view.model.index(0).data()
    press(gui, Qt.Key.Key_Space)
    assert [i.label for i in c.interests_view.model.checked()] == [first_label]
    tab_cycle(gui)
    tab_to(gui, named("goalEdit"))
    type_text(gui, "neural networks")
    press(gui, Qt.Key.Key_Return)

    # The browser: search, Escape clears it, pick a row with Space, ask for more like it.
    gui.wait_for_page(c.browser_view)
    gui.qtbot.waitUntil(lambda: c.browser_view.model.rowCount() > 0)
    tab_to(gui, named("searchEdit"))
    tab_cycle(gui)
    tab_to(gui, named("searchEdit"))
    all_rows = gui.browser_titles()
    type_text(gui, "neural")
    gui.wait_for_titles(["Neural networks lab"])
    press(gui, Qt.Key.Key_Escape)
    gui.wait_for_titles(all_rows)
    assert c.browser_view.search_edit.text() == ""
    tab_to(gui, named("resourceTable"))
    press(gui, Qt.Key.Key_Space)
    gui.qtbot.waitUntil(lambda: c.browser_view.detail_title.text() == all_rows[0])
    tab_to(gui, named("moreLikeButton"))
    press(gui, Qt.Key.Key_Space)
    gui.qtbot.waitUntil(c.browser_view.recommendations_visible)
    gui.qtbot.waitUntil(lambda: c.browser_view.recommendations.model.rowCount() > 0,
                        timeout=20_000)

    # Log out from the header.
    tab_to(gui, named("logoutButton"))
    press(gui, Qt.Key.Key_Space)
    gui.wait_for_page(c.login_view)
    assert not c.session.active
