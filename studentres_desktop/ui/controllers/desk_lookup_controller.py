"""Helping a student at the desk: an advisor finds a student and prints their list for them.

Read-only: the advisor sees the student's interests, saved resources, RSVPs and recommendations
(never any password data), and can print the list or save it as PDF so the student leaves with
it. On a shared kiosk this is another person's data: the end of the session empties all of it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QDialog, QFileDialog

from studentres_desktop.domain.errors import ValidationError
from studentres_desktop.domain.models import Role, Student, StudentOverview, StudentSummary
from studentres_desktop.ui.controllers.errors import field_message
from studentres_desktop.ui.feature import Feature, FeatureContext
from studentres_desktop.ui.ops import Change
from studentres_desktop.ui.student_sheet import (
    overview_html,
    pdf_file_name,
    pdf_printer,
    print_sheet,
    sheet_title,
    writable,
)
from studentres_desktop.ui.views.main_window import MainWindow
from studentres_desktop.ui.views.student_lookup import StudentLookup

if TYPE_CHECKING:
    from PySide6.QtPrintSupport import QPrinter

# (dialog title, suggested file name) → the chosen path, or None when cancelled.
ChooseFile = Callable[[str, str], Path | None]
# Let the person pick and set up a printer; False when they cancelled.
SetUpPrinter = Callable[["QPrinter"], bool]

ENTER_SEARCH = "Enter an email address or part of a name."


class DeskLookupController(Feature):
    def __init__(self, context: FeatureContext, window: MainWindow, view: StudentLookup, *,
                 choose_file: ChooseFile | None = None,
                 set_up_printer: SetUpPrinter | None = None) -> None:
        super().__init__(context)
        self._window = window
        self.view = view
        self.choose_file: ChooseFile = choose_file or self._choose_file_in_dialog
        self.set_up_printer: SetUpPrinter = set_up_printer or self._set_up_printer_in_dialog
        self._overview: StudentOverview | None = None
        self._html = ""
        self._connect()
        self._show_action(None)

    def _connect(self) -> None:
        self._window.sig_help_student_requested.connect(self.open)
        self._session.sig_started.connect(self._show_action)
        self.view.sig_search_requested.connect(self.search)
        self.view.sig_student_chosen.connect(self._on_student_chosen)
        self.view.sig_save_pdf_requested.connect(self._on_save_pdf)
        self.view.sig_print_requested.connect(self._on_print)
        self._changes.sig_changed.connect(self._on_changed)

    def _show_action(self, student: Student | None) -> None:
        self._window.set_help_student_available(
            student is not None and student.role is Role.ADVISOR)

    @property
    def overview(self) -> StudentOverview | None:
        return self._overview

    @property
    def html(self) -> str:
        """The sheet as shown and printed (empty until a student is chosen)."""
        return self._html

    def open(self) -> None:
        student = self._session.student
        if student is None or student.role is not Role.ADVISOR:
            return
        self._forget_student()
        self.view.start()
        self.own(self.view).open()

    # --- finding the student --------------------------------------------------------------------

    def search(self, text: str) -> None:
        if not text.strip():
            self.view.set_search_message(ENTER_SEARCH)
            return
        self._ops.query(lambda api: api.find_students(text),
                        lambda found: self._on_found(text.strip(), found),
                        on_failure=self._on_search_failed, busy=self.view.set_busy)

    def _on_found(self, text: str, found: tuple[StudentSummary, ...]) -> None:
        self._forget_student()
        self.view.set_overview("", "")
        self.view.set_results(found, "" if found else f"No account matches \u201c{text}\u201d.")
        if len(found) == 1:
            self._on_student_chosen(found[0])

    def _on_search_failed(self, error: Exception) -> bool:
        if isinstance(error, ValidationError):
            self.view.set_search_message(field_message(error))
            return True
        return False

    def _on_student_chosen(self, student: StudentSummary) -> None:
        self._ops.query(lambda api: api.student_overview(student.id), self._on_overview,
                        busy=self.view.set_busy)

    def _on_overview(self, overview: StudentOverview) -> None:
        self._overview = overview
        self._html = overview_html(overview, self._printed_at())
        self.view.select_student(overview.student.id)
        self.view.set_overview(f"{overview.student.name} · {overview.student.email}", self._html)

    def _on_changed(self, change: Change) -> None:
        """A resource the student saved or signed up for may have changed: read the list again."""
        overview = self._overview
        if change.resources and overview is not None and self.view.isVisible():
            self._on_student_chosen(StudentSummary(overview.student.id, overview.student.name,
                                                   overview.student.email, overview.student.role))

    def _printed_at(self) -> datetime:
        """The clock's UTC time in the machine's zone, as the student reads it."""
        return self._clock().replace(tzinfo=UTC).astimezone().replace(tzinfo=None)

    # --- printing -------------------------------------------------------------------------------

    def _on_save_pdf(self) -> None:
        overview = self._overview
        if overview is None:
            return
        path = self.choose_file("Save the list as PDF", pdf_file_name(overview,
                                                                      self._printed_at()))
        if path is None or self._overview is not overview:  # cancelled, or the session ended
            return
        if path.suffix.lower() != ".pdf":
            path = path.with_name(path.name + ".pdf")
        self.save_pdf(path)

    def save_pdf(self, path: Path) -> bool:
        """Write the chosen student's list to `path` as PDF; says so, or why not."""
        overview = self._overview
        if overview is None:
            return False
        title = sheet_title(overview)
        written = (writable(path) and print_sheet(self._html, title, pdf_printer(path, title))
                   and path.exists())
        self.view.set_output_message(
            f"Saved the list as {path.name}." if written else
            f"Could not write {path.name}: choose a folder you may write to.")
        return written

    def _on_print(self) -> None:
        overview = self._overview
        if overview is None:
            return
        from PySide6.QtPrintSupport import QPrinter

        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        if not self.set_up_printer(printer) or self._overview is not overview:
            return
        printed = print_sheet(self._html, sheet_title(overview), printer)
        self.view.set_output_message("Sent the list to the printer." if printed else
                                     "The printer reported a problem; nothing was printed.")

    def _choose_file_in_dialog(self, title: str, suggested: str) -> Path | None:
        dialog = QFileDialog(self.view, title, str(Path.home() / suggested), "PDF (*.pdf)")
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setDefaultSuffix("pdf")
        if self.own(dialog).exec() != QDialog.DialogCode.Accepted or not dialog.selectedFiles():
            return None
        return Path(dialog.selectedFiles()[0])

    def _set_up_printer_in_dialog(self, printer: QPrinter) -> bool:
        from PySide6.QtPrintSupport import QPrintDialog

        dialog = QPrintDialog(printer, self.view)
        return bool(self.own(dialog).exec() == QDialog.DialogCode.Accepted)

    # --- the end of the session -----------------------------------------------------------------

    def _forget_student(self) -> None:
        self._overview = None
        self._html = ""

    def clear(self) -> None:
        self._forget_student()
        self.view.clear()
        self._show_action(None)
