"""Several database servers (a Galera cluster): which one to connect to, and whether it is ready.

A workstation lists the nodes (`[database] hosts`, `?hosts=` in the URL, or `--db-hosts`). Each
new connection goes to the node that worked last, else to the next one in the list; a node that
refused us is tried last for a while. A Galera node cut off from its cluster still accepts logins
and pings while every query fails with error 1047, so a node is used only when `wsrep_ready` is
ON and its state is Synced; a server without Galera is always ready. The chooser remembers which
node each connection went to and whether it is a Galera node (`placement`), for the GTID waits of
persistence/gtids.py. See docs/cluster.md.
"""

from __future__ import annotations

import logging
import threading
import time
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from studentres_desktop.domain.errors import ValidationError

log = logging.getLogger(__name__)

DEFAULT_PORT = 3306
MAX_HOSTS = 16
# A node that refused a connection is tried after the others for this long.
AVOID_SECONDS = 30.0

Node = tuple[str, int]


def parse_hosts(value: object, where: str) -> tuple[Node, ...]:
    """`["db1:3306", "db2"]` or "db1:3306,db2" as (host, port) pairs; ValidationError naming
    `where` for anything else."""
    if isinstance(value, str):
        entries: list[object] = [part for part in value.split(",") if part.strip()]
    elif isinstance(value, list | tuple):
        entries = list(value)
    else:
        raise ValidationError(where, 'must be a list such as ["db1:3306", "db2:3306"].')
    if not entries:
        raise ValidationError(where, "must name at least one host, e.g. db1:3306.")
    if len(entries) > MAX_HOSTS:
        raise ValidationError(where, f"may name at most {MAX_HOSTS} hosts.")
    nodes: list[Node] = []
    for entry in entries:
        node = _parse_node(entry, where)
        if node in nodes:
            raise ValidationError(where, f"names {node[0]}:{node[1]} twice.")
        nodes.append(node)
    return tuple(nodes)


def _parse_node(entry: object, where: str) -> Node:
    if not isinstance(entry, str) or not entry.strip():
        raise ValidationError(where, "each host must be text such as db1:3306.")
    text = entry.strip()
    if text.startswith("["):  # an IPv6 address: [::1]:3306
        host, _, rest = text[1:].partition("]")
        port_text = rest[1:] if rest.startswith(":") else rest
    elif text.count(":") == 1:
        host, port_text = text.split(":")
    else:
        host, port_text = text, ""
    host = host.strip()
    if not host or any(c.isspace() or c in "/@?#" for c in host):
        raise ValidationError(where, f"'{text[:60]}' is not a host name or address.")
    if not port_text:
        return host, DEFAULT_PORT
    if not port_text.isdigit() or not 1 <= int(port_text) <= 65535:
        raise ValidationError(where, f"'{text[:60]}' has no valid port; use 1 to 65535.")
    return host, int(port_text)


def format_hosts(nodes: Sequence[Node]) -> str:
    return ",".join(f"[{h}]:{p}" if ":" in h else f"{h}:{p}" for h, p in nodes)


def _text(value: object) -> str:
    if isinstance(value, bytes | bytearray):
        return bytes(value).decode("utf-8", "replace")
    return str(value)


def _fetch_pairs(cursor: Any, statement: str) -> dict[str, str]:
    cursor.execute(statement)
    return {_text(name).lower(): _text(value) for name, value in cursor.fetchall()}


@dataclass(frozen=True)
class NodeCheck:
    """What the check after logging in found: a Galera node or a plain server, and why it must
    not be used (None when it may)."""

    galera: bool
    problem: str | None


