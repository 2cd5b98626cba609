"""Turn a database URL into a configured SQLAlchemy engine (SQLite or MySQL/MariaDB)."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, ExceptionContext, make_url
from sqlalchemy.exc import ArgumentError

from studentres_desktop.domain.errors import ValidationError
from studentres_desktop.paths import make_dirs_private, private_file, tighten_file
from studentres_desktop.persistence.db_errors import NOT_READY
from studentres_desktop.persistence.gtids import ReadYourWrites
from studentres_desktop.persistence.nodes import (
    DEFAULT_PORT,
    Node,
    NodeChooser,
    Placement,
    format_hosts,
    parse_hosts,
)

log = logging.getLogger(__name__)

MYSQL_CHARSET = "utf8mb4"
# Set explicitly: the connector's own default, utf8mb4_0900_ai_ci, is unknown to MariaDB.
MYSQL_COLLATION = "utf8mb4_unicode_ci"
MYSQL_DRIVER = "mysql+mysqlconnector"


@dataclass(frozen=True)
class DatabaseSettings:
    """Where the database is and how to reach it. The URL may hold a password: never log it."""

    url: str = field(repr=False)
    connect_timeout: int = 10
    read_timeout: int = 30
    ssl_ca: str | None = None
    ssl_verify_cert: bool | None = None  # default: True when ssl_ca is set
    pool_recycle: int = 1800
    ssl_verify_identity: bool | None = None  # the host name is the certificate's; default: as cert
    ssl_cert: str | None = None  # a client certificate, for accounts that REQUIRE X509
    ssl_key: str | None = None
    # Several servers (a Galera cluster), tried in turn; empty: the URL's host, or ?hosts= in it.
    hosts: tuple[Node, ...] = ()

    def __repr__(self) -> str:
        return (
            f"DatabaseSettings(url={safe_url(self.url)!r}, "
            f"connect_timeout={self.connect_timeout}"
            + (f", hosts={format_hosts(self.hosts)!r})" if self.hosts else ")")
        )


def parse_url(raw: str) -> URL:
    try:
        return make_url(raw)
    except ArgumentError:
        raise ValidationError(
            "database URL",
            "is not a database URL; expected e.g. "
            "mysql+mysqlconnector://user:pw@host:3306/studentres or sqlite:///path/to/file.sqlite3",
        ) from None


# Query parameters mysql-connector also reads a password from (password1-3: multi-factor).
PASSWORD_PARAMETERS = frozenset({"password", "passwd", "password1", "password2", "password3"})


def mysql_url(host: str, port: int, database: str, user: str, password: str | None) -> str:
    """A MySQL/MariaDB URL from its parts, quoted as needed (a password may hold '@' or '/')."""
    return URL.create(MYSQL_DRIVER, username=user or None, password=password or None,
                      host=host, port=port, database=database).render_as_string(
                          hide_password=False)


def safe_url(raw: str) -> str:
    """The URL with any password replaced by ***; for logs, messages and repr()."""
    try:
        url = make_url(raw)
    except (ArgumentError, ValueError):
        return "<unreadable database URL>"
    hidden = {key: "***" for key in url.query if key.lower() in PASSWORD_PARAMETERS}
    return url.update_query_dict(hidden).render_as_string(hide_password=True)


def create_database_engine(settings: DatabaseSettings) -> Engine:
    """Build the engine with what each backend needs; no connection is opened here."""
    url = parse_url(settings.url)
    backend = url.get_backend_name()
    if backend == "sqlite":
        return _sqlite_engine(url, settings)
    if backend in ("mysql", "mariadb"):
        return _mysql_engine(url, settings)
    raise ValidationError(
        "database URL", f"uses '{backend}', but only MySQL/MariaDB and SQLite are supported"
    )


# Files SQLite keeps next to the database; the -wal file holds recent rows, password hashes too.
SQLITE_COMPANIONS = ("-wal", "-shm", "-journal")


def _sqlite_engine(url: URL, settings: DatabaseSettings) -> Engine:
    if url.database and url.database != ":memory:" and not url.database.startswith("file:"):
        _prepare_private_sqlite_file(Path(url.database).expanduser())
    engine = create_engine(
        url,
        connect_args={"timeout": settings.connect_timeout},
        hide_parameters=True,
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    return engine


def _prepare_private_sqlite_file(path: Path) -> None:
    """The database file, made 0600 before SQLite opens it; SQLite gives its -wal and -shm files
    the database's mode, and any left by an older version are tightened too."""
    try:
        make_dirs_private(path.parent)
        private_file(path)
        for suffix in SQLITE_COMPANIONS:
            tighten_file(path.with_name(path.name + suffix))
    except OSError as error:  # e.g. a read-only folder: SQLite reports it on first use
        log.warning("cannot prepare %s as a private file: %s", path, error.strerror)


