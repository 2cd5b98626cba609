"""The student's plan in the browser: save and unsave, the Saved tab, RSVP with a waitlist,
and add to calendar, on SQLite and MariaDB."""

from __future__ import annotations

from datetime import timedelta

import icalendar
import pytest
from PySide6.QtCore import Qt

from studentres_desktop.domain.models import ResourceDraft, ResourceFilter, ResourceKind, Role
from studentres_desktop.ui import formatting
from studentres_desktop.ui.controllers.calendar_controller import file_name_for
from studentres_desktop.ui.models.resource_table_model import ResourceTableModel
from studentres_desktop.ui.models.saved_table_model import SavedTableModel
from tests.gui.conftest import PASSWORD, START

SAVED, PLACES = ResourceTableModel.SAVED, ResourceTableModel.PLACES
UNDATED = "Self-paced Python for machine learning"


def open_browser(gui, email: str = "ada@example.edu", name: str = "Ada Lovelace") -> None:
    gui.register(name=name, email=email)
    gui.pick_interests("Artificial Intelligence")
    gui.wait_for_page(gui.controller.browser_view)
    gui.wait_idle()


def switch_to(gui, email: str) -> None:
    """Log out, and log in as someone else whose interests are already chosen."""
    c = gui.controller
    c.window.sig_logout_requested.emit()
    gui.wait_for_page(c.login_view)
    gui.log_in(email)
    gui.wait_for_page(c.browser_view)
    gui.qtbot.waitUntil(lambda: c.browser_view.model.rowCount() > 0)
    gui.wait_idle()


def row_of(gui, title: str) -> int:
    gui.qtbot.waitUntil(lambda: title in gui.browser_titles())
    return gui.browser_titles().index(title)


def cell(gui, title: str, column: int) -> str:
    model = gui.controller.browser_view.model
    return model.index(row_of(gui, title), column).data()


def select(gui, title: str) -> None:
    """Select a row; its plan (saved, RSVP) shows in the detail pane once it has loaded."""
    view = gui.controller.browser_view
    view.tabs.setCurrentIndex(0)
    view.table.selectRow(row_of(gui, title))
    gui.qtbot.waitUntil(lambda: view.detail_title.text() == title)
    gui.qtbot.waitUntil(view.plan_actions.save_button.isEnabled)
    gui.wait_idle()


def saved_titles(gui) -> list[str]:
    model = gui.controller.browser_view.saved.model
    return [model.entry(row).title for row in range(model.rowCount())]


def stored_saved(gui, email: str = "ada@example.edu") -> list[str]:
    token = gui.services.auth.login(email, PASSWORD).token
    return [entry.title for entry in gui.services.plan.saved(token)]


def add_resource(gui, title: str, *, day: int | None = 5, capacity: int | None = None) -> None:
    starts = START + timedelta(days=day) if day is not None else None
    gui.services.catalogue.add([ResourceDraft(
        ResourceKind.EVENT, title, "Added for this test.", ("AI",), starts,
        starts + timedelta(hours=2) if starts else None, "Main hall", "", capacity)])


def message_text(gui) -> str:
    gui.qtbot.waitUntil(lambda: gui.controller.calendar.message is not None
                        and gui.controller.calendar.message.isVisible())
    return gui.controller.calendar.message.text()


# --- save and unsave ------------------------------------------------------------------------------


def test_save_in_the_detail_pane_survives_logout_and_unsave_in_the_saved_tab(gui):
    c = gui.controller
    view = c.browser_view
    open_browser(gui)
    select(gui, "AI ethics panel")
    assert view.plan_actions.save_button.text() == "☆ &Save"

    gui.click(view.plan_actions.save_button)

    gui.qtbot.waitUntil(lambda: view.plan_actions.save_button.text() == "★ &Saved")
    assert cell(gui, "AI ethics panel", SAVED) == "★"
    assert cell(gui, "Neural networks lab", SAVED) == "☆"
    assert c.window.statusBar().currentMessage() == "Saved 'AI ethics panel'."
    assert stored_saved(gui) == ["AI ethics panel"]

    switch_to(gui, "ada@example.edu")
    gui.qtbot.waitUntil(lambda: cell(gui, "AI ethics panel", SAVED) == "★")
    view.show_saved_tab()
    gui.qtbot.waitUntil(lambda: saved_titles(gui) == ["AI ethics panel"])
    view.saved.table.selectRow(0)
    gui.qtbot.waitUntil(lambda: view.detail_title.text() == "AI ethics panel")
    gui.qtbot.waitUntil(lambda: view.plan_actions.save_button.text() == "★ &Saved")

    gui.click(view.saved.unsave_button)

    gui.qtbot.waitUntil(lambda: saved_titles(gui) == [])
    assert view.saved.stack.currentWidget() is view.saved.empty_page
    assert c.window.statusBar().currentMessage() == "Removed 'AI ethics panel' from Saved."
    # The detail pane and the table heard of it through the change broadcast.
    gui.qtbot.waitUntil(lambda: view.plan_actions.save_button.text() == "☆ &Save")
    gui.qtbot.waitUntil(lambda: cell(gui, "AI ethics panel", SAVED) == "☆")
    assert stored_saved(gui) == []


