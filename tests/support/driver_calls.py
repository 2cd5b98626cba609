"""What a connection sends to the server, counted in mysql-connector itself: the same record
for its pure-Python connection and for its C extension's, whichever the app is using."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any


def connection_class() -> type:
    """The class mysql.connector.connect() returns here: the C extension's when it loads."""
    from mysql.connector import HAVE_CEXT

    if HAVE_CEXT:
        from mysql.connector.connection_cext import CMySQLConnection

        return CMySQLConnection
    from mysql.connector.connection import MySQLConnection

    return MySQLConnection


def _first_word(statement: object) -> str:
    text = statement.decode() if isinstance(statement, bytes | bytearray) else str(statement)
    return text.split()[0].upper()


@contextmanager
def recorded_commands() -> Iterator[list[str]]:
    """Each command sent while inside, in order: a statement's first word, or PING."""
    cls = connection_class()
    sent: list[str] = []

    def statement(original: Callable[..., Any]) -> Callable[..., Any]:
        def recorded(self: Any, query: object, *args: Any, **kwargs: Any) -> Any:
            sent.append(_first_word(query))
            return original(self, query, *args, **kwargs)
        return recorded

    def named(word: str, original: Callable[..., Any]) -> Callable[..., Any]:
        def recorded(self: Any, *args: Any, **kwargs: Any) -> Any:
            sent.append(word)
            return original(self, *args, **kwargs)
        return recorded

    # The pure-Python connection sends COMMIT and ROLLBACK through cmd_query and pings through
    # cmd_ping; the C extension's calls the client library for each, and pings in ping() and
    # in is_connected().
    if cls.__name__ == "MySQLConnection":
        wrapped = {"cmd_query": statement(cls.cmd_query), "cmd_ping": named("PING", cls.cmd_ping)}
    else:
        wrapped = {
            "cmd_query": statement(cls.cmd_query),
            "commit": named("COMMIT", cls.commit),
            "rollback": named("ROLLBACK", cls.rollback),
            "ping": named("PING", cls.ping),
            "is_connected": named("PING", cls.is_connected),
        }
    originals = {name: cls.__dict__[name] for name in wrapped}
    try:
        for name, method in wrapped.items():
            setattr(cls, name, method)
        yield sent
    finally:
        for name, method in originals.items():
            setattr(cls, name, method)
