"""The sheet a student takes home from the desk: their list as HTML, printed or saved as PDF.

The same HTML shows in the look-up dialog and goes to the printer, so what the advisor reads is
what the student gets. Every value is escaped: titles and reasons come from people.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from datetime import datetime
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtGui import QTextDocument

from studentres_desktop.domain.models import Resource, StudentOverview
from studentres_desktop.ui import formatting

if TYPE_CHECKING:  # print support loads when something is printed, not at start-up
    from PySide6.QtPrintSupport import QPrinter

NONE_YET = "None yet."


def sheet_title(overview: StudentOverview) -> str:
    return f"StudentRes list for {overview.student.name}"


def pdf_file_name(overview: StudentOverview, printed_at: datetime) -> str:
    """A suggested file name: 'studentres-list-2026-12-02.pdf' (no name: the disk is shared)."""
    return f"studentres-list-{printed_at:%Y-%m-%d}.pdf"


def overview_html(overview: StudentOverview, printed_at: datetime) -> str:
    """Title, date, interests, saved resources, RSVPs and recommendations, escaped."""
    student = overview.student
    primary = student.primary_interest
    interests = [escape(i.label) + (" <i>(main interest)</i>" if i.tag == primary else "")
                 for i in overview.interests]
    parts = [
        f"<h1>{escape(sheet_title(overview))}</h1>",
        f"<p>{escape(student.email)}<br/>Printed {printed_at:%a %d %b %Y, %H:%M}</p>",
        "<h2>Interests</h2>",
        _items(interests),
    ]
    if student.learning_goal.strip():
        parts.append(f"<p><b>Learning goal:</b> {escape(student.learning_goal)}</p>")
    parts.append("<h2>Saved</h2>")
    parts.append(_items(
        f"<b>{escape(entry.title)}</b>"
        + (f"<br/>{_details(entry.resource)}" if entry.resource is not None
           else "<br/><i>Removed from the catalogue</i>")
        + (" <i>(past)</i>" if entry.past and not entry.removed else "")
        for entry in overview.saved))
    parts.append("<h2>RSVPs</h2>")
    parts.append(_items(
        f"<b>{escape(entry.resource.title)}</b> — {escape(entry.status.label)}"
        f"<br/>{_details(entry.resource)}"
        for entry in overview.rsvps))
    parts.append("<h2>Recommended for you</h2>")
    if overview.recommendation_note:
        parts.append(f"<p><i>{escape(overview.recommendation_note)}</i></p>")
    parts.append(_items(
        f"<b>{escape(item.resource.title)}</b><br/>{_details(item.resource)}"
        f"<br/><i>{escape(item.reason)}</i>"
        for item in overview.recommended))
    return "\n".join(parts)


def _details(resource: Resource) -> str:
    """'Workshop · Thu 03 Dec 2026, 14:00–16:00 · Room 2', then the link on its own line."""
    bits = [resource.kind.label, formatting.when(resource)]
    if resource.location:
        bits.append(resource.location)
    text = escape(" · ".join(bits))
    return f"{text}<br/>{escape(resource.url)}" if resource.url else text


def _items(items: Iterable[str]) -> str:
    rows = [f"<li>{item}</li>" for item in items]
    return f"<ul>{''.join(rows)}</ul>" if rows else f"<p>{NONE_YET}</p>"


def sheet_document(html: str, title: str) -> QTextDocument:
    document = QTextDocument()
    document.setHtml(html)
    document.setMetaInformation(QTextDocument.MetaInformation.DocumentTitle, title)
    return document


def pdf_printer(path: Path, title: str) -> QPrinter:
    """A printer that writes an A4 PDF to `path`."""
    from PySide6.QtGui import QPageSize
    from PySide6.QtPrintSupport import QPrinter

    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(path))
    printer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    printer.setDocName(title)
    return printer


def writable(path: Path) -> bool:
    """Whether a file may be written at `path` (Qt only warns when it cannot)."""
    folder = path.parent
    return folder.is_dir() and os.access(folder, os.W_OK) and (
        not path.exists() or (path.is_file() and os.access(path, os.W_OK)))


def print_sheet(html: str, title: str, printer: QPrinter) -> bool:
    """Print the sheet; False when the printer reported an error (a PDF it could not write)."""
    from PySide6.QtPrintSupport import QPrinter

    printer.setDocName(title)
    sheet_document(html, title).print_(printer)
    return printer.printerState() != QPrinter.PrinterState.Error