def test_the_star_in_the_table_saves_by_mouse_and_unsaves_by_keyboard(gui):
    view = gui.controller.browser_view
    open_browser(gui)
    gui.qtbot.waitUntil(lambda: cell(gui, "Neural networks lab", PLACES) == "30 places left")
    row = row_of(gui, "Neural networks lab")
    star = view.table.visualRect(view.model.index(row, SAVED)).center()

    gui.qtbot.mouseClick(view.table.viewport(), Qt.MouseButton.LeftButton, pos=star)

    gui.qtbot.waitUntil(lambda: cell(gui, "Neural networks lab", SAVED) == "★")
    assert stored_saved(gui) == ["Neural networks lab"]
    assert "saved" in view.model.index(row, 1).data(Qt.ItemDataRole.AccessibleTextRole)

    gui.qtbot.waitUntil(lambda: view.plan_actions.save_button.text() == "★ &Saved")
    gui.wait_idle()
    view.table.setFocus()
    view.table.selectRow(row)
    gui.qtbot.keyClick(view.table, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)

    gui.qtbot.waitUntil(lambda: cell(gui, "Neural networks lab", SAVED) == "☆")
    assert stored_saved(gui) == []


def test_a_recommendation_is_saved_from_the_detail_pane_with_ctrl_s(gui):
    c = gui.controller
    view = c.browser_view
    open_browser(gui)
    view.show_recommendations_tab()
    recommendations = view.recommendations
    gui.qtbot.waitUntil(lambda: recommendations.model.rowCount() > 0, timeout=20_000)
    title = recommendations.model.item(0).resource.title
    recommendations.list_view.setFocus()
    recommendations.list_view.setCurrentIndex(recommendations.model.index(0))
    gui.qtbot.waitUntil(lambda: view.detail_title.text() == title)
    gui.qtbot.waitUntil(view.plan_actions.save_button.isEnabled)

    gui.qtbot.keyClick(recommendations.list_view, Qt.Key.Key_S,
                       Qt.KeyboardModifier.ControlModifier)

    gui.qtbot.waitUntil(lambda: view.plan_actions.save_button.text() == "★ &Saved")
    assert stored_saved(gui) == [title]


def test_the_saved_tab_puts_past_and_removed_ones_below_greyed(gui):
    view = gui.controller.browser_view
    add_resource(gui, "Last week's lecture", day=-10)
    add_resource(gui, "Cancelled meetup", day=8)
    open_browser(gui)
    token = gui.services.auth.login("ada@example.edu", PASSWORD).token
    found = {r.title: r for r in gui.services.catalogue.list(ResourceFilter(limit=50)).items}
    for title in ("Cancelled meetup", "Last week's lecture", "AI ethics panel",
                  "Neural networks lab"):
        gui.services.plan.save(token, found[title].key)
    gui.services.auth.register("Grace Advisor", "grace@example.edu", PASSWORD)
    gui.services.auth.set_role("grace@example.edu", Role.ADVISOR)
    advisor = gui.services.auth.login("grace@example.edu", PASSWORD).token
    gone = found["Cancelled meetup"]
    gui.services.resources.delete(advisor, gone.row_id, gone.kind, expected=gone)

    view.show_saved_tab()

    gui.qtbot.waitUntil(lambda: saved_titles(gui) == [
        "Neural networks lab", "AI ethics panel", "Last week's lecture", "Cancelled meetup"])
    model = view.saved.model
    notes = [model.index(r, SavedTableModel.NOTE).data() for r in range(4)]
    assert notes == ["30 places left", "30 places left", "Past", "Removed from the catalogue"]
    assert model.index(0, SavedTableModel.TITLE).data(Qt.ItemDataRole.ForegroundRole) is None
    assert model.index(2, SavedTableModel.TITLE).data(Qt.ItemDataRole.ForegroundRole) is not None
    assert view.saved.count_label.text() == "4 saved, 2 still to come"

    # A removed one can still be unsaved, with the Delete key.
    view.saved.table.setFocus()
    view.saved.table.selectRow(3)
    gui.qtbot.keyClick(view.saved.table, Qt.Key.Key_Delete)

    gui.qtbot.waitUntil(lambda: saved_titles(gui) == [
        "Neural networks lab", "AI ethics panel", "Last week's lecture"])


