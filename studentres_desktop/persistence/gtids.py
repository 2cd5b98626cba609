"""Read-your-writes on a Galera cluster through GTIDs, without making every read wait for the
cluster.

After a write commits on a Galera node, the app asks that connection for the write's GTID
(`WSREP_LAST_WRITTEN_GTID()`, one statement per write). A connection checked out on another node
that is not yet known to have applied that GTID first waits until its own node has applied it
(`WSREP_SYNC_WAIT_UPTO_GTID`), once; then it and every later connection to that node go
straight to their reads. That wait is for local apply only: unlike `wsrep_sync_wait`, it needs
no round through the group, so a cluster stalled by a member that died (`evs.suspect_timeout`)
does not hold it up. See docs/cluster.md.

The GTIDs of Galera write sets are the same on every node (the cluster's domain and server id,
and a sequence number in the cluster's commit order), with or without `wsrep_gtid_mode`.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from dataclasses import dataclass
from typing import Any

from studentres_desktop.persistence.nodes import Node

log = logging.getLogger(__name__)

# How long a node may take to apply a write before its reads wait for the cluster instead.
GTID_WAIT_SECONDS = 5
# What WSREP_SYNC_WAIT_UPTO_GTID raises when the node did not apply the GTID in time.
LOCK_WAIT_TIMEOUT = 1205
# The fallback: one read that waits for the cluster (a group round), as wsrep_sync_wait = 1 does,
# and tells what the node has applied then.
CAUSAL_LAST_SEEN = "SET STATEMENT wsrep_sync_wait = 1 FOR SELECT WSREP_LAST_SEEN_GTID()"

_GTID = re.compile(r"(\d+)-(\d+)-(\d+)")


@dataclass(frozen=True)
class Gtid:
    """domain-server-seqno; one cluster's write sets share domain and server."""

    domain: int
    server: int
    seqno: int

    @classmethod
    def parse(cls, value: object) -> Gtid | None:
        if isinstance(value, bytes | bytearray):
            value = bytes(value).decode("ascii", "replace")
        found = _GTID.fullmatch(value.strip()) if isinstance(value, str) else None
        return cls(int(found[1]), int(found[2]), int(found[3])) if found else None

    def same_stream(self, other: Gtid) -> bool:
        return (self.domain, self.server) == (other.domain, other.server)

    def covers(self, other: Gtid) -> bool:
        """Whether a node that has applied this GTID has applied `other` too."""
        return self.same_stream(other) and self.seqno >= other.seqno

    def __str__(self) -> str:
        return f"{self.domain}-{self.server}-{self.seqno}"


def _newer(known: Gtid | None, new: Gtid) -> Gtid:
    """The later of two GTIDs; a GTID of another stream (the cluster was set up anew) wins."""
    return known if known is not None and known.covers(new) else new


def _first_row(dbapi_connection: Any, statement: str) -> tuple[Any, ...]:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(statement)
        rows = cursor.fetchall()
    finally:
        cursor.close()
    return tuple(rows[0]) if rows else ()


class ReadYourWrites:
    """This workstation's newest write and what each node is known to have applied; one per
    engine, shared by its threads. `driver_error` is the driver's base error class."""

    def __init__(self, driver_error: type[Exception], *,
                 wait_seconds: int = GTID_WAIT_SECONDS) -> None:
        self._driver_error = driver_error
        self._wait_seconds = wait_seconds
        self._lock = threading.Lock()
        self._written: Gtid | None = None
        self._applied: dict[Node, Gtid] = {}
        # Writes acknowledged whose GTID could not be read afterwards: how many, how many of
        # them a wait for the cluster has covered since, and the node of the last one.
        self._unknown_writes = 0
        self._covered_unknown = 0
        self._unknown_node: Node | None = None

    def after_commit(self, dbapi_connection: Any, node: Node) -> None:
        """Learn the GTID of the write this connection just committed on `node` (one
        statement). A driver error propagates, after the write is noted as one of unknown GTID."""
        try:
            gtid = Gtid.parse(next(iter(_first_row(dbapi_connection,
                                                   "SELECT WSREP_LAST_WRITTEN_GTID()")), None))
        except self._driver_error:
            self._note_unknown_write(node)
            raise
        if gtid is None:
            log.warning("node %s:%s gave no GTID for a write", *node)
            self._note_unknown_write(node)
            return
        with self._lock:
            self._written = _newer(self._written, gtid)
            # Galera commits in the cluster's order: this node has applied every earlier GTID.
            self._applied[node] = _newer(self._applied.get(node), gtid)

    def before_use(self, dbapi_connection: Any, node: Node) -> None:
        """Make sure `node` has applied this workstation's writes before this connection is
        used; sends nothing when it is known to have."""
        with self._lock:
            written, applied = self._written, self._applied.get(node)
            # A write of unknown GTID that no wait for the cluster has covered, made elsewhere.
            unknown_elsewhere = self._unknown_writes > self._covered_unknown \
                and self._unknown_node != node
        if unknown_elsewhere:
            log.info("a write's GTID is unknown; waiting for the cluster on %s:%s", *node)
            self._wait_for_cluster(dbapi_connection, node)
        elif written is not None and (applied is None or not applied.covers(written)):
            self._wait_for_gtid(dbapi_connection, node, written)

    def _wait_for_gtid(self, dbapi_connection: Any, node: Node, written: Gtid) -> None:
        started = time.monotonic()
        try:
            row = _first_row(dbapi_connection, f"SELECT WSREP_SYNC_WAIT_UPTO_GTID('{written}', "
                                               f"{self._wait_seconds}), WSREP_LAST_SEEN_GTID()")
        except self._driver_error as error:
            if getattr(error, "errno", None) != LOCK_WAIT_TIMEOUT:
                raise
            log.warning("node %s:%s has not applied %s within %d s; waiting for the cluster",
                        *node, written, self._wait_seconds)
            self._wait_for_cluster(dbapi_connection, node)
            return
        seen = Gtid.parse(row[1] if len(row) > 1 else None)
        if seen is None or not seen.covers(written):
            # The function returns at once for a GTID of another stream: no proof of anything.
            log.warning("node %s:%s is at GTID %s, which does not show %s applied; waiting for "
                        "the cluster", *node, seen, written)
            self._wait_for_cluster(dbapi_connection, node)
            return
        with self._lock:
            self._applied[node] = _newer(self._applied.get(node), seen)
        log.debug("node %s:%s has applied %s (GTID wait: %.1f ms)", *node, written,
                  (time.monotonic() - started) * 1000)

    def _note_unknown_write(self, node: Node) -> None:
        with self._lock:
            self._unknown_writes += 1
            self._unknown_node = node

    def _wait_for_cluster(self, dbapi_connection: Any, node: Node) -> None:
        with self._lock:
            unknown_before = self._unknown_writes
        seen = Gtid.parse(next(iter(_first_row(dbapi_connection, CAUSAL_LAST_SEEN)), None))
        if seen is None:
            return
        with self._lock:
            # The node has now applied everything the cluster committed before this statement:
            # every write of this workstation acknowledged by then, even one of unknown GTID.
            self._applied[node] = _newer(self._applied.get(node), seen)
            written = self._written
            if unknown_before > self._covered_unknown or written is None \
                    or not written.same_stream(seen):
                self._written = _newer(written, seen)
                self._covered_unknown = max(self._covered_unknown, unknown_before)