def check_node(dbapi_connection: Any) -> NodeCheck:
    """Whether this server is a Galera node, and whether it is ready and synced."""
    cursor = dbapi_connection.cursor()
    try:
        variables = _fetch_pairs(
            cursor,
            "SHOW GLOBAL VARIABLES WHERE Variable_name IN ('wsrep_on', 'wsrep_provider')",
        )
        provider = variables.get("wsrep_provider", "none").strip().lower()
        if variables.get("wsrep_on", "OFF").upper() != "ON" or provider in ("", "none"):
            return NodeCheck(galera=False, problem=None)
        status = _fetch_pairs(
            cursor,
            "SHOW GLOBAL STATUS WHERE Variable_name IN "
            "('wsrep_ready', 'wsrep_local_state_comment')",
        )
    finally:
        cursor.close()
    if status.get("wsrep_ready", "OFF").upper() != "ON":
        return NodeCheck(galera=True, problem="the node is not ready (wsrep_ready is OFF)")
    state = status.get("wsrep_local_state_comment", "")
    if state != "Synced":
        return NodeCheck(galera=True,
                         problem=f"the node is not synced ({state or 'state unknown'})")
    return NodeCheck(galera=True, problem=None)


def node_problem(dbapi_connection: Any) -> str | None:
    """Why this server must not be used (a Galera node not ready or not synced); None if fine."""
    return check_node(dbapi_connection).problem


@dataclass(frozen=True)
class Placement:
    """Where a connection went: its node, and whether that node is part of a Galera cluster."""

    node: Node
    galera: bool


class NodeChooser:
    """Opens DBAPI connections to the first ready node, starting with the one that worked last.

    `connect(**params)` is the driver's connect; `not_ready(errno, message)` builds the driver
    error raised when no node is ready, so SQLAlchemy and the unit of work see a driver error.
    """

    def __init__(
        self,
        nodes: Sequence[Node],
        connect: Callable[..., Any],
        driver_error: type[Exception],
        not_ready: Callable[[str], Exception],
        *,
        avoid_seconds: float = AVOID_SECONDS,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        if not nodes:
            raise ValueError("at least one node")
        self._nodes = tuple(nodes)
        self._connect = connect
        self._driver_error = driver_error
        self._not_ready = not_ready
        self._avoid_seconds = avoid_seconds
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._preferred = 0
        self._failed_at: dict[Node, float] = {}
        self._placements: weakref.WeakKeyDictionary[Any, Placement] = \
            weakref.WeakKeyDictionary()

    @property
    def nodes(self) -> tuple[Node, ...]:
        return self._nodes

    def placement(self, connection: Any) -> Placement | None:
        """The node a connection made here went to; None for one made elsewhere."""
        with self._lock:
            return self._placements.get(connection)

    def order(self) -> list[Node]:
        """The nodes to try: from the preferred one on, recently failed ones last."""
        with self._lock:
            now = self._monotonic()
            rotated = self._nodes[self._preferred:] + self._nodes[:self._preferred]
            recent = {n for n, at in self._failed_at.items() if now - at < self._avoid_seconds}
        return [n for n in rotated if n not in recent] + [n for n in rotated if n in recent]

    def __call__(self, params: dict[str, Any]) -> Any:
        """A connection to a ready node, made with these driver parameters (host and port are
        replaced); the last node's error when none is usable."""
        last_error: Exception | None = None
        for node in self.order():
            connection = None
            try:
                connection = self._connect(**{**params, "host": node[0], "port": node[1]})
                check = check_node(connection)
            except self._driver_error as error:
                self._close(connection)
                self._mark_failed(node)
                log.warning("database node %s:%s cannot be used: %s", node[0], node[1],
                            getattr(error, "msg", type(error).__name__))
                last_error = error
                continue
            if check.problem is not None:
                self._close(connection)
                self._mark_failed(node)
                log.warning("database node %s:%s skipped: %s", node[0], node[1], check.problem)
                last_error = self._not_ready(check.problem)
                continue
            self._mark_good(node)
            with self._lock:
                self._placements[connection] = Placement(node, check.galera)
            return connection
        assert last_error is not None
        raise last_error

    def _mark_failed(self, node: Node) -> None:
        with self._lock:
            self._failed_at[node] = self._monotonic()
            if self._nodes[self._preferred] == node:
                self._preferred = (self._preferred + 1) % len(self._nodes)

    def _mark_good(self, node: Node) -> None:
        with self._lock:
            self._failed_at.pop(node, None)
            self._preferred = self._nodes.index(node)

    @staticmethod
    def _close(connection: Any) -> None:
        if connection is None:
            return
        try:
            connection.close()
        except Exception:
            log.debug("closing a skipped connection failed", exc_info=True)
