"""Plain domain types: no Qt, no SQLAlchemy.

Import them from `domain.errors` and `domain.models`: the package itself imports neither, so
that the errors load without the models' dataclasses before the login window is shown.
"""
