"""The advisor's catalogue tools: CSV import (checked first, cancellable), export, the audit log
and the attendance of a resource. Students never see them."""

from __future__ import annotations

import threading
from datetime import timedelta
from pathlib import Path

from PySide6.QtCore import QThread
from PySide6.QtWidgets import QApplication, QMessageBox

from studentres_desktop.bootstrap import build_services
from studentres_desktop.domain.models import (
    AuditAction,
    AuditFilter,
    ResourceDraft,
    ResourceFilter,
    Role,
)
from studentres_desktop.persistence.engine import DatabaseSettings
from studentres_desktop.persistence.schema import ensure_schema
from studentres_desktop.services.catalogue import CSV_COLUMNS
from studentres_desktop.ui.views.audit_log import AuditFilterValues
from tests.gui.conftest import AI_TITLES, PASSWORD

HEADER = ",".join(CSV_COLUMNS)
GOOD_ROWS = [
    "workshop,Soldering for beginners,Irons and safety,Robotics,2027-01-10T10:00,"
    "2027-01-10T12:00,Makerspace,https://events.example.edu/solder,12",
    "event,Capture the flag,A friendly hacking contest,Cybersecurity,2027-01-12T18:00,"
    "2027-01-12T21:00,Library,,",
    "training,Intro to PyTorch,Tensors and autograd,AI,,,,https://learn.example.edu/torch,",
]
BAD_ROWS = [
    GOOD_ROWS[0],
    "seminar,Unknown kind,,AI,,,,,",  # line 3: no such kind
    "event,,No title here,AI,2027-01-12T18:00,2027-01-12T17:00,Library,,",  # line 4
    "workshop,Dates fine,but tag unknown,Knitting,,,,,",  # line 5
]


def write_csv(folder: Path, rows: list[str], name: str = "resources.csv") -> Path:
    path = folder / name
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def many_rows(count: int) -> list[str]:
    return [f"training,Bulk course {n:03d},Self-paced,AI,,,,," for n in range(count)]


def log_in_as_advisor(gui) -> None:
    gui.services.auth.register("Grace Advisor", "grace@example.edu", PASSWORD)
    gui.services.auth.set_role("grace@example.edu", Role.ADVISOR)
    gui.log_in("grace@example.edu")
    gui.pick_interests("Artificial Intelligence")
    gui.wait_for_titles(AI_TITLES)


def stored_titles(gui) -> set[str]:
    return {r.title for r in gui.services.catalogue.list(ResourceFilter(limit=500)).items}


def _reports(gui):
    return gui.services.reports


def open_preview(gui, path: Path):
    c = gui.controller
    c.transfer.choose_import = lambda _title, _filter: path
    c.window.action_import.trigger()
    dialog = c.transfer.dialog
    gui.qtbot.waitUntil(dialog.isVisible)
    return dialog


# --- import ---------------------------------------------------------------------------------------


def test_a_preview_marks_the_rows_with_problems_and_refuses_to_import(gui, tmp_path):
    log_in_as_advisor(gui)
    before = stored_titles(gui)
    dialog = open_preview(gui, write_csv(tmp_path, BAD_ROWS))

    assert dialog.model.rowCount() == 4
    assert dialog.rows_with_problems() == [3, 4, 5]
    assert not dialog.import_button.isEnabled()
    problems = [dialog.problem_list.item(i).text() for i in range(dialog.problem_list.count())]
    assert any("line 3" in p and "Kind" in p for p in problems)
    assert any("line 4" in p and "Title" in p for p in problems)
    assert any("line 5" in p and "Knitting" in p for p in problems)
    assert "3 of 4 rows have problems" in dialog.summary_label.text()
    # The bad cells are marked more strongly than the rest of their row.
    title = 1 + list(CSV_COLUMNS).index("title") + 1
    bad, good = dialog.model.item(2, title), dialog.model.item(2, 0)
    assert bad.background().color() != good.background().color()
    dialog.import_button.click()
    gui.wait_idle()
    assert stored_titles(gui) == before
    dialog.cancel_button.click()
    assert not dialog.isVisible()


def test_a_clean_file_imports_with_progress_and_leaves_an_audit_entry(gui, tmp_path):
    log_in_as_advisor(gui)
    dialog = open_preview(gui, write_csv(tmp_path, GOOD_ROWS))
    assert dialog.rows_with_problems() == []
    assert dialog.import_button.isEnabled()

    dialog.import_button.click()
    gui.qtbot.waitUntil(lambda: not dialog.isVisible())
    assert {"Soldering for beginners", "Capture the flag", "Intro to PyTorch"} <= \
        stored_titles(gui)
    assert gui.window.statusBar().currentMessage() == \
        "Imported 3 resources from resources.csv."
    # The change broadcast reloads the browser: the new AI course is listed.
    gui.qtbot.waitUntil(lambda: "Intro to PyTorch" in gui.browser_titles())
    entries = _reports(gui).audit(AuditFilter(action=AuditAction.CATALOGUE_IMPORTED))
    assert len(entries) == 1 and entries[0].advisor_email == "grace@example.edu"


