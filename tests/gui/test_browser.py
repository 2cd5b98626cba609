"""The resource browser: debounced search, pages on demand, sorting and empty states."""

from __future__ import annotations

from datetime import datetime, timedelta

from PySide6.QtCore import Qt

from studentres_desktop.domain.models import ResourceDraft, ResourceKind, SortOrder
from studentres_desktop.services import resources as resource_service
from studentres_desktop.ui.controllers.browser_controller import NEWEST_FIRST_NOTE, PAGE_SIZE
from studentres_desktop.ui.models.resource_table_model import ResourceTableModel
from tests.gui.conftest import AI_TITLES


def open_browser(gui, *interests: str) -> None:
    gui.register()
    gui.pick_interests(*interests)
    gui.wait_for_page(gui.controller.browser_view)
    gui.qtbot.waitUntil(lambda: gui.controller.browser_view.model.rowCount() > 0 or
                        gui.controller.browser_view.results_stack.currentIndex() == 1)
    gui.wait_idle()


def count_queries(gui) -> list[str]:
    calls: list[str] = []
    real = gui.services.resources.for_student

    def counting(token, flt=None):
        calls.append(flt.text if flt else "")
        return real(token, flt)

    gui.services.resources.for_student = counting
    return calls


def test_typing_a_word_runs_one_query_not_one_per_key(gui):
    open_browser(gui, "Artificial Intelligence")
    calls = count_queries(gui)

    gui.qtbot.keyClicks(gui.controller.browser_view.search_edit, "ethics")
    gui.wait_for_titles(["AI ethics panel"])

    assert calls == ["ethics"]


def test_no_match_says_what_was_searched_and_offers_to_clear(gui):
    view = gui.controller.browser_view
    open_browser(gui, "Artificial Intelligence")
    gui.qtbot.keyClicks(view.search_edit, "xyzzy")
    gui.qtbot.waitUntil(lambda: view.empty_label.text() == "No resources match 'xyzzy'.")
    assert view.results_stack.currentWidget() is view.empty_page
    assert view.empty_button.text() == "Clear search"

    gui.click(view.empty_button)

    gui.wait_for_titles(AI_TITLES)
    assert view.search_edit.text() == ""


def test_a_student_whose_interests_have_nothing_is_offered_the_whole_catalogue(gui):
    view = gui.controller.browser_view
    open_browser(gui, "Game Development")
    assert "Nothing is listed for your interests yet" in view.empty_label.text()
    gui.click(view.empty_button)
    gui.qtbot.waitUntil(lambda: view.model.rowCount() == 5)
    assert view.interest_combo.currentText() == "Whole catalogue"


def test_sorting_by_title_from_the_header(gui):
    view = gui.controller.browser_view
    open_browser(gui, "Artificial Intelligence")
    view.table.horizontalHeader().sectionClicked.emit(ResourceTableModel.TITLE)
    view.model.sort(ResourceTableModel.TITLE, Qt.SortOrder.AscendingOrder)
    gui.wait_for_titles(["AI ethics panel", "Neural networks lab",
                         "Self-paced Python for machine learning"])
    assert view.sort_combo.currentText() == "Title A–Z"


def test_pages_are_fetched_on_demand_as_the_table_scrolls(gui):
    start = datetime(2027, 3, 1, 9, 0)
    gui.services.catalogue.add(
        ResourceDraft(ResourceKind.WORKSHOP, f"Robotics session {n:03d}", "", ("Robotics",),
                      start + timedelta(hours=n))
        for n in range(PAGE_SIZE * 2 + 20)
    )
    view = gui.controller.browser_view
    open_browser(gui, "Robotics")
    gui.qtbot.waitUntil(lambda: "221 resources" in view.count_label.text())
    assert view.model.rowCount() == PAGE_SIZE

    view.table.scrollToBottom()
    gui.qtbot.waitUntil(lambda: view.model.rowCount() == PAGE_SIZE * 2)
    view.table.scrollToBottom()
    gui.qtbot.waitUntil(lambda: view.model.rowCount() == 221)
    titles = gui.browser_titles()
    assert len(set(titles)) == 221
    assert titles[0] == "Robot arm soldering"
    assert titles[1:] == [f"Robotics session {n:03d}" for n in range(220)]