# --- RSVP ---------------------------------------------------------------------------------------


def test_rsvp_full_waitlist_cancel_and_promotion_seen_by_the_second_student(gui):
    c = gui.controller
    actions = c.browser_view.plan_actions
    add_resource(gui, "Robotics demo day", day=5, capacity=1)
    gui.services.auth.register("Bob Byte", "bob@example.edu", PASSWORD)
    open_browser(gui)
    select(gui, "Robotics demo day")
    assert actions.status_label.text() == "1 place left"
    assert actions.rsvp_button.text() == "RSVP"

    gui.click(actions.rsvp_button)

    gui.qtbot.waitUntil(lambda: actions.status_label.text() == "You're going.")
    assert actions.rsvp_button.text() == "Cancel RSVP"
    gui.qtbot.waitUntil(lambda: cell(gui, "Robotics demo day", PLACES) == "Going")

    # Bob finds it full and joins the waitlist.
    c.window.sig_logout_requested.emit()
    gui.wait_for_page(c.login_view)
    gui.log_in("bob@example.edu")
    gui.pick_interests("Artificial Intelligence")
    gui.wait_for_page(c.browser_view)
    gui.wait_idle()
    gui.qtbot.waitUntil(lambda: cell(gui, "Robotics demo day", PLACES) == "Full")
    select(gui, "Robotics demo day")
    assert actions.status_label.text() == "Full — join the waitlist."
    assert actions.rsvp_button.text() == "Join the waitlist"
    gui.click(actions.rsvp_button)
    gui.qtbot.waitUntil(lambda: actions.status_label.text() == "You're 1st on the waitlist.")
    assert actions.rsvp_button.text() == "Leave the waitlist"
    gui.qtbot.waitUntil(lambda: cell(gui, "Robotics demo day", PLACES) == "Waitlisted (1)")

    # Ada cancels: her place goes to Bob in the same transaction.
    switch_to(gui, "ada@example.edu")
    select(gui, "Robotics demo day")
    assert actions.status_label.text() == "You're going."
    gui.click(actions.rsvp_button)
    gui.qtbot.waitUntil(lambda: actions.status_label.text() == "Full — join the waitlist.")
    assert c.window.statusBar().currentMessage() == \
        "Cancelled your RSVP for 'Robotics demo day'."

    switch_to(gui, "bob@example.edu")
    gui.qtbot.waitUntil(lambda: cell(gui, "Robotics demo day", PLACES) == "Going")
    select(gui, "Robotics demo day")
    assert actions.status_label.text() == "You're going."
    # Saved, it shows the same status in the Saved tab.
    gui.click(actions.save_button)
    gui.qtbot.waitUntil(lambda: actions.save_button.text() == "★ &Saved")
    c.browser_view.show_saved_tab()
    saved = c.browser_view.saved.model
    gui.qtbot.waitUntil(lambda: saved.rowCount() == 1)
    assert saved.index(0, SavedTableModel.NOTE).data() == "Going"


def test_the_table_reads_the_marks_of_a_page_at_once_not_row_by_row(gui):
    calls: list[int] = []
    real = gui.services.plan.statuses

    def counting(token, keys):
        calls.append(len(keys))
        return real(token, keys)

    gui.services.plan.statuses = counting
    for n in range(12):
        add_resource(gui, f"AI meetup {n:02}", day=10 + n, capacity=20)
    open_browser(gui)
    gui.qtbot.waitUntil(lambda: cell(gui, "AI meetup 11", PLACES) == "20 places left")
    gui.wait_idle()
    assert calls == [gui.controller.browser_view.model.rowCount()] == [15]


def test_a_resource_without_capacity_offers_no_rsvp(gui):
    actions = gui.controller.browser_view.plan_actions
    add_resource(gui, "Open lab hours", day=6, capacity=None)
    open_browser(gui)
    gui.qtbot.waitUntil(lambda: cell(gui, "Neural networks lab", PLACES) == "30 places left")
    assert cell(gui, "Open lab hours", PLACES) == ""
    select(gui, "Open lab hours")
    assert not actions.rsvp_button.isVisible()
    assert not actions.status_label.isVisible()
    assert actions.save_button.isVisible()


