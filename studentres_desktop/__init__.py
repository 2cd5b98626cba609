"""StudentRes Desktop: match students to the workshops, trainings and events that fit them."""

__version__ = "0.1.0"

from studentres_desktop import startclock as _startclock  # noqa: F401 - starts the clock
