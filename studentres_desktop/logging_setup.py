"""Logging to a rotating file in the user's log folder (and to stderr for the CLI)."""

from __future__ import annotations

import io
import logging
import logging.handlers
from pathlib import Path

from studentres_desktop.paths import APP_NAME, private_dir, private_opener, user_log_dir

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """A rotating log whose files are 0600 whatever the umask, rotated ones included."""

    def _open(self) -> io.TextIOWrapper:
        stream = open(  # noqa: SIM115 - the handler owns the stream and closes it
            self.baseFilename, self.mode, encoding=self.encoding, errors=self.errors,
            opener=private_opener,
        )
        assert isinstance(stream, io.TextIOWrapper)  # a text mode, so always
        return stream


def configure_logging(*, filename: str = "studentres.log", verbose: bool = False) -> Path | None:
    """Send records to a rotating file; returns its path, or None if the folder is not writable."""
    root = logging.getLogger()
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    for old in [h for h in root.handlers if getattr(h, "studentres", False)]:
        root.removeHandler(old)
        old.close()
    logging.getLogger("sqlalchemy").setLevel(logging.WARNING)
    path: Path | None = user_log_dir() / filename
    try:
        assert path is not None
        if path.parent.parent.name == APP_NAME:  # e.g. ~/.local/state/studentres-desktop/log
            private_dir(path.parent.parent)
        private_dir(path.parent)
        handler: logging.Handler = PrivateRotatingFileHandler(
            path, maxBytes=1_000_000, backupCount=5, encoding="utf-8"
        )
    except OSError:
        handler, path = logging.StreamHandler(), None
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    handler.studentres = True  # type: ignore[attr-defined]  # ours, replaced on the next call
    root.addHandler(handler)
    return path
