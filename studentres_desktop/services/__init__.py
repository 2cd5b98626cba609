"""Services: the plain-Python API the GUI and the CLI call. No Qt here."""
