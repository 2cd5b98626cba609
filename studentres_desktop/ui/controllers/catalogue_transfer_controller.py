"""Advisors bring resources in from a CSV file, checked row by row first, and export them."""

from __future__ import annotations

from pathlib import Path

from studentres_desktop.domain.errors import (
    CatalogueImportFailed,
    DatabaseUnavailable,
    ImportCancelled,
    ValidationError,
)
from studentres_desktop.domain.models import ImportPreview
from studentres_desktop.ui.feature import Feature, FeatureContext
from studentres_desktop.ui.file_choosers import FileChooser, open_file_chooser, save_file_chooser
from studentres_desktop.ui.ops import Change, Job
from studentres_desktop.ui.views.import_preview import ImportPreviewDialog
from studentres_desktop.ui.views.main_window import MainWindow

CSV_FILTER = "CSV files (*.csv);;All files (*)"
EXPORT_NAME = "studentres-catalogue.csv"
STOPPED = "The import was stopped. Nothing was changed."
FAILED = "The import failed. Nothing was changed."
UNREACHABLE = ("The database cannot be reached right now. Nothing was imported; press Import to "
               "try again when it is back.")


class CatalogueTransferController(Feature):
    def __init__(self, context: FeatureContext, window: MainWindow,
                 dialog: ImportPreviewDialog, *, choose_import: FileChooser | None = None,
                 choose_export: FileChooser | None = None) -> None:
        super().__init__(context)
        self._window = window
        self.dialog = dialog
        # Replaceable: tests cannot click through a native file dialog.
        self.choose_import = choose_import or open_file_chooser(window)
        self.choose_export = choose_export or save_file_chooser(window, EXPORT_NAME)
        self._preview: ImportPreview | None = None
        self._file_name = ""
        self._job: Job | None = None
        self._connect()

    def _connect(self) -> None:
        self._window.sig_import_requested.connect(self.start_import)
        self._window.sig_export_requested.connect(self.export)
        self.dialog.sig_import_requested.connect(self._on_import_requested)
        self.dialog.sig_cancel_requested.connect(self._on_cancel_requested)

    # --- import ---------------------------------------------------------------------------------

    def start_import(self) -> None:
        """Ask for the file, then show every row with its problems before anything changes."""
        path = self.choose_import("Import resources from a CSV file", CSV_FILTER)
        if path is None:
            return
        self._ops.query(lambda api: api.preview_import(path),
                        lambda preview: self._show_preview(path, preview),
                        on_failure=self._on_file_failed, busy=self._previewing)

    def _previewing(self, _busy: bool) -> None:
        """Only there so that choosing twice quickly reads the file once."""

    def _show_preview(self, path: Path, preview: ImportPreview) -> None:
        self._preview, self._file_name = preview, path.name
        self.dialog.show_preview(path.name, preview)
        self.own(self.dialog).open()

    def _on_import_requested(self) -> None:
        preview, source = self._preview, self._file_name
        if preview is None or not preview.importable:
            return
        job = self._job = self._ops.job(self.dialog.set_progress)
        count = len(preview.drafts)
        self.dialog.set_importing(count)
        self._ops.write(
            lambda api: api.import_resources(preview, source=source, progress=job,
                                             cancelled=job.cancelled),
            self._on_imported,
            change=Change(resources=True, note=f"Imported {count} "
                          f"{'resource' if count == 1 else 'resources'} from {source}."),
            on_failure=self._on_import_failed)

    def _on_cancel_requested(self) -> None:
        if self._job is not None:
            self._job.cancel()

    def _on_imported(self, _count: int) -> None:
        self._job, self._preview = None, None
        self.dialog.clear()

    def _on_import_failed(self, error: Exception) -> bool:
        """Whatever happened, the service added nothing: say so in the dialog."""
        self._job = None
        if isinstance(error, ImportCancelled):
            self.dialog.set_stopped(STOPPED)
            return True
        if isinstance(error, CatalogueImportFailed):
            # The rows were good when read; something changed since (an interest was removed).
            shown = "; ".join(str(p) for p in error.problems[:3])
            self.dialog.set_stopped(f"Nothing was imported: {shown}. Choose the file again.")
            return True
        if isinstance(error, DatabaseUnavailable):
            # Said here, not with the banner's Retry: Import is the one way to try again, so
            # the same rows cannot be imported twice.
            self.dialog.set_stopped(UNREACHABLE)
            return True
        self.dialog.set_stopped(FAILED)
        return False

    def _on_file_failed(self, error: Exception) -> bool:
        if isinstance(error, ValidationError):
            self._window.show_status(f"The file {error.message}", 10_000)
            return True
        return False

    # --- export ---------------------------------------------------------------------------------

    def export(self) -> None:
        """Ask where, then write the whole catalogue in the import format and say how many."""
        chosen = self.choose_export("Export the catalogue as CSV", CSV_FILTER)
        if chosen is None:
            return
        path = chosen if chosen.suffix else chosen.with_suffix(".csv")
        self._ops.query(lambda api: api.export_resources(path),
                        lambda count: self._window.show_status(
                            f"Exported {count} {'resource' if count == 1 else 'resources'} "
                            f"to {path.name}.", 10_000),
                        on_failure=self._on_file_failed, busy=self._exporting)

    def _exporting(self, _busy: bool) -> None:
        """Only there so that a double click exports once."""

    def clear(self) -> None:
        if self._job is not None:
            self._job.cancel()  # an import still running adds nothing
        self._job, self._preview, self._file_name = None, None, ""
        self.dialog.clear()
