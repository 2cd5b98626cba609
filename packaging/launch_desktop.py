"""Entry script of the frozen `studentres-desktop` (PyInstaller needs a file, not a function)."""

import sys
import time

STARTED = time.perf_counter()  # before Qt and the UI load, so start-up numbers include them

from studentres_desktop.app import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main(started=STARTED))
