"""The 'Recommended for you' tab and 'More like this' in the running app."""

from __future__ import annotations

import threading

import pytest

from studentres_desktop.services.recommendations.embedder import SemanticUnavailable
from studentres_desktop.ui.controllers.recommendations_controller import PREPARING
from tests.gui.conftest import AI_TITLES
from tests.support.embedders import HashingEmbedder


def open_recommendations(gui, *interests: str, goal: str = "") -> None:
    gui.register()
    gui.pick_interests(*interests, goal=goal)
    gui.wait_for_page(gui.controller.browser_view)
    gui.controller.browser_view.show_recommendations_tab()


def rows(gui) -> list[tuple[str, str]]:
    model = gui.controller.browser_view.recommendations.model
    return [(model.item(r).resource.title, model.item(r).reason) for r in range(model.rowCount())]


def test_recommended_for_you_lists_reasons_and_names_the_engine(gui):
    open_recommendations(gui, "Robotics", goal="neural network")
    view = gui.controller.browser_view.recommendations
    gui.qtbot.waitUntil(lambda: len(rows(gui)) >= 3)

    ranked = rows(gui)
    assert ranked[0] == ("Robot arm soldering", "Matches your interest: Robotics")
    assert ("Neural networks lab",
            "Close to what you want to learn: 'neural network'") in ranked[1:3]
    assert view.engine_label.text() == "Ranked by: Semantic ranking (all-MiniLM-L6-v2)"
    assert not view.back_button.isVisible()

    view.list_view.setCurrentIndex(view.model.index(0))
    assert gui.controller.browser_view.detail_title.text() == "Robot arm soldering"
    assert gui.controller.browser_view.detail_reason.text() == "Matches your interest: Robotics"


def test_more_like_this_ranks_by_the_selected_resource_and_goes_back(gui):
    c = gui.controller
    gui.register()
    gui.pick_interests("Artificial Intelligence")
    gui.wait_for_titles(AI_TITLES)
    c.browser_view.table.selectRow(0)
    gui.click(c.browser_view.more_like_button)

    view = c.browser_view.recommendations
    gui.qtbot.waitUntil(lambda: len(rows(gui)) > 0 and not c.runner.busy)
    assert c.browser_view.recommendations_visible()
    assert view.heading_label.text() == "More like 'Neural networks lab'"
    assert "Neural networks lab" not in [title for title, _ in rows(gui)]
    assert all(reason == "Similar to 'Neural networks lab'" for _, reason in rows(gui))

    gui.click(view.back_button)
    gui.qtbot.waitUntil(lambda: rows(gui) and rows(gui)[0][1].startswith("Matches your"))
    assert not view.back_button.isVisible()


def test_recommendations_follow_a_change_of_interests(gui):
    c = gui.controller
    open_recommendations(gui, "Robotics")
    gui.qtbot.waitUntil(lambda: rows(gui)[:1] == [("Robot arm soldering",
                                                   "Matches your interest: Robotics")])
    c.window.action_change_interests.trigger()
    gui.pick_interests("Cybersecurity")
    gui.wait_for_page(c.browser_view)
    c.browser_view.show_recommendations_tab()
    gui.qtbot.waitUntil(lambda: rows(gui)[:1] == [("Cyber range night",
                                                   "Matches your interest: Cybersecurity")])


def test_logging_out_clears_the_recommendations(gui):
    open_recommendations(gui, "Robotics")
    gui.qtbot.waitUntil(lambda: len(rows(gui)) > 0)
    gui.controller.window.action_logout.trigger()
    gui.wait_for_page(gui.controller.login_view)
    assert rows(gui) == []
    assert not gui.controller.browser_view.recommendations_visible()


class _BlockingLoader:
    def __init__(self) -> None:
        self.release = threading.Event()

    def __call__(self) -> HashingEmbedder:
        self.release.wait(20)
        return HashingEmbedder()


class TestWhileTheModelLoads:
    @pytest.fixture
    def embedder_loader(self):
        return _BlockingLoader()

    def test_the_tab_says_preparing_and_the_rest_of_the_app_works(self, gui, embedder_loader):
        c = gui.controller
        open_recommendations(gui, "Robotics")
        view = c.browser_view.recommendations
        assert view.status_label.text() == PREPARING
        assert view.status_label.isVisible()
        c.browser_view.tabs.setCurrentIndex(0)
        gui.wait_for_titles(["Robot arm soldering"])  # browsing is not held up by the model

        embedder_loader.release.set()
        c.browser_view.show_recommendations_tab()
        gui.qtbot.waitUntil(lambda: len(rows(gui)) > 0)
        assert not view.status_label.isVisible()


class TestWithoutTheSemanticExtra:
    @pytest.fixture
    def embedder_loader(self):
        def missing():
            raise SemanticUnavailable("the [semantic] extra is not installed (torch)")

        return missing

    def test_keyword_ranking_is_used_and_the_tab_says_so(self, gui):
        open_recommendations(gui, "Robotics")
        view = gui.controller.browser_view.recommendations
        gui.qtbot.waitUntil(lambda: len(rows(gui)) > 0)
        assert view.engine_label.text().startswith("Ranked by: Keyword ranking (BM25). "
                                                   "Semantic ranking is off")
        assert rows(gui)[0] == ("Robot arm soldering", "Matches your interest: Robotics")

