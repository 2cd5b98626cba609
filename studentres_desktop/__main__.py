"""`python -m studentres_desktop` starts the desktop app."""

import sys

from studentres_desktop.app import main

sys.exit(main())