def tls_arguments(settings: DatabaseSettings) -> dict[str, Any]:
    """The driver's TLS options. With a CA file the server's certificate and host name are
    verified unless switched off. Without any TLS setting the driver's default applies (TLS when
    the server offers it, unverified).

    The driver builds its context with ssl.create_default_context(), which speaks TLS 1.2 or
    newer only (Python 3.10+; a test checks it). Its `tls_versions` option is not used: it builds
    a context from the deprecated PROTOCOL_TLS instead.
    """
    if not (settings.ssl_ca or settings.ssl_cert or settings.ssl_verify_cert
            or settings.ssl_verify_identity):
        return {}
    verify_cert = (
        settings.ssl_verify_cert if settings.ssl_verify_cert is not None else bool(settings.ssl_ca)
    )
    verify_identity = (
        settings.ssl_verify_identity if settings.ssl_verify_identity is not None else verify_cert
    )
    arguments: dict[str, Any] = {
        "ssl_verify_cert": verify_cert,
        "ssl_verify_identity": verify_identity,
    }
    if settings.ssl_ca:
        arguments["ssl_ca"] = settings.ssl_ca
    if settings.ssl_cert:
        arguments["ssl_cert"] = settings.ssl_cert
        arguments["ssl_key"] = settings.ssl_key
    return arguments


URL_HOSTS = "hosts"


def url_hosts(url: URL, where: str = "database URL") -> tuple[Node, ...]:
    """The nodes named by `?hosts=db1:3306,db2:3306` in the URL; () without it."""
    raw = url.query.get(URL_HOSTS)
    if raw is None:
        return ()
    values = [raw] if isinstance(raw, str) else list(raw)
    return parse_hosts(",".join(values), f"{where}: ?{URL_HOSTS}=")


def _mysql_engine(url: URL, settings: DatabaseSettings) -> Engine:
    if url.drivername in ("mysql", "mariadb", "mariadb+mysqlconnector"):
        url = url.set(drivername=MYSQL_DRIVER)
    nodes = settings.hosts or url_hosts(url) or ((url.host or "localhost",
                                                  url.port or DEFAULT_PORT),)
    url = url.difference_update_query([URL_HOSTS])
    url = url.update_query_dict({"charset": MYSQL_CHARSET, "collation": MYSQL_COLLATION})
    connect_args: dict[str, Any] = {
        "connection_timeout": settings.connect_timeout,
        "read_timeout": settings.read_timeout,
        "write_timeout": settings.read_timeout,
        **tls_arguments(settings),
    }
    engine = create_engine(
        url,
        connect_args=connect_args,
        pool_pre_ping=True,
        pool_recycle=settings.pool_recycle,
        pool_size=4,
        max_overflow=4,
        pool_timeout=settings.connect_timeout,
        hide_parameters=True,
        pool_reset_on_return=None,  # _skip_rollback_after_commit rolls back instead
    )
    chooser = _connect_to_ready_nodes(engine, nodes)
    _skip_rollback_after_commit(engine, after_commit=_read_your_writes(engine, chooser))

    @event.listens_for(engine, "handle_error")
    def _on_error(context: ExceptionContext) -> None:
        # A node that lost its cluster answers every query with 1047 while its connections
        # stay open: drop them all, as for a disconnect, so the next attempt picks another node.
        if getattr(context.original_exception, "errno", None) == NOT_READY:
            context.is_disconnect = True

    return engine


