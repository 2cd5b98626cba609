"""A student saves and RSVPs in the app while the node their workstation uses is killed: no error
dialog, no banner, and both are kept on the surviving nodes."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtWidgets import QApplication, QMessageBox

from studentres_desktop.bootstrap import build_services
from studentres_desktop.services.auth import ThrottlePolicy
from tests.cluster.workload import KILLED_NODE_MARKS, stored
from tests.gui.conftest import (
    DatabaseOutage,
    GuiApp,
    catalogue,
    running_desktop,
    small_event,
)
from tests.support.embedders import HashingEmbedder

pytestmark = KILLED_NODE_MARKS
WAIT_MS = 30_000  # a hard kill stalls the cluster's writes for about 5 s


@pytest.fixture
def app_on_cluster(cluster, cluster_database, qtbot, tmp_path, clock) -> Iterator[GuiApp]:
    node1 = cluster.nodes[0]
    services = build_services(cluster_database.settings(node1), bcrypt_cost=4, clock=clock,
                              throttle=ThrottlePolicy(), embedder_loader=HashingEmbedder)
    services.catalogue.seed_interests()
    services.catalogue.add([*catalogue(), small_event()])
    with running_desktop(services, DatabaseOutage([services], None, None), qtbot, tmp_path,
                         clock, wait_ms=WAIT_MS) as app:
        yield app


def error_shown(gui: GuiApp) -> bool:
    boxes = [w for w in QApplication.topLevelWidgets()
             if isinstance(w, QMessageBox) and w.isVisible()]
    return bool(boxes) or gui.window.banner.isVisible()


def test_the_node_in_use_killed_during_save_and_rsvp_goes_unnoticed(cluster, cluster_database,
                                                                     app_on_cluster):
    gui = app_on_cluster
    node1, node2, node3 = cluster.nodes
    view, actions = gui.controller.browser_view, gui.controller.browser_view.plan_actions
    gui.register()
    gui.pick_interests("Artificial Intelligence")
    gui.wait_for_page(view)
    gui.wait_idle()
    view.tabs.setCurrentIndex(0)
    gui.qtbot.waitUntil(lambda: "Robotics demo day" in gui.browser_titles())
    view.table.selectRow(gui.browser_titles().index("Robotics demo day"))
    gui.qtbot.waitUntil(lambda: view.detail_title.text() == "Robotics demo day")
    gui.qtbot.waitUntil(actions.save_button.isEnabled)
    gui.wait_idle()

    gui.click(actions.save_button)
    node1.kill()  # the node this workstation uses, while the save is on its way
    gui.qtbot.waitUntil(lambda: actions.save_button.text() == "★ &Saved", timeout=WAIT_MS)
    gui.click(actions.rsvp_button)
    gui.qtbot.waitUntil(lambda: actions.status_label.text() == "You're going.", timeout=WAIT_MS)
    gui.wait_idle(WAIT_MS)

    assert not error_shown(gui)
    for node in (node2, node3):
        ((key,),) = node.sql("SELECT CONCAT(id, ':', kind) FROM interest_resources"
                             " WHERE title = 'Robotics demo day'", database=cluster_database.name)
        assert sorted(stored(node, cluster_database.name)) == [
            ("ada@example.edu", "rsvp", key), ("ada@example.edu", "save", key)], \
            f"node{node.number}"
