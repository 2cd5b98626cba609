"""The advisor's check of a CSV file before importing it: its rows, their problems, progress."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QDialog,
    QHeaderView,
    QLabel,
    QListWidget,
    QProgressBar,
    QPushButton,
    QTableView,
    QWidget,
)

from studentres_desktop.domain.errors import ImportProblem
from studentres_desktop.domain.models import ImportPreview
from studentres_desktop.ui.loader import child, load_ui_into
from studentres_desktop.ui.views._common import set_message

# The file's columns, in the import format, and how the table heads them.
COLUMNS = {
    "kind": "Kind",
    "title": "Title",
    "description": "Description",
    "interest_tags": "Interests",
    "starts_at": "Starts",
    "ends_at": "Ends",
    "location": "Location",
    "url": "Link",
    "capacity": "Places",
}
HEADERS = ["Line", "Problems", *COLUMNS.values()]
FIRST_CELL = 2  # the table's column of the file's first column
BAD_ROW = QColor("#fde7e9")
BAD_CELL = QColor("#f5b7bf")
PROBLEM_ROLE = Qt.ItemDataRole.UserRole + 1  # True on the cells of rows with a problem


class ImportPreviewDialog(QDialog):
    sig_import_requested = Signal()
    sig_cancel_requested = Signal()  # while importing: stop, and change nothing

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        load_ui_into(self, "import_preview.ui")
        self.file_label = child(self, QLabel, "fileLabel")
        self.summary_label = child(self, QLabel, "summaryLabel")
        self.table = child(self, QTableView, "previewTable")
        self.problem_list = child(self, QListWidget, "problemList")
        self.problems_label = child(self, QLabel, "problemsLabel")
        self.progress_bar = child(self, QProgressBar, "progressBar")
        self.message_label = child(self, QLabel, "messageLabel")
        self.import_button = child(self, QPushButton, "importButton")
        self.cancel_button = child(self, QPushButton, "cancelButton")
        for label in (self.file_label, self.summary_label):
            label.setTextFormat(Qt.TextFormat.PlainText)
        self.model = QStandardItemModel(self)
        self.table.setModel(self.model)
        self._importing = False
        self._importable = False
        self._connect()
        self.clear()

    def _connect(self) -> None:
        self.import_button.clicked.connect(self._on_import_clicked)
        self.cancel_button.clicked.connect(self.reject)

    def _on_import_clicked(self) -> None:
        if not self._importing:
            self.sig_import_requested.emit()

    def reject(self) -> None:
        """Cancel, Escape or the close button: while importing, ask to stop instead."""
        if self._importing:
            self.sig_cancel_requested.emit()
            return
        super().reject()

    # --- setters --------------------------------------------------------------------------------

    def show_preview(self, file_name: str, preview: ImportPreview) -> None:
        """Every row as read, rows with problems marked; Import only for a clean file."""
        self.setWindowTitle(f"Import resources from {file_name}")
        self.file_label.setText(f"Importing {file_name}")
        self.model.clear()
        self.model.setHorizontalHeaderLabels(HEADERS)
        by_line: dict[int, list[ImportProblem]] = {}
        for problem in preview.problems:
            by_line.setdefault(problem.line, []).append(problem)
        for row in preview.rows:
            problems = by_line.get(row.line, [])
            fields = {p.field for p in problems}
            items = [QStandardItem(str(row.line)),
                     QStandardItem("; ".join(f"{_column(p.field)}: {p.message}"
                                             for p in problems))]
            for column in COLUMNS:
                item = QStandardItem(row.cells.get(column, ""))
                if column in fields:
                    item.setBackground(QBrush(BAD_CELL))
                items.append(item)
            for item in items:
                item.setEditable(False)
                item.setData(bool(problems), PROBLEM_ROLE)
                if problems:
                    if item.background().style() == Qt.BrushStyle.NoBrush:
                        item.setBackground(QBrush(BAD_ROW))
                    item.setToolTip("\n".join(_problem_text(p) for p in problems))
            self.model.appendRow(items)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.resizeColumnsToContents()
        for section in range(self.model.columnCount()):
            widest = 340 if section == 1 else 220  # the problems are read first
            self.table.setColumnWidth(section, min(self.table.columnWidth(section), widest))
        self.problem_list.clear()
        self.problem_list.addItems([_problem_text(p) for p in preview.problems])
        self.problem_list.setVisible(bool(preview.problems))
        self.problems_label.setVisible(bool(preview.problems))
        self.summary_label.setText(_summary(preview, len(by_line)))
        self._importable = preview.importable
        self.import_button.setText(f"&Import {len(preview.rows)}" if preview.importable
                                   else "&Import")
        self._set_importing(False)
        set_message(self.message_label, "")
        self.progress_bar.setVisible(False)

    def set_importing(self, total: int) -> None:
        """The import started: show the progress; Cancel now stops it."""
        self.progress_bar.setRange(0, max(total, 1))
        self.progress_bar.setValue(0)
        self.progress_bar.setVisible(True)
        set_message(self.message_label, "")
        self._set_importing(True)

    def set_progress(self, done: int, total: int) -> None:
        self.progress_bar.setRange(0, max(total, 1))
        self.progress_bar.setValue(done)

    def set_stopped(self, message: str) -> None:
        """The import ended without importing anything: say why; the file may be tried again."""
        self._set_importing(False)
        self.progress_bar.setVisible(False)
        set_message(self.message_label, message)

    def _set_importing(self, importing: bool) -> None:
        self._importing = importing
        self.import_button.setEnabled(not importing and self._importable)
        self.cancel_button.setText("&Stop import" if importing else "Cancel")
        self.cancel_button.setAccessibleName("Stop import" if importing else "Cancel")
        self.table.setEnabled(not importing)

    @property
    def importing(self) -> bool:
        return self._importing

    def rows_with_problems(self) -> list[int]:
        """The file lines shown as having a problem (for tests and screen readers alike)."""
        return [int(self.model.item(row, 0).text()) for row in range(self.model.rowCount())
                if self.model.item(row, 0).data(PROBLEM_ROLE)]

    def clear(self) -> None:
        """Close and forget the file: nothing of it stays in a widget."""
        self._importing = False
        super().reject()
        self.setWindowTitle("Import resources")
        self.model.clear()
        self.problem_list.clear()
        for label in (self.file_label, self.summary_label):
            label.clear()
        set_message(self.message_label, "")
        self.progress_bar.setVisible(False)
        self.progress_bar.reset()
        self._importable = False
        self._set_importing(False)


def _column(field: str) -> str:
    return COLUMNS.get(field, field)


def _problem_text(problem: ImportProblem) -> str:
    where = f"line {problem.line}" if problem.line else "the file"
    return f"At {where}, {_column(problem.field)}: {problem.message}"


def _summary(preview: ImportPreview, bad_lines: int) -> str:
    rows = len(preview.rows)
    if preview.importable:
        return (f"{rows} {'resource is' if rows == 1 else 'resources are'} ready to import. "
                "They are added together, or not at all.")
    if not rows and not preview.problems:
        return "The file has no rows to import."
    if not rows:
        return "The file cannot be imported. Fix the problems below and choose it again."
    return (f"{bad_lines} of {rows} rows have problems (marked in red). Nothing can be imported "
            "until they are fixed in the file; then choose it again.")