def gate_the_import(gui, monkeypatch, *, after_first_batch) -> threading.Event:
    """Hold the import on its worker after its first batch until the test lets it go on."""
    go_on = threading.Event()
    desk = gui.services.desk
    original = desk.import_resources

    def gated(token, preview, *, progress=None, cancelled=None, **kwargs):
        def reporting(done, total):
            progress(done, total)
            if done < total:
                assert go_on.wait(20)
                after_first_batch()

        return original(token, preview, progress=reporting, cancelled=cancelled, **kwargs)

    monkeypatch.setattr(desk, "import_resources", gated)
    return go_on


def test_a_stopped_import_changes_nothing(gui, tmp_path, monkeypatch):
    log_in_as_advisor(gui)
    before, audited = stored_titles(gui), len(_reports(gui).audit())
    go_on = gate_the_import(gui, monkeypatch, after_first_batch=lambda: None)
    dialog = open_preview(gui, write_csv(tmp_path, many_rows(250)))

    dialog.import_button.click()
    # The first hundred are in the (open) transaction and the bar shows them.
    gui.qtbot.waitUntil(lambda: dialog.progress_bar.value() == 100)
    assert dialog.progress_bar.isVisible() and dialog.progress_bar.maximum() == 250
    assert not dialog.import_button.isEnabled()
    dialog.cancel_button.click()  # now "Stop import"
    assert dialog.isVisible()
    go_on.set()

    gui.qtbot.waitUntil(lambda: "stopped" in dialog.message_label.text())
    assert dialog.message_label.text() == "The import was stopped. Nothing was changed."
    assert not dialog.progress_bar.isVisible()
    assert dialog.import_button.isEnabled()  # the same file may be imported after all
    assert stored_titles(gui) == before
    assert len(_reports(gui).audit()) == audited


def unexpected_box(gui) -> QMessageBox | None:
    return gui.window.findChild(QMessageBox, "unexpectedErrorBox")


def test_an_import_that_fails_midway_changes_nothing(gui, tmp_path, monkeypatch, caplog):
    log_in_as_advisor(gui)
    before, audited = stored_titles(gui), len(_reports(gui).audit())

    def disk_full() -> None:
        raise OSError("No space left on device")

    go_on = gate_the_import(gui, monkeypatch, after_first_batch=disk_full)
    go_on.set()
    dialog = open_preview(gui, write_csv(tmp_path, many_rows(150)))
    dialog.import_button.click()

    gui.qtbot.waitUntil(lambda: "failed" in dialog.message_label.text())
    assert dialog.message_label.text() == "The import failed. Nothing was changed."
    gui.qtbot.waitUntil(lambda: unexpected_box(gui) is not None)
    box = unexpected_box(gui)
    assert "No space left" not in box.text()  # the details go to the log, not to the person
    box.reject()
    assert stored_titles(gui) == before
    assert len(_reports(gui).audit()) == audited


def test_an_unreadable_file_is_named_in_the_status_bar(gui, tmp_path):
    log_in_as_advisor(gui)
    c = gui.controller
    c.transfer.choose_import = lambda _title, _filter: tmp_path / "missing.csv"
    c.window.action_import.trigger()
    gui.qtbot.waitUntil(lambda: "cannot be read" in c.window.statusBar().currentMessage())
    assert not c.transfer.dialog.isVisible()


def test_choosing_no_file_does_nothing(gui):
    log_in_as_advisor(gui)
    c = gui.controller
    c.transfer.choose_import = lambda _title, _filter: None
    c.window.action_import.trigger()
    gui.wait_idle()
    assert not c.transfer.dialog.isVisible()


# --- export ---------------------------------------------------------------------------------------


