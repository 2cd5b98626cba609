"""StudentRes Desktop: match students to the workshops, trainings and events that fit them."""

__version__ = "0.1.0"
