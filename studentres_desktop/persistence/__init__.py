"""Persistence: engines, tables, repositories and the unit of work. No Qt here."""