def test_an_export_imports_back_into_a_fresh_database_with_the_same_titles(gui, tmp_path):
    log_in_as_advisor(gui)
    c = gui.controller
    target = tmp_path / "exported"  # no suffix: .csv is added
    c.transfer.choose_export = lambda _title, _filter: target
    c.window.action_export.trigger()
    gui.qtbot.waitUntil(lambda: "Exported" in c.window.statusBar().currentMessage())
    titles = stored_titles(gui)
    assert c.window.statusBar().currentMessage() == \
        f"Exported {len(titles)} resources to exported.csv."

    fresh = build_services(DatabaseSettings(f"sqlite:///{tmp_path / 'fresh.sqlite3'}"),
                           bcrypt_cost=4)
    try:
        ensure_schema(fresh.engine)
        fresh.catalogue.seed_interests()
        assert fresh.catalogue.import_csv(target.with_suffix(".csv")) == len(titles)
        assert {r.title for r in fresh.catalogue.list(ResourceFilter(limit=500)).items} == titles
    finally:
        fresh.dispose()


def test_an_export_to_a_folder_that_cannot_be_written_says_so(gui, tmp_path):
    log_in_as_advisor(gui)
    c = gui.controller
    c.transfer.choose_export = lambda _title, _filter: tmp_path / "no such folder" / "x.csv"
    c.window.action_export.trigger()
    gui.qtbot.waitUntil(lambda: "cannot be written" in c.window.statusBar().currentMessage())


# --- students -------------------------------------------------------------------------------------


def test_a_student_never_sees_the_desk_actions(gui):
    c = gui.controller
    gui.register()
    gui.pick_interests("Artificial Intelligence")
    gui.wait_for_titles(AI_TITLES)
    assert not c.window.catalogue_menu.menuAction().isVisible()
    assert not any(action.isEnabled() for action in c.window.desk_actions)


# --- the audit log --------------------------------------------------------------------------------


def open_audit_log(gui):
    c = gui.controller
    c.window.action_audit_log.trigger()
    dialog = c.audit_log.dialog
    gui.qtbot.waitUntil(lambda: dialog.isVisible() and dialog.count_label.text() != "")
    gui.wait_idle()
    return dialog


def audit_rows(dialog) -> list[list[str]]:
    model = dialog.model
    return [[model.item(row, column).text() for column in range(model.columnCount())]
            for row in range(model.rowCount())]


def filter_by(gui, dialog, **values) -> None:
    dialog.set_filters(AuditFilterValues(**values))
    gui.click(dialog.filter_button)
    gui.wait_idle()


def test_the_audit_log_shows_an_import_as_it_happens_and_filters(gui, tmp_path):
    log_in_as_advisor(gui)
    c = gui.controller
    # An edit made elsewhere, before the log is opened.
    token = gui.services.auth.login("grace@example.edu", PASSWORD).token
    ethics = next(r for r in gui.services.catalogue.list(ResourceFilter(limit=50)).items
                  if r.title == "AI ethics panel")
    draft = ResourceDraft(ethics.kind, ethics.title, ethics.description, ethics.interest_tags,
                          ethics.starts_at, ethics.ends_at, "Main Library", ethics.url,
                          ethics.capacity)
    gui.services.resources.update(token, ethics.row_id, ethics.kind, draft, expected=ethics)

    log = open_audit_log(gui)
    rows = audit_rows(log)
    assert len(rows) == 1
    _when, who, action, resource, change = rows[0]
    assert (who, action) == ("grace@example.edu", "Resource edited")
    assert resource == f"AI ethics panel ({ethics.key})"
    assert change == "location: Innovation Hub → Main Library"

    # The log stays open beside the browser and follows the import as it happens.
    dialog = open_preview(gui, write_csv(tmp_path, GOOD_ROWS))
    dialog.import_button.click()
    gui.qtbot.waitUntil(lambda: len(audit_rows(log)) == 2)
    assert audit_rows(log)[0][2:] == ["Catalogue imported", "—",
                                      "3 resources from resources.csv"]

    filter_by(gui, log, action=AuditAction.CATALOGUE_IMPORTED)
    assert [row[2] for row in audit_rows(log)] == ["Catalogue imported"]
    filter_by(gui, log, resource="ethics")
    assert [row[2] for row in audit_rows(log)] == ["Resource edited"]
    filter_by(gui, log, resource=str(ethics.row_id))
    assert [row[2] for row in audit_rows(log)] == ["Resource edited"]
    filter_by(gui, log, advisor="somebody.else")
    assert audit_rows(log) == []
    assert log.count_label.text() == "No entries match these filters."
    today = gui.clock().date()
    filter_by(gui, log, since=today - timedelta(days=1), until=today)
    assert len(audit_rows(log)) == 2
    filter_by(gui, log, since=today + timedelta(days=1), until=today + timedelta(days=2))
    assert audit_rows(log) == []
    gui.click(log.reset_button)
    gui.wait_idle()
    assert len(audit_rows(log)) == 2
    assert c.audit_log.owned_dialogs() == [log]


