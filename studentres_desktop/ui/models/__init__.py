"""Qt item models that adapt service results for the views."""
