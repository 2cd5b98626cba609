"""The Designer files, accessibility, and the forms' behaviour on their own."""

from __future__ import annotations

import ast
import importlib
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QComboBox,
    QLineEdit,
    QMainWindow,
    QTextEdit,
    QToolButton,
    QWidget,
)

from studentres_desktop.paths import resources_dir
from studentres_desktop.ui.loader import load_ui_into
from studentres_desktop.ui.views.browser_view import BrowserView
from studentres_desktop.ui.views.main_window import MainWindow
from studentres_desktop.ui.views.register_view import RegisterView
from tests.gui.conftest import PASSWORD

VIEWS_DIR = Path(__file__).resolve().parents[2] / "studentres_desktop" / "ui" / "views"
UI_FILES = sorted((resources_dir() / "ui").glob("*.ui"))


def _view_sources() -> dict[str, Path]:
    """Each Designer file in resources/ui/ and the view module that loads it."""
    loaders: dict[str, list[Path]] = {}
    for source in sorted(VIEWS_DIR.glob("*.py")):
        for ui_name in re.findall(r'load_ui_into\(self, "([^"]+)"\)', source.read_text("utf-8")):
            loaders.setdefault(ui_name, []).append(source)
    return {path.name: loaders[path.name][0] for path in UI_FILES if len(loaders.get(path.name,
                                                                                     [])) == 1}


VIEW_SOURCES = _view_sources()


def _view_class(source: Path) -> type[QWidget]:
    code = source.read_text(encoding="utf-8")
    name = re.search(r"^class (\w+)\((?:QWidget|QMainWindow|QDialog)\)", code, re.M).group(1)
    module = importlib.import_module(f"studentres_desktop.ui.views.{source.stem}")
    return getattr(module, name)


ALL_VIEWS = [_view_class(source) for source in VIEW_SOURCES.values()]


def test_every_designer_file_has_exactly_one_view_that_loads_it():
    assert UI_FILES
    assert sorted(VIEW_SOURCES) == [path.name for path in UI_FILES]


def _names_in_ui(path: Path) -> dict[str, str]:
    tree = ET.parse(path)
    found = {w.get("name"): w.get("class") for w in tree.iter("widget")}
    found.update({a.get("name"): "QAction" for a in tree.iter("action")})
    return found


def test_there_is_a_designer_file_for_every_window():
    names = {path.name for path in UI_FILES}
    assert {"login.ui", "register.ui", "interests.ui", "browser.ui", "main_window.ui"} <= names


@pytest.mark.parametrize("path", UI_FILES, ids=lambda p: p.name)
def test_every_designer_file_loads(qtbot, path):
    root_class = ET.parse(path).getroot().find("widget").get("class")
    base = QMainWindow() if root_class == "QMainWindow" else QWidget()
    qtbot.addWidget(base)
    load_ui_into(base, path.name)
    assert base.objectName() == ET.parse(path).getroot().find("widget").get("name")


@pytest.mark.parametrize("source", sorted(VIEW_SOURCES.values()), ids=lambda p: p.name)
def test_every_object_name_the_code_uses_is_in_its_designer_file(source):
    code = source.read_text(encoding="utf-8")
    ui_name = re.search(r'load_ui_into\(self, "([^"]+)"\)', code).group(1)
    defined = _names_in_ui(resources_dir() / "ui" / ui_name)
    used = re.findall(r'child\(self, (\w+), "(\w+)"\)', code)
    assert used, f"{source.name} uses no named children"
    for kind, name in used:
        assert name in defined, f"{ui_name} has no {name}"
        assert defined[name] == kind, f"{name} is a {defined[name]} in {ui_name}, code wants {kind}"


@pytest.mark.parametrize("view_class", ALL_VIEWS, ids=lambda c: c.__name__)
def test_every_input_and_button_has_an_accessible_name(qtbot, view_class):
    assert len(ALL_VIEWS) == len(UI_FILES)
    view = view_class()
    qtbot.addWidget(view)
    controls = [w for w in view.findChildren(QWidget)
                if isinstance(w, QLineEdit | QAbstractButton | QComboBox | QAbstractItemView
                              | QTextEdit)
                and w.objectName() and not w.objectName().startswith("qt_")
                and not isinstance(w.parent(), QComboBox | QAbstractItemView)]
    assert controls
    unnamed = [w.objectName() for w in controls
               if not w.accessibleName() and not (isinstance(w, QToolButton) and
                                                  w.defaultAction() is not None)]
    assert unnamed == []


def test_tab_order_follows_the_forms(qtbot):
    view = RegisterView()
    qtbot.addWidget(view)
    order, widget = [], view.edits["name"]
    for _ in range(5):
        order.append(widget.objectName())
        widget = widget.nextInFocusChain()
        while not widget.focusPolicy() & Qt.FocusPolicy.TabFocus:
            widget = widget.nextInFocusChain()
    assert order == ["nameEdit", "emailEdit", "passwordEdit", "confirmEdit", "registerButton"]


def test_main_window_shortcuts(qtbot):
    window = MainWindow()
    qtbot.addWidget(window)
    shortcuts = {action.objectName(): action.shortcut().toString() for action in (
        window.action_change_interests, window.action_logout, window.action_quit,
        window.action_focus_search, window.action_refresh)}
    assert shortcuts == {
        "actionChangeInterests": "Ctrl+I", "actionLogout": "Ctrl+Shift+L",
        "actionQuit": "Ctrl+Q", "actionFocusSearch": "Ctrl+F", "actionRefresh": "F5",
    }