def test_an_rsvp_to_a_resource_that_is_over_is_refused_in_words(gui):
    actions = gui.controller.browser_view.plan_actions
    add_resource(gui, "Last week's lab", day=-10, capacity=20)
    open_browser(gui)
    select(gui, "Last week's lab")

    gui.click(actions.rsvp_button)

    gui.qtbot.waitUntil(lambda: actions.status_label.text() ==
                        "This resource is over; it takes no more RSVPs.")
    assert actions.status_label.property("state") == "refused"


def test_waitlist_positions_read_as_ordinals():
    assert [formatting.ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22, 103)] == [
        "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "103rd"]


# --- add to calendar ------------------------------------------------------------------------------


def events_in(path) -> list[icalendar.Event]:
    calendar = icalendar.Calendar.from_ical(path.read_bytes())
    return list(calendar.walk("VEVENT"))


def test_one_resource_goes_to_an_ics_file_that_parses_back(gui, tmp_path):
    c = gui.controller
    asked: list[str] = []
    c.calendar.set_file_chooser(lambda suggested: asked.append(suggested) or tmp_path / "ethics")
    open_browser(gui)
    select(gui, "AI ethics panel")

    gui.click(c.browser_view.plan_actions.calendar_button)

    text = message_text(gui)
    assert asked == ["ai-ethics-panel.ics"]
    written = tmp_path / "ethics.ics"
    assert f"Wrote 1 event to {written}." in text
    (event,) = events_in(written)
    assert str(event["SUMMARY"]) == "AI ethics panel"
    assert str(event["LOCATION"]) == "Innovation Hub"
    assert event.decoded("DTSTART").replace(tzinfo=None) == START + timedelta(days=3)
    assert event.decoded("DTEND") - event.decoded("DTSTART") == timedelta(hours=2)


def test_an_undated_resource_cannot_be_added_to_a_calendar(gui):
    open_browser(gui)
    select(gui, UNDATED)
    assert not gui.controller.browser_view.plan_actions.calendar_button.isEnabled()


def test_every_saved_resource_goes_to_one_file_and_the_undated_are_named(gui, tmp_path):
    c = gui.controller
    view = c.browser_view
    c.calendar.set_file_chooser(lambda suggested: tmp_path / suggested)
    open_browser(gui)
    for title in ("Neural networks lab", "AI ethics panel", UNDATED):
        select(gui, title)
        gui.click(view.plan_actions.save_button)
        gui.qtbot.waitUntil(lambda: view.plan_actions.save_button.text() == "★ &Saved")
    view.show_saved_tab()
    gui.qtbot.waitUntil(lambda: len(saved_titles(gui)) == 3)

    gui.click(view.saved.calendar_button)

    text = message_text(gui)
    assert "Wrote 2 events" in text
    assert f"• {UNDATED}" in text
    summaries = sorted(str(e["SUMMARY"]) for e in events_in(tmp_path / "my-saved-resources.ics"))
    assert summaries == ["AI ethics panel", "Neural networks lab"]


def test_a_folder_that_cannot_be_written_is_named_in_a_message(gui, tmp_path):
    c = gui.controller
    c.calendar.set_file_chooser(lambda _suggested: tmp_path / "no such folder" / "x.ics")
    open_browser(gui)
    select(gui, "AI ethics panel")

    gui.click(c.browser_view.plan_actions.calendar_button)

    text = message_text(gui)
    assert text.startswith(f"Could not write {tmp_path / 'no such folder' / 'x.ics'}: ")
    assert "Choose another folder." in text


class TestOnAKiosk:
    @pytest.fixture
    def kiosk_idle_timeout(self) -> timedelta:
        return timedelta(seconds=120)

    def test_a_kiosk_offers_no_calendar_file_but_the_rest_of_the_plan(self, gui):
        view = gui.controller.browser_view
        open_browser(gui)
        select(gui, "AI ethics panel")
        assert not view.plan_actions.calendar_button.isVisible()
        assert view.plan_actions.rsvp_button.isVisible()
        view.show_saved_tab()
        gui.wait_idle()
        assert not view.saved.calendar_button.isVisible()


def test_suggested_file_names_are_plain():
    assert file_name_for("AI: ethics & you!") == "ai-ethics-you.ics"
    assert file_name_for("???") == "resource.ics"
