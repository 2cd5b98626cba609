"""A srtest_ account with a password on the test server, for the connection dialog's tests."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import create_engine
from sqlalchemy.engine import make_url

from studentres_desktop.domain.connection import ConnectionDetails

ACCOUNT_PASSWORD = "Right-horse-7"


@dataclass(frozen=True)
class Account:
    host: str
    port: int
    user: str
    database: str

    def details(self, **changes: object) -> ConnectionDetails:
        values: dict[str, object] = dict(host=self.host, port=str(self.port),
                                         database=self.database, user=self.user,
                                         password=ACCOUNT_PASSWORD)
        values.update(changes)
        return ConnectionDetails(**values)  # type: ignore[arg-type]


@contextmanager
def mysql_account(database_url: str) -> Iterator[Account]:
    """A new srtest_ user allowed on the database of `database_url` only; dropped afterwards."""
    url = make_url(database_url)
    user = f"srtest_{uuid.uuid4().hex[:10]}"
    admin = create_engine(url.set(database=""))
    with admin.begin() as conn:
        conn.exec_driver_sql(f"CREATE USER '{user}'@'%' IDENTIFIED BY '{ACCOUNT_PASSWORD}'")
        # `_` is a wildcard in a GRANT's database name: escaped, the grant names this database
        # only (a test account allowed on srtest\_% databases may not grant a wider pattern).
        database = (url.database or "").replace("_", "\\_")
        conn.exec_driver_sql(f"GRANT ALL ON `{database}`.* TO '{user}'@'%'")
    try:
        yield Account(url.host or "127.0.0.1", url.port or 3306, user, url.database or "")
    finally:
        with admin.begin() as conn:
            conn.exec_driver_sql(f"DROP USER IF EXISTS '{user}'@'%'")
        admin.dispose()