def test_window_geometry_is_remembered(qtbot, tmp_path):
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    # The offscreen screen is 800×600: stay inside it, or Qt moves the window back onto it.
    first = MainWindow()
    qtbot.addWidget(first)
    first.setMinimumSize(0, 0)
    first.setGeometry(40, 50, 640, 480)
    first.save_geometry(settings)
    second = MainWindow()
    qtbot.addWidget(second)
    second.setMinimumSize(0, 0)
    second.restore_geometry(settings)
    assert (second.width(), second.height()) == (640, 480)


def test_rich_text_in_data_is_shown_as_plain_text(qtbot):
    from studentres_desktop.domain.models import Resource, ResourceKind

    view = BrowserView()
    qtbot.addWidget(view)
    view.show_detail(Resource(1, ResourceKind.EVENT, "<b>bold</b><img src=x>",
                              url='https://x.edu/"><script>'))
    assert view.detail_title.text() == "<b>bold</b><img src=x>"
    assert view.detail_title.textFormat() == Qt.TextFormat.PlainText
    assert "<script>" not in view.detail_link.text()


# --- the registration form on the real app -------------------------------------------------------


def _fill(gui, **values):
    view = gui.controller.register_view
    for field, value in values.items():
        gui.type_into(view.edits[field], value)
        view.edits[field].editingFinished.emit()


@pytest.mark.parametrize(
    ("values", "field", "expected"),
    [
        ({"name": "   "}, "name", "Name is required."),
        ({"name": "Ada\u0007"}, "name", "control character"),
        ({"email": "ada@"}, "email", "Email is not a valid address"),
        ({"email": "ada lovelace@example.edu"}, "email", "must not contain spaces"),
        ({"password": "short one"}, "password", "use at least 12 characters"),
        ({"password": "password1234"}, "password", "too common"),
        ({"password": PASSWORD, "confirm": PASSWORD + "?"}, "confirm", "do not match"),
    ],
)
def test_registration_shows_a_message_next_to_the_field(gui, values, field, expected):
    gui.click(gui.controller.login_view.register_link)
    _fill(gui, **values)
    assert expected in gui.controller.register_view.field_error(field)


def test_registration_messages_update_while_typing(gui):
    view = gui.controller.register_view
    gui.click(gui.controller.login_view.register_link)
    _fill(gui, password="short")
    assert "at least 12" in view.field_error("password")
    gui.qtbot.keyClicks(view.edits["password"], " but longer now")
    assert view.field_error("password") == ""


def test_submitting_an_empty_form_marks_every_field_and_stores_nothing(gui):
    gui.click(gui.controller.login_view.register_link)
    gui.click(gui.controller.register_view.register_button)
    view = gui.controller.register_view
    assert all(view.field_error(field) for field in ("name", "email", "password", "confirm"))
    assert view.edits["name"].hasFocus()
    with gui.services.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT COUNT(*) FROM students_data").scalar() == 0


def test_duplicate_email_is_shown_next_to_the_email_field(gui):
    gui.services.auth.register("Ada", "ada@example.edu", PASSWORD)
    gui.register(email="ADA@example.edu ")
    view = gui.controller.register_view
    gui.qtbot.waitUntil(lambda: view.field_error("email") != "")
    assert view.field_error("email") == "This email address is already registered."
    assert gui.page() is view
    assert view.edits["name"].text() == "Ada Lovelace"


def test_back_to_login_carries_the_email_over(gui):
    gui.click(gui.controller.login_view.register_link)
    _fill(gui, email="grace@example.edu")
    gui.click(gui.controller.register_view.back_link)
    gui.wait_for_page(gui.controller.login_view)
    assert gui.controller.login_view.email_edit.text() == "grace@example.edu"


def test_empty_login_fields_are_named(gui):
    view = gui.controller.login_view
    gui.click(view.login_button)
    assert view.error_label.text() == "Enter your email address."
    gui.type_into(view.email_edit, "ada@example.edu")
    gui.click(view.login_button)
    assert view.error_label.text() == "Enter your password."
    gui.type_into(view.password_edit, PASSWORD)
    gui.type_into(view.email_edit, "not an address")
    gui.click(view.login_button)
    gui.qtbot.waitUntil(lambda: "Email" in view.error_label.text())


CONTROLLERS_DIR = VIEWS_DIR.parent / "controllers"


def test_controllers_use_views_only_through_signals_and_setters(qtbot):
    """Views are dumb: a controller never reaches into a view's child widgets or actions."""
    widget_attributes: dict[str, str] = {}
    for view_class in ALL_VIEWS:
        view = view_class()
        qtbot.addWidget(view)
        for name, value in vars(view).items():
            widgets = value.values() if isinstance(value, dict) else [value]
            if any(isinstance(v, QWidget | QAction) for v in widgets):
                widget_attributes.setdefault(name, view_class.__name__)
    assert {"email_edit", "edit_button", "search_edit"} <= set(widget_attributes)
    reached = [
        f"{path.name}:{node.lineno} uses {widget_attributes[node.attr]}.{node.attr}"
        for path in sorted(CONTROLLERS_DIR.glob("*.py"))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Attribute) and node.attr in widget_attributes
        and _on_a_view_held_by_self(node)
    ]
    assert reached == []


def _on_a_view_held_by_self(node: ast.Attribute) -> bool:
    """`self._view.search_edit`, not `result.engine_label`: an object the controller holds."""
    held = node.value
    return (isinstance(held, ast.Attribute) and isinstance(held.value, ast.Name)
            and held.value.id == "self")
