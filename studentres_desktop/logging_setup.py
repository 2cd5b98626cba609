"""Logging to a rotating file in the user's log folder (and to stderr for the CLI)."""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

from studentres_desktop.paths import user_log_dir

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


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
        path.parent.mkdir(parents=True, exist_ok=True)
        handler: logging.Handler = logging.handlers.RotatingFileHandler(
            path, maxBytes=1_000_000, backupCount=5, encoding="utf-8"
        )
    except OSError:
        handler, path = logging.StreamHandler(), None
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    handler.studentres = True  # type: ignore[attr-defined]  # ours, replaced on the next call
    root.addHandler(handler)
    return path
