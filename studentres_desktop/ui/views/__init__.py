"""Views load their .ui file and expose signals and setters; they hold no logic."""
