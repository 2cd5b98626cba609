"""Entry script of the frozen `studentres-desktop` (PyInstaller needs a file, not a function)."""

import sys

from studentres_desktop.app import main  # start-up is timed from process start, see startclock

if __name__ == "__main__":
    sys.exit(main())
