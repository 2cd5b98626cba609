"""Helping a student at the desk: an advisor finds a student, reads their list, prints it.

The list is read-only and carries no password data; students never reach the look-up; the
PDF the student takes home holds their resources.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QFileDialog

from studentres_desktop.domain.models import (
    Interest,
    Resource,
    ResourceDraft,
    ResourceKind,
    RsvpEntry,
    RsvpState,
    RsvpStatus,
    SavedEntry,
    Student,
    StudentOverview,
)
from studentres_desktop.ui.ops import Change
from studentres_desktop.ui.student_sheet import overview_html
from tests.gui.conftest import AI_TITLES, PASSWORD
from tests.gui.test_catalogue_editing import log_in_as_advisor
from tests.gui.test_session_end import assert_nothing_personal_left
from tests.support.desk import GOAL, LIN, RSVPED, SAVED, seed_student


def open_lookup(gui):
    c = gui.controller
    gui.qtbot.keyClick(c.window, Qt.Key.Key_H,
                       Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    view = c.desk_lookup.view
    gui.qtbot.waitUntil(view.isVisible)
    return view


def search(gui, text: str) -> None:
    view = gui.controller.desk_lookup.view
    gui.type_into(view.search_edit, text)
    gui.qtbot.keyClick(view.search_edit, Qt.Key.Key_Return)
    gui.wait_idle()


def shown_students(view) -> list[str]:
    return [view.results.index(r).data() for r in range(view.results.rowCount())]


def test_an_advisor_finds_a_student_by_email_and_reads_their_list(gui):
    seed_student(gui)
    log_in_as_advisor(gui)
    view = open_lookup(gui)
    assert view.focusWidget() is view.search_edit

    search(gui, LIN[1].upper())
    gui.qtbot.waitUntil(lambda: gui.controller.desk_lookup.overview is not None)

    assert shown_students(view) == [f"{LIN[0]}\n{LIN[1]}"]
    assert view.student_label.text() == f"{LIN[0]} · {LIN[1]}"
    text = view.overview_text()
    assert "Artificial Intelligence (main interest)" in text
    assert "Cybersecurity" in text
    assert GOAL in text
    saved = text[text.index("Saved"):text.index("RSVPs")]
    assert all(title in saved for title in SAVED)
    rsvps = text[text.index("RSVPs"):text.index("Recommended for you")]
    assert f"{RSVPED} — Going" in rsvps
    recommended = text[text.index("Recommended for you"):]
    overview = gui.controller.desk_lookup.overview
    assert overview.recommended
    for item in overview.recommended:
        assert item.resource.title in recommended
        assert item.reason in recommended
    assert view.print_button.isEnabled() and view.pdf_button.isEnabled()
    # Read-only: the list cannot be edited, and nothing was changed by looking.
    assert view.overview_browser.isReadOnly()


def test_part_of_a_name_lists_every_match_and_the_advisor_picks_one(gui):
    seed_student(gui)
    gui.services.auth.register("Marlin Park", "marlin@example.edu", PASSWORD)
    log_in_as_advisor(gui)
    view = open_lookup(gui)

    search(gui, "lin")

    assert shown_students(view) == [f"{LIN[0]}\n{LIN[1]}", "Marlin Park\nmarlin@example.edu"]
    assert gui.controller.desk_lookup.overview is None  # two matches: the advisor chooses
    assert not view.pdf_button.isEnabled()
    view.result_list.setCurrentIndex(view.results.index(1))
    gui.qtbot.keyClick(view.result_list, Qt.Key.Key_Return)
    gui.qtbot.waitUntil(lambda: gui.controller.desk_lookup.overview is not None)
    assert view.student_label.text() == "Marlin Park · marlin@example.edu"
    text = view.overview_text()
    # No interests, nothing saved, no RSVPs, and so nothing to recommend yet.
    assert text.count("None yet.") == 4
    assert not any(title in text for title in SAVED)

    view.result_list.setCurrentIndex(view.results.index(0))
    gui.qtbot.keyClick(view.result_list, Qt.Key.Key_Return)
    gui.qtbot.waitUntil(lambda: view.student_label.text().startswith(LIN[0]))
    assert SAVED[0] in view.overview_text()


def test_the_list_reads_again_when_a_resource_changes_and_return_in_the_list_only_chooses(gui):
    seed_student(gui)
    log_in_as_advisor(gui)
    c = gui.controller
    view = open_lookup(gui)
    search(gui, LIN[1])
    gui.qtbot.waitUntil(lambda: c.desk_lookup.overview is not None)
    # Another advisor renames a resource the student saved; this one's editor broadcasts it.
    saved = next(e.resource for e in c.desk_lookup.overview.saved if e.title == SAVED[1])
    other = gui.services.auth.login("grace@example.edu", PASSWORD).token
    gui.services.resources.update(other, saved.row_id, saved.kind, ResourceDraft(
        saved.kind, "Cyber range night (moved)", saved.description, saved.interest_tags,
        saved.starts_at, saved.ends_at, saved.location, saved.url, saved.capacity),
        expected=saved)
    c.changes.sig_changed.emit(Change(resources=True))
    gui.qtbot.waitUntil(lambda: "Cyber range night (moved)" in view.overview_text())

    before = c.desk_lookup.overview
    searches: list[str] = []
    view.sig_search_requested.connect(searches.append)
    view.result_list.setFocus()
    gui.qtbot.keyClick(view.result_list, Qt.Key.Key_Return)
    gui.qtbot.waitUntil(lambda: c.desk_lookup.overview is not before)
    gui.wait_idle()
    assert searches == []  # Return in the list chooses; it does not search again
    assert view.isVisible()
    assert shown_students(view) == [f"{LIN[0]}\n{LIN[1]}"]


def test_an_empty_search_a_miss_and_a_too_long_search_are_named(gui):
    log_in_as_advisor(gui)
    view = open_lookup(gui)
    search(gui, "   ")
    assert view.search_message.text() == "Enter an email address or part of a name."
    search(gui, "nobody-here")
    assert view.search_message.text() == "No account matches \u201cnobody-here\u201d."
    assert shown_students(view) == []
    gui.type_into(view.search_edit, "")
    view.search_edit.setMaxLength(1000)
    view.search_edit.setText("x" * 400)
    gui.qtbot.keyClick(view.search_edit, Qt.Key.Key_Return)
    gui.qtbot.waitUntil(lambda: view.search_message.text().startswith("Search"))
    assert view.isVisible()


def _field_names(value, seen=None) -> set[str]:
    """Every dataclass field name reachable from `value`."""
    names: set[str] = set()
    if dataclasses.is_dataclass(value):
        for f in dataclasses.fields(value):
            names.add(f.name)
            names |= _field_names(getattr(value, f.name))
    elif isinstance(value, tuple | list):
        for item in value:
            names |= _field_names(item)
    return names


def test_no_password_data_reaches_the_look_up(gui):
    seed_student(gui)
    log_in_as_advisor(gui)
    with gui.services.engine.connect() as conn:
        hashes = [row[0] for row in conn.exec_driver_sql(
            "SELECT password_hash FROM students_data")]
    view = open_lookup(gui)
    search(gui, LIN[1])
    gui.qtbot.waitUntil(lambda: gui.controller.desk_lookup.overview is not None)

    overview = gui.controller.desk_lookup.overview
    assert not any("password" in name or "hash" in name for name in _field_names(overview))
    shown = [gui.controller.desk_lookup.html, view.overview_text(), view.student_label.text(),
             *shown_students(view),
             *(str(view.results.index(r).data(Qt.ItemDataRole.ToolTipRole))
               for r in range(view.results.rowCount()))]
    for text in shown:
        assert "password" not in text.lower()
        assert "$2" not in text  # a bcrypt hash's prefix
        assert not any(h in text for h in hashes)
        assert PASSWORD not in text


def test_a_student_never_sees_or_reaches_the_look_up(gui):
    c = gui.controller
    gui.register()
    gui.pick_interests("Artificial Intelligence")
    gui.wait_for_titles(AI_TITLES)
    assert not c.window.action_help_student.isVisible()
    assert not c.window.action_help_student.isEnabled()
    c.window.action_help_student.trigger()
    c.window.sig_help_student_requested.emit()
    gui.qtbot.keyClick(c.window, Qt.Key.Key_H,
                       Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert not c.desk_lookup.view.isVisible()
    assert c.desk_lookup.owned_dialogs() == []


def test_the_list_is_saved_as_a_pdf_with_the_students_resources(gui, tmp_path):
    seed_student(gui)
    log_in_as_advisor(gui)
    lookup = gui.controller.desk_lookup
    asked: list[tuple[str, str]] = []

    def choose(title: str, suggested: str):
        asked.append((title, suggested))
        return tmp_path / "for-lin"  # the suffix is added

    lookup.choose_file = choose
    view = open_lookup(gui)
    search(gui, LIN[1])
    gui.qtbot.waitUntil(lambda: lookup.overview is not None)

    gui.click(view.pdf_button)

    pdf = tmp_path / "for-lin.pdf"
    today = gui.clock().replace(tzinfo=UTC).astimezone()  # the date on this computer
    assert asked == [("Save the list as PDF", f"studentres-list-{today:%Y-%m-%d}.pdf")]
    assert pdf.read_bytes().startswith(b"%PDF-")
    assert pdf.read_bytes().rstrip().endswith(b"%%EOF")
    assert pdf.stat().st_size > 2000
    assert view.output_message.text() == "Saved the list as for-lin.pdf."
    # The PDF is printed from this HTML (pdftotext is not installed on every desk machine).
    for title in [*SAVED, RSVPED, *(i.resource.title for i in lookup.overview.recommended)]:
        assert title in lookup.html
    assert "<h1>StudentRes list for Lin Okonkwo</h1>" in lookup.html


def test_print_uses_the_printer_set_up_in_the_dialog_and_cancel_prints_nothing(gui, tmp_path):
    seed_student(gui)
    log_in_as_advisor(gui)
    lookup = gui.controller.desk_lookup
    target = tmp_path / "printed.pdf"

    def cancel(_printer: QPrinter) -> bool:
        return False

    def to_file(printer: QPrinter) -> bool:  # what a person picks in the print dialog
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(target))
        return True

    view = open_lookup(gui)
    search(gui, LIN[1])
    gui.qtbot.waitUntil(lambda: lookup.overview is not None)
    lookup.set_up_printer = cancel
    gui.click(view.print_button)
    assert not target.exists()
    assert view.output_message.text() == ""

    lookup.set_up_printer = to_file
    gui.click(view.print_button)
    assert target.read_bytes().startswith(b"%PDF-")
    assert view.output_message.text() == "Sent the list to the printer."


def test_a_pdf_that_cannot_be_written_is_named_not_crashed(gui, tmp_path):
    seed_student(gui)
    log_in_as_advisor(gui)
    lookup = gui.controller.desk_lookup
    lookup.choose_file = lambda _title, _name: tmp_path / "no such folder" / "list.pdf"
    view = open_lookup(gui)
    search(gui, LIN[1])
    gui.qtbot.waitUntil(lambda: lookup.overview is not None)
    gui.click(view.pdf_button)
    assert view.output_message.text() == (
        "Could not write list.pdf: choose a folder you may write to.")
    assert view.isVisible()


# --- the sheet on its own ------------------------------------------------------------------------


def test_the_sheet_escapes_every_value_and_says_when_a_section_is_empty():
    hostile = "<img src=x onerror=alert(1)>"
    resource = Resource(1, ResourceKind.EVENT, f"Party {hostile}", location="<b>Hall</b>",
                        starts_at=datetime(2026, 12, 4, 18, 0))
    overview = StudentOverview(
        student=Student(7, f"Eve {hostile}", "eve@example.edu", interests=("AI",),
                        primary_interest="AI", learning_goal=hostile),
        interests=(Interest("AI", f"AI {hostile}"),),
        saved=(SavedEntry("1:event", resource.title, resource.starts_at, None,
                          datetime(2026, 12, 1), resource),
               SavedEntry("2:event", "Gone event", None, None, datetime(2026, 12, 1), None)),
        rsvps=(RsvpEntry(resource, RsvpStatus("1:event", RsvpState.WAITLISTED, 10, 10, 3, 3)),),
        recommended=(),
        recommendation_note=hostile,
    )
    html = overview_html(overview, datetime(2026, 12, 2, 9, 30))
    assert "<img" not in html and "<b>Hall" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "Printed Wed 02 Dec 2026, 09:30" in html
    assert "Waitlisted (3)" in html
    assert "Removed from the catalogue" in html
    assert "Recommended for you</h2>" in html and html.rstrip().endswith("<p>None yet.</p>")




# --- the end of the session ----------------------------------------------------------------------


def test_the_file_chooser_closes_and_nothing_is_written_when_the_session_ends(gui, tmp_path):
    seed_student(gui)
    log_in_as_advisor(gui)
    c = gui.controller
    view = open_lookup(gui)
    search(gui, LIN[1])
    gui.qtbot.waitUntil(lambda: c.desk_lookup.overview is not None)
    chooser_seen: list[bool] = []

    def log_out_while_choosing() -> None:
        chooser_seen.append(any(isinstance(d, QFileDialog) and d.isVisible()
                                for d in c.desk_lookup.owned_dialogs()))
        c.window.sig_logout_requested.emit()

    QTimer.singleShot(200, log_out_while_choosing)
    gui.click(view.pdf_button)  # the real chooser, until the session ends under it

    assert chooser_seen == [True]
    assert not c.session.active
    assert c.desk_lookup.owned_dialogs() == []
    assert not view.isVisible()
    assert view.output_message.text() == ""
    assert list(tmp_path.glob("*.pdf")) == []


@pytest.mark.parametrize("kiosk_idle_timeout", [timedelta(seconds=120)])
def test_an_idle_kiosk_forgets_the_student_the_advisor_was_helping(gui):
    seed_student(gui)
    log_in_as_advisor(gui)
    c = gui.controller
    view = open_lookup(gui)
    search(gui, LIN[1])
    gui.qtbot.waitUntil(lambda: c.desk_lookup.overview is not None)
    assert GOAL in view.overview_text()

    gui.clock.advance(seconds=121)
    c.kiosk.tick()

    gui.wait_for_page(c.login_view)
    assert not view.isVisible()
    assert view.overview_text() == "" and view.results.rowCount() == 0
    assert view.student_label.text() == "No student chosen"
    assert c.desk_lookup.overview is None
    assert_nothing_personal_left(gui, *LIN, GOAL, "Cyber range night")
