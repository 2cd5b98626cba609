"""A database node dying under a student who browses, saves and RSVPs: no error, nothing lost.

Two "nodes" are two TCP proxies in front of the one MariaDB; cutting a proxy drops its open
connections and refuses new ones, as a killed server does. The app lists both (`hosts`).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtWidgets import QApplication, QMessageBox
from sqlalchemy.engine import make_url

from studentres_desktop.bootstrap import build_services
from studentres_desktop.persistence.engine import DatabaseSettings
from studentres_desktop.persistence.schema import ensure_schema
from studentres_desktop.services.auth import ThrottlePolicy
from tests.conftest import apply_schema_sql
from tests.gui.conftest import (
    PASSWORD,
    DatabaseOutage,
    GuiApp,
    catalogue,
    running_desktop,
    small_event,
)
from tests.support.embedders import HashingEmbedder
from tests.support.tcp_proxy import TcpProxy

pytestmark = pytest.mark.mysql


@pytest.fixture
def two_nodes(mysql_url, qtbot, tmp_path, clock) -> Iterator[tuple[GuiApp, TcpProxy, TcpProxy]]:
    apply_schema_sql(mysql_url)
    parsed = make_url(mysql_url)
    first = TcpProxy(parsed.host or "127.0.0.1", parsed.port or 3306)
    second = TcpProxy(parsed.host or "127.0.0.1", parsed.port or 3306)
    hosts = (("127.0.0.1", first.port), ("127.0.0.1", second.port))
    services = build_services(DatabaseSettings(mysql_url, connect_timeout=3, read_timeout=5,
                                               hosts=hosts),
                              bcrypt_cost=4, clock=clock, throttle=ThrottlePolicy(),
                              embedder_loader=HashingEmbedder)
    ensure_schema(services.engine)
    services.catalogue.seed_interests()
    services.catalogue.add([*catalogue(), small_event()])
    try:
        with running_desktop(services, DatabaseOutage([services], None, first), qtbot, tmp_path,
                             clock) as app:
            yield app, first, second
    finally:
        first.cut()
        second.cut()


def no_error_shown(gui: GuiApp) -> bool:
    boxes = [w for w in QApplication.topLevelWidgets()
             if isinstance(w, QMessageBox) and w.isVisible()]
    return not boxes and not gui.window.banner.isVisible()


def test_a_node_dying_while_a_student_saves_and_rsvps_goes_unnoticed(two_nodes):
    gui, first, _second = two_nodes
    c = gui.controller
    view, actions = c.browser_view, c.browser_view.plan_actions
    gui.register()
    gui.pick_interests("Artificial Intelligence")
    gui.wait_for_page(view)
    gui.wait_idle()

    first.cut()  # the node the app is connected to dies

    view.tabs.setCurrentIndex(0)
    titles = gui.browser_titles()
    view.table.selectRow(titles.index("Robotics demo day"))
    gui.qtbot.waitUntil(lambda: view.detail_title.text() == "Robotics demo day", timeout=20_000)
    gui.qtbot.waitUntil(actions.save_button.isEnabled, timeout=20_000)
    gui.wait_idle(20_000)
    gui.click(actions.save_button)
    gui.qtbot.waitUntil(lambda: actions.save_button.text() == "★ &Saved", timeout=20_000)
    gui.click(actions.rsvp_button)
    gui.qtbot.waitUntil(lambda: actions.status_label.text() == "You're going.", timeout=20_000)
    gui.wait_idle(20_000)
    assert no_error_shown(gui)

    token = gui.services.auth.login("ada@example.edu", PASSWORD).token
    assert [e.title for e in gui.services.plan.saved(token)] == ["Robotics demo day"]
    assert [e.resource.title for e in gui.services.plan.my_rsvps(token)] == ["Robotics demo day"]


def test_with_no_node_left_the_banner_shows_and_typed_text_stays(two_nodes):
    gui, first, second = two_nodes
    c = gui.controller
    gui.register()
    gui.pick_interests("Artificial Intelligence")
    gui.wait_for_page(c.browser_view)
    gui.wait_idle()

    first.cut()
    second.cut()
    gui.qtbot.keyClicks(c.browser_view.search_edit, "neural")
    gui.qtbot.waitUntil(lambda: c.window.banner.isVisible(), timeout=30_000)
    assert "cannot be reached" in c.window.banner_label.text()
    assert c.browser_view.search_edit.text() == "neural"

    second.restore()
    gui.click(c.window.retry_button)
    gui.wait_for_titles(["Neural networks lab"], timeout=30_000)
    assert not c.window.banner.isVisible()
    assert c.browser_view.search_edit.text() == "neural"


def test_a_form_saved_with_no_node_left_keeps_its_text_and_retry_saves_it(two_nodes):
    gui, first, second = two_nodes
    c = gui.controller
    view = c.interests_view
    gui.register()
    gui.wait_for_page(view)
    gui.qtbot.waitUntil(lambda: not view.busy)
    # Background work (the ranking engine) done, so that the banner's Retry is the save's.
    gui.qtbot.waitUntil(lambda: not c.runner.busy and not c.background.busy, timeout=20_000)

    first.cut()
    second.cut()
    gui.pick_interests("Artificial Intelligence", goal="Build a robot that sorts recycling")
    gui.qtbot.waitUntil(lambda: c.window.banner.isVisible(), timeout=30_000)
    assert view.goal_edit.text() == "Build a robot that sorts recycling"
    assert gui.page() is view

    first.restore()
    gui.click(c.window.retry_button)
    gui.wait_for_page(c.browser_view, timeout=30_000)
    token = gui.services.auth.login("ada@example.edu", PASSWORD).token
    assert gui.services.auth.current_student(token).learning_goal == \
        "Build a robot that sorts recycling"