# Set in a pooled connection's info by the unit of work right after its COMMIT went through.
ENDED_BY_COMMIT = "studentres.ended_by_commit"


def _skip_rollback_after_commit(engine: Engine,
                                after_commit: Callable[[Any, Any], None]) -> None:
    """Roll back a connection on its way back to the pool, unless its transaction was just
    committed: SQLAlchemy's own reset sent a ROLLBACK after every COMMIT, one more round trip
    for every write. A transaction begun after the COMMIT is rolled back by the connection.
    `after_commit(dbapi_connection, record)` runs instead of the rollback after a commit."""

    @event.listens_for(engine, "checkout")
    def _on_checkout(_dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        record.info.pop(ENDED_BY_COMMIT, None)

    @event.listens_for(engine, "reset")
    def _on_reset(dbapi_connection: Any, record: Any, state: Any) -> None:
        if record.info.pop(ENDED_BY_COMMIT, False):
            after_commit(dbapi_connection, record)
            return
        if state.terminate_only or state.transaction_was_reset:
            return
        engine.dialect.do_rollback(dbapi_connection)


# The node a pooled connection went to (a nodes.Placement), kept from its connect on.
PLACEMENT = "studentres.placement"


def _read_your_writes(engine: Engine, chooser: NodeChooser) -> Callable[[Any, Any], None]:
    """A read sees this workstation's earlier writes, on whichever node it runs, without
    waiting for the cluster (persistence/gtids.py). Returns what to run after each commit.
    Nothing is sent to a server without Galera."""
    from mysql.connector import errors as driver_errors

    tracker = ReadYourWrites(driver_errors.Error)

    def galera_node(record: Any) -> Node | None:
        placement: Placement | None = record.info.get(PLACEMENT)
        return placement.node if placement is not None and placement.galera else None

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, record: Any) -> None:
        record.info[PLACEMENT] = chooser.placement(dbapi_connection)

    @event.listens_for(engine, "checkout")
    def _on_checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        node = galera_node(record)
        if node is not None:
            tracker.before_use(dbapi_connection, node)

    def after_commit(dbapi_connection: Any, record: Any) -> None:
        node = galera_node(record)
        if node is None:
            return
        try:
            tracker.after_commit(dbapi_connection, node)
        except driver_errors.Error as error:
            # The write went through; the connection did not answer after it. Not back to the
            # pool: the next checkout makes a new one (and waits for the cluster, see gtids.py).
            log.info("no GTID for a write on %s:%s: %s", node[0], node[1],
                     getattr(error, "msg", type(error).__name__))
            record.invalidate(error)

    return after_commit


def _connect_to_ready_nodes(engine: Engine, nodes: tuple[Node, ...]) -> NodeChooser:
    """Every new connection goes to a ready node of `nodes` (persistence/nodes.py)."""
    from mysql.connector import errors as driver_errors

    def not_ready(problem: str) -> Exception:
        return driver_errors.OperationalError(msg=problem, errno=NOT_READY)

    dialect = engine.dialect
    chooser = NodeChooser(nodes, _without_cursor_ping(dialect.loaded_dbapi.connect),
                          driver_errors.Error, not_ready)

    def connect(*_cargs: Any, **cparams: Any) -> Any:
        return chooser(cparams)

    # The dialect is this engine's own. Its connect() runs after any do_connect listener, with
    # the parameters SQLAlchemy built from the URL and connect_args.
    setattr(dialect, "connect", connect)  # noqa: B010 - a method replaced on one instance
    return chooser


