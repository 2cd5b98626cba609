"""`python -m studentres_desktop` starts the desktop app."""

import sys
import time

STARTED = time.perf_counter()  # before Qt and the UI load, so start-up numbers include them

from studentres_desktop.app import main  # noqa: E402

sys.exit(main(started=STARTED))