def test_a_date_range_the_wrong_way_round_is_named(gui):
    log_in_as_advisor(gui)
    log = open_audit_log(gui)
    today = gui.clock().date()
    filter_by(gui, log, since=today, until=today - timedelta(days=3))
    gui.qtbot.waitUntil(log.error_label.isVisible)
    assert log.error_label.text() == "The 'to' date must not be before 'since'."


# --- attendance -----------------------------------------------------------------------------------


def table_rows(model) -> list[list[str]]:
    return [[model.item(row, column).text() for column in range(1, 3)]
            for row in range(model.rowCount())]


def positions(model) -> list[str]:
    return [model.item(row, 0).text() for row in range(model.rowCount())]


def test_attendance_lists_who_is_going_and_the_waitlist_in_order(gui):
    c = gui.controller
    gui.services.auth.register("Grace Advisor", "grace@example.edu", PASSWORD)
    gui.services.auth.set_role("grace@example.edu", Role.ADVISOR)
    token = gui.services.auth.login("grace@example.edu", PASSWORD).token
    lab = next(r for r in gui.services.catalogue.list(ResourceFilter(limit=50)).items
               if r.title == "Neural networks lab")
    gui.services.resources.update(token, lab.row_id, lab.kind, ResourceDraft(
        lab.kind, lab.title, lab.description, lab.interest_tags, lab.starts_at, lab.ends_at,
        lab.location, lab.url, 2), expected=lab)
    for n in range(4):
        email = f"student{n}@example.edu"
        gui.services.auth.register(f"Student {n}", email, PASSWORD)
        gui.services.plan.rsvp(gui.services.auth.login(email, PASSWORD).token, lab.key)
        gui.clock.advance(minutes=1)
    gui.log_in("grace@example.edu")
    gui.pick_interests("Artificial Intelligence")
    gui.wait_for_titles(AI_TITLES)

    c.window.action_attendance.trigger()  # nothing selected yet
    assert "Select a resource" in c.window.statusBar().currentMessage()
    c.browser_view.table.selectRow(0)
    c.window.action_attendance.trigger()
    dialog = c.attendance.dialog
    gui.qtbot.waitUntil(lambda: dialog.isVisible() and dialog.going.rowCount() == 2)
    assert table_rows(dialog.going) == [["Student 0", "student0@example.edu"],
                                        ["Student 1", "student1@example.edu"]]
    assert table_rows(dialog.waitlist) == [["Student 2", "student2@example.edu"],
                                           ["Student 3", "student3@example.edu"]]
    assert positions(dialog.waitlist) == ["1", "2"]
    assert dialog.summary_label.text() == "2 going of 2 places (0 left); 2 on the waitlist."
    assert c.attendance.owned_dialogs() == [dialog]
    dialog.buttons.rejected.emit()
    assert not dialog.isVisible()


# --- the op helper's progress hook ----------------------------------------------------------------


def test_job_progress_arrives_on_the_ui_thread_and_stops_with_the_session(gui):
    log_in_as_advisor(gui)
    c = gui.controller
    seen: list[tuple[int, int, bool]] = []
    job = c.ops.job(lambda done, total: seen.append(
        (done, total, QThread.currentThread() is QApplication.instance().thread())))
    worker = threading.Thread(target=lambda: (job(1, 3), job(2, 3)))
    worker.start()
    worker.join()
    gui.qtbot.waitUntil(lambda: len(seen) == 2)
    assert seen == [(1, 3, True), (2, 3, True)]
    assert not job.cancelled()
    job.cancel()
    assert job.cancelled()

    c.window.sig_logout_requested.emit()
    gui.qtbot.waitUntil(lambda: not c.session.active)
    job(3, 3)  # late progress from work of an ended session is dropped
    QApplication.processEvents()
    assert len(seen) == 2


def test_an_import_while_the_database_is_away_changes_nothing_and_can_be_tried_again(
        gui, tmp_path):
    log_in_as_advisor(gui)
    before = stored_titles(gui)
    dialog = open_preview(gui, write_csv(tmp_path, GOOD_ROWS))
    gui.outage.begin()
    dialog.import_button.click()
    gui.qtbot.waitUntil(lambda: "cannot be reached" in dialog.message_label.text(),
                        timeout=20_000)
    assert dialog.import_button.isEnabled() and dialog.isVisible()
    gui.outage.end()
    assert stored_titles(gui) == before

    dialog.import_button.click()
    gui.qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=20_000)
    assert stored_titles(gui) == before | {"Soldering for beginners", "Capture the flag",
                                           "Intro to PyTorch"}
