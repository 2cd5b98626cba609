"""`python -m studentres_desktop` starts the desktop app (start-up is timed from process start)."""

import sys

from studentres_desktop.app import main

sys.exit(main())
