"""Advisors add, edit and delete resources from the browser; students cannot."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox

from studentres_desktop.domain.models import ResourceDraft, ResourceFilter, Role
from tests.gui.conftest import AI_TITLES, PASSWORD


def log_in_as_advisor(gui) -> None:
    gui.services.auth.register("Grace Advisor", "grace@example.edu", PASSWORD)
    gui.services.auth.set_role("grace@example.edu", Role.ADVISOR)
    gui.log_in("grace@example.edu")
    gui.pick_interests("Artificial Intelligence")
    gui.wait_for_titles(AI_TITLES)


def open_new_editor(gui):
    gui.controller.window.action_new_resource.trigger()
    editor = gui.controller.editing.editor
    gui.qtbot.waitUntil(editor.isVisible)
    return editor


def stored_titles(gui) -> set[str]:
    return {r.title for r in gui.services.catalogue.list(ResourceFilter(limit=500)).items}


def test_students_see_no_catalogue_actions(gui):
    c = gui.controller
    gui.register()
    gui.pick_interests("Artificial Intelligence")
    gui.wait_for_titles(AI_TITLES)
    c.browser_view.table.selectRow(0)
    assert not c.window.catalogue_menu.menuAction().isVisible()
    assert not c.window.action_new_resource.isEnabled()
    assert not c.browser_view.edit_button.isVisible()
    assert not c.browser_view.delete_button.isVisible()


def test_advisor_adds_a_resource(gui):
    log_in_as_advisor(gui)
    assert gui.controller.window.catalogue_menu.menuAction().isVisible()
    editor = open_new_editor(gui)
    gui.type_into(editor.title_edit, "Transformers from scratch")
    editor.description_edit.setPlainText("Attention, step by step, in NumPy.")
    ai = next(r for r in range(editor.interests.rowCount())
              if editor.interests.index(r).data() == "Artificial Intelligence")
    editor.interests.toggle(ai)
    gui.type_into(editor.location_edit, "Innovation Hub")
    gui.type_into(editor.url_edit, "https://events.example.edu/transformers")
    editor.capacity_spin.setValue(24)
    editor.buttons.accepted.emit()

    gui.qtbot.waitUntil(lambda: not editor.isVisible())
    assert "Transformers from scratch" in stored_titles(gui)
    gui.qtbot.waitUntil(lambda: "Transformers from scratch" in gui.browser_titles())
    assert gui.controller.window.statusBar().currentMessage() == \
        "Saved 'Transformers from scratch'."


def test_bad_fields_are_named_in_the_form_and_nothing_is_stored(gui):
    log_in_as_advisor(gui)
    before = stored_titles(gui)
    editor = open_new_editor(gui)
    editor.buttons.accepted.emit()
    gui.qtbot.waitUntil(lambda: editor.errors["title"].text() != "")
    assert editor.errors["title"].text() == "Title is required."

    gui.type_into(editor.title_edit, "Valid title")
    gui.type_into(editor.url_edit, "javascript:alert(1)")
    editor.buttons.accepted.emit()
    gui.qtbot.waitUntil(lambda: editor.errors["url"].isVisible())
    assert "http://" in editor.errors["url"].text()

    gui.type_into(editor.url_edit, "")
    editor.ends_edit.setDateTime(editor.starts_edit.dateTime().addSecs(-3600))
    editor.buttons.accepted.emit()
    gui.qtbot.waitUntil(lambda: editor.errors["ends_at"].isVisible())
    assert "before the start" in editor.errors["ends_at"].text()
    assert editor.isVisible()
    assert stored_titles(gui) == before


def test_advisor_edits_the_selected_resource(gui):
    c = gui.controller
    log_in_as_advisor(gui)
    c.browser_view.table.selectRow(1)
    assert c.browser_view.detail_title.text() == "AI ethics panel"
    gui.click(c.browser_view.edit_button)
    editor = c.editing.editor
    gui.qtbot.waitUntil(editor.isVisible)
    assert editor.title_edit.text() == "AI ethics panel"
    assert editor.location_edit.text() == "Innovation Hub"
    assert [i.tag for i in editor.interests.checked()] == ["AI"]
    gui.type_into(editor.title_edit, "AI ethics debate")
    editor.buttons.accepted.emit()
    gui.qtbot.waitUntil(lambda: "AI ethics debate" in gui.browser_titles())
    assert "AI ethics panel" not in stored_titles(gui)


def test_advisor_deletes_after_confirming(gui):
    c = gui.controller
    log_in_as_advisor(gui)
    c.browser_view.table.selectRow(0)
    gui.click(c.browser_view.delete_button)
    gui.qtbot.waitUntil(lambda: c.editing.confirmation is not None)
    box = c.editing.confirmation
    gui.qtbot.waitUntil(lambda: box.isVisible())
    assert "Neural networks lab" in box.text()
    box.button(QMessageBox.StandardButton.Cancel).click()
    assert "Neural networks lab" in stored_titles(gui)

    cancelled = box
    gui.click(c.browser_view.delete_button)
    gui.qtbot.waitUntil(lambda: c.editing.confirmation not in (None, cancelled))
    box = c.editing.confirmation
    gui.qtbot.waitUntil(lambda: box.isVisible())
    next(b for b in box.buttons() if b.text() == "Delete").click()
    gui.qtbot.waitUntil(lambda: "Neural networks lab" not in gui.browser_titles())
    assert "Neural networks lab" not in stored_titles(gui)


def test_a_second_advisors_save_is_refused_naming_the_change_and_the_form_reloads(gui):
    c = gui.controller
    log_in_as_advisor(gui)
    c.browser_view.table.selectRow(1)
    gui.click(c.browser_view.edit_button)
    editor = c.editing.editor
    gui.qtbot.waitUntil(editor.isVisible)
    loaded = c.browser_view.model.resource(1)
    # Meanwhile another advisor, at another kiosk, changes the location.
    other = gui.services.auth.login("grace@example.edu", PASSWORD).token
    gui.services.resources.update(other, loaded.row_id, loaded.kind, ResourceDraft(
        loaded.kind, loaded.title, loaded.description, loaded.interest_tags, loaded.starts_at,
        loaded.ends_at, "Main Library, room 2", loaded.url, loaded.capacity), expected=loaded)

    gui.type_into(editor.title_edit, "AI ethics debate")
    editor.buttons.accepted.emit()

    gui.qtbot.waitUntil(lambda: "Nothing was saved" in editor.form_error.text())
    assert "location" in editor.form_error.text()
    assert editor.isVisible()
    assert editor.location_edit.text() == "Main Library, room 2"  # the current values
    assert editor.title_edit.text() == "AI ethics panel"
    assert "AI ethics debate" not in stored_titles(gui)
    # Saving again now goes through: the form holds the current version.
    gui.type_into(editor.title_edit, "AI ethics debate")
    editor.buttons.accepted.emit()
    gui.qtbot.waitUntil(lambda: "AI ethics debate" in stored_titles(gui))


def test_deleting_a_resource_with_rsvps_asks_again_with_the_count(gui):
    c = gui.controller
    log_in_as_advisor(gui)
    resource = c.browser_view.model.resource(0)
    for n in range(2):
        email = f"going{n}@example.edu"
        gui.services.auth.register(f"Going {n}", email, PASSWORD)
        gui.services.plan.rsvp(gui.services.auth.login(email, PASSWORD).token, resource.key)
    c.browser_view.table.selectRow(0)
    gui.click(c.browser_view.delete_button)
    gui.qtbot.waitUntil(lambda: c.editing.confirmation is not None
                        and c.editing.confirmation.isVisible())
    first = c.editing.confirmation
    next(b for b in first.buttons() if b.text() == "Delete").click()

    gui.qtbot.waitUntil(lambda: c.editing.confirmation not in (None, first)
                        and c.editing.confirmation.isVisible())
    again = c.editing.confirmation
    assert "2 going" in again.text() and "2 students" in again.text()
    assert resource.title in stored_titles(gui)
    next(b for b in again.buttons() if b.text() == "Delete anyway").click()
    gui.qtbot.waitUntil(lambda: resource.title not in stored_titles(gui))
