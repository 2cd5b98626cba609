"""Controllers connect views to services; all database and bcrypt work goes through workers."""