def _without_cursor_ping(connect: Callable[..., Any]) -> Callable[..., Any]:
    """The driver's connect, with connections that do not ping the server in cursor() (and,
    from the C extension, that raise the driver's errors at COMMIT and ROLLBACK).

    mysql-connector's connection, pure-Python or C extension alike, sends a PING and waits for
    the answer each time a cursor is made, and SQLAlchemy makes one per statement: a round trip
    before every statement, a third of the client's CPU on a first page with the pure-Python
    driver. The pool's pre-ping still checks each connection when it is checked out, and a
    connection that died since fails its next statement with 2013/2055, which the unit of work
    reruns like the driver's -1.
    """
    from mysql.connector.connection import MySQLConnection

    def pure_connected(connection: Any) -> bool:
        # Closed here (close() forgets the handshake): the driver's own -1 error.
        return connection._socket is not None and connection._handshake is not None

    replacements: dict[type, type] = {
        MySQLConnection: _pinging_only_on_checkout(MySQLConnection, pure_connected)}
    try:
        from _mysql_connector import MySQLInterfaceError
        from mysql.connector.connection_cext import CMySQLConnection
    except ImportError:  # the C extension is not installed, or does not load here
        pass
    else:
        from mysql.connector import errors as driver_errors

        @contextmanager
        def as_driver_errors() -> Iterator[None]:
            """The client library's own error as the driver's, as cmd_query() does: commit()
            and rollback() let it through bare, so a Galera certification failure at COMMIT
            (1213) was not seen as a driver error and not rerun."""
            try:
                yield
            except MySQLInterfaceError as error:
                errno = getattr(error, "errno", None)
                if errno is None:
                    raise driver_errors.InterfaceError(str(error)) from error
                raise driver_errors.get_mysql_exception(
                    errno, msg=getattr(error, "msg", str(error)),
                    sqlstate=getattr(error, "sqlstate", None)) from error

        def c_connected(connection: Any) -> bool:
            # The client library's own state, without a round trip.
            return connection._cmysql is not None and bool(connection._cmysql.connected())

        class CConnection(_pinging_only_on_checkout(CMySQLConnection, c_connected)):  # type: ignore[misc]
            def commit(self) -> None:
                with as_driver_errors():
                    super().commit()

            def rollback(self) -> None:
                with as_driver_errors():
                    super().rollback()

        replacements[CMySQLConnection] = CConnection

    def connect_without_cursor_ping(**params: Any) -> Any:
        connection = connect(**params)
        replacement = replacements.get(type(connection))
        if replacement is not None:
            connection.__class__ = replacement
        return connection

    return connect_without_cursor_ping


def client_driver(engine: Engine) -> str:
    """Which driver the engine's connections run on: for MySQL, mysql-connector's C extension
    or its pure-Python classes, and the OpenSSL that Python's ssl module uses.

    On Linux a process holds one libssl.so.3, so the C extension's TLS goes through that
    OpenSSL too: it binds to the copy Python's ssl module loaded first.
    """
    if engine.dialect.name != "mysql":
        return f"{engine.dialect.name} ({engine.dialect.driver})"
    import ssl

    from mysql.connector import __version__ as connector_version

    try:
        from mysql.connector.connection_cext import CMySQLConnection
    except ImportError:  # the C extension is not installed, or does not load here
        c_classes: tuple[type, ...] = ()
    else:
        c_classes = (CMySQLConnection,)
    with engine.connect() as conn:
        connection = conn.connection.dbapi_connection
    kind = "C extension" if isinstance(connection, c_classes) else "pure Python"
    return f"mysql-connector-python {connector_version} ({kind}); Python ssl: {ssl.OPENSSL_VERSION}"


def _pinging_only_on_checkout(base: Any, connected: Callable[[Any], bool]) -> Any:
    """A subclass of the driver's connection class `base` whose cursor() asks `connected`
    (local state only) instead of pinging the server."""

    class Connection(base):  # type: ignore[misc]
        _making_cursor = False

        def cursor(self, *args: Any, **kwargs: Any) -> Any:
            self._making_cursor = True
            try:
                return super().cursor(*args, **kwargs)
            finally:
                self._making_cursor = False

        def is_connected(self) -> bool:
            if self._making_cursor:
                return connected(self)
            return bool(super().is_connected())

    return Connection