def test_a_page_that_arrives_after_the_filter_changed_is_dropped(gui):
    from studentres_desktop.domain.models import ResourcePage

    view = gui.controller.browser_view
    open_browser(gui, "Artificial Intelligence")
    stale_generation = view.model.generation
    gui.qtbot.keyClicks(view.search_edit, "ethics")
    gui.wait_for_titles(["AI ethics panel"])
    late = ResourcePage(items=(), offset=1, limit=100, has_more=False)
    assert view.model.add_page(stale_generation, late) is False
    assert gui.browser_titles() == ["AI ethics panel"]


def test_detail_pane_shows_everything_about_the_selected_resource(gui):
    view = gui.controller.browser_view
    open_browser(gui, "Robotics")
    view.table.selectRow(0)
    assert view.detail_kind.text() == "TRAINING"
    assert view.detail_title.text() == "Robot arm soldering"
    assert view.detail_when.text().startswith("When: Thu 03 Dec 2026, 10:00–12:00")
    assert "Innovation Hub" in view.detail_where.text()
    assert "30 places" in view.detail_where.text()
    assert view.detail_tags.text() == "Interests: Robotics"
    assert 'href="https://events.example.edu/x"' in view.detail_link.text()


def test_focus_search_shortcut(gui):
    open_browser(gui, "Robotics")
    gui.controller.window.action_focus_search.trigger()
    assert gui.controller.browser_view.search_edit.hasFocus()


def test_a_search_lists_the_best_matches_first_and_soonest_first_on_request(gui):
    start = datetime(2027, 3, 1, 9, 0)
    gui.services.catalogue.add([
        ResourceDraft(ResourceKind.EVENT, "Campus open day", "Tours, a drone show at noon.",
                      ("Robotics",), start),
        ResourceDraft(ResourceKind.WORKSHOP, "Drone building", "Build a drone, fly the drone, "
                      "repair the drone: drones all day.", ("Robotics",),
                      start + timedelta(days=9)),
    ])
    view = gui.controller.browser_view
    open_browser(gui, "Robotics")
    assert view.sort_combo.currentText() == "Best match"
    gui.qtbot.keyClicks(view.search_edit, "drone")
    gui.wait_for_titles(["Drone building", "Campus open day"])
    assert view.count_label.text() == "2 resources"

    soonest = view.sort_combo.findData(SortOrder.DATE)
    view.sort_combo.setCurrentIndex(soonest)
    view.sort_combo.activated.emit(soonest)
    gui.wait_for_titles(["Campus open day", "Drone building"])


def test_a_large_result_shows_a_capped_count_without_waiting_for_an_exact_one(gui):
    start = datetime(2027, 3, 1, 9, 0)
    gui.services.catalogue.add(
        ResourceDraft(ResourceKind.TRAINING, f"Robotics drill {n:04d}", "", ("Robotics",),
                      start + timedelta(hours=n))
        for n in range(1_005)
    )
    view = gui.controller.browser_view
    open_browser(gui, "Robotics")
    gui.qtbot.waitUntil(lambda: view.count_label.text() == "1,000+ resources", timeout=20_000)
    assert view.model.rowCount() == PAGE_SIZE


def test_a_broad_search_says_it_shows_the_newest_first(gui, monkeypatch):
    monkeypatch.setattr(resource_service, "BROAD_SEARCH", 2)  # "innovation" is in all five
    view = gui.controller.browser_view
    open_browser(gui, "Artificial Intelligence")
    assert view.search_note_label.isHidden()

    gui.qtbot.keyClicks(view.search_edit, "innovation")

    gui.wait_for_titles(["Self-paced Python for machine learning", "AI ethics panel",
                         "Neural networks lab"])
    assert view.search_note_label.text() == NEWEST_FIRST_NOTE
    assert not view.search_note_label.isHidden()

    gui.qtbot.keyClicks(view.search_edit, " ethics")

    gui.wait_for_titles(["AI ethics panel"])
    assert view.search_note_label.isHidden() and view.search_note_label.text() == ""
