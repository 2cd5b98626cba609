"""The advisor's desk look-up: find a student, read their list, print it or save it as PDF."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QLabel,
    QLineEdit,
    QListView,
    QPushButton,
    QTextBrowser,
    QWidget,
)

from studentres_desktop.domain.models import StudentSummary
from studentres_desktop.ui.loader import child, load_ui_into
from studentres_desktop.ui.models.student_list_model import StudentListModel
from studentres_desktop.ui.views._common import set_enabled, set_message

NO_STUDENT = "No student chosen"


class StudentLookup(QDialog):
    sig_search_requested = Signal(str)
    sig_student_chosen = Signal(object)  # StudentSummary
    sig_print_requested = Signal()
    sig_save_pdf_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        load_ui_into(self, "student_lookup.ui")
        self.search_edit = child(self, QLineEdit, "searchEdit")
        self.search_button = child(self, QPushButton, "searchButton")
        self.search_message = child(self, QLabel, "searchMessage")
        self.result_list = child(self, QListView, "resultList")
        self.student_label = child(self, QLabel, "studentLabel")
        self.student_label.setTextFormat(Qt.TextFormat.PlainText)
        self.overview_browser = child(self, QTextBrowser, "overviewBrowser")
        self.output_message = child(self, QLabel, "outputMessage")
        self.print_button = child(self, QPushButton, "printButton")
        self.pdf_button = child(self, QPushButton, "pdfButton")
        self.close_button = child(self, QPushButton, "closeButton")
        self.results = StudentListModel(self)
        self.result_list.setModel(self.results)
        self._busy = False
        self._connect()
        self.clear()

    def _connect(self) -> None:
        self.search_button.clicked.connect(self._submit)
        self.search_edit.returnPressed.connect(self._submit)
        self.result_list.activated.connect(self._on_result_chosen)
        self.result_list.clicked.connect(self._on_result_chosen)
        self.print_button.clicked.connect(self.sig_print_requested)
        self.pdf_button.clicked.connect(self.sig_save_pdf_requested)
        self.close_button.clicked.connect(self.reject)

    def _submit(self) -> None:
        if not self._busy:
            self.sig_search_requested.emit(self.search_edit.text())

    def _on_result_chosen(self, index: QModelIndex) -> None:
        student = self.results.item(index.row())
        if student is not None and not self._busy:
            self.sig_student_chosen.emit(student)

    # --- setters --------------------------------------------------------------------------------

    def start(self) -> None:
        """Empty, with the cursor in the search field."""
        self.clear()
        self.search_edit.setFocus()

    def set_results(self, students: Sequence[StudentSummary], message: str = "") -> None:
        self.results.set_items(students)
        set_message(self.search_message, message)
        if students:
            self.result_list.setCurrentIndex(self.results.index(0))

    def set_search_message(self, text: str) -> None:
        set_message(self.search_message, text)
        if text:
            self.search_edit.setFocus()

    def select_student(self, student_id: int) -> None:
        for row in range(self.results.rowCount()):
            item = self.results.item(row)
            if item is not None and item.id == student_id:
                self.result_list.setCurrentIndex(self.results.index(row))

    def set_overview(self, heading: str, html: str) -> None:
        """Show a student's list (the same HTML that is printed), or nothing."""
        self.student_label.setText(heading or NO_STUDENT)
        self.overview_browser.setHtml(html)
        set_enabled(bool(html), self.print_button, self.pdf_button)
        set_message(self.output_message, "")

    def set_output_message(self, text: str) -> None:
        set_message(self.output_message, text)

    def set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.search_button.setEnabled(not busy)

    def overview_text(self) -> str:
        return self.overview_browser.toPlainText()

    def clear(self) -> None:
        """Close and forget the student: no name, email or list stays in a widget or model."""
        self.reject()
        self.search_edit.clear()
        self.results.clear()
        self.set_overview("", "")
        self.overview_browser.document().clear()
        self.overview_browser.clearHistory()
        set_message(self.search_message, "")
        set_message(self.output_message, "")
        self.set_busy(False)
