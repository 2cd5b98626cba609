"""A three-node MariaDB Galera cluster on loopback, for the cluster tests, the load benchmark and
`scripts/galera-cluster`.

Each node has its own data folder and its own ports (SQL, group communication, IST, SST); the
first is bootstrapped with `--wsrep-new-cluster`, the others join it by rsync SST. A node that
was killed comes back with its recovered position (`--wsrep-recover`) and catches up by IST.
It never touches the machine's main server on port 3306.
"""

from __future__ import annotations

import contextlib
import getpass
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

# Standard library only, so that scripts/galera-cluster runs with any Python 3.11.
MARIADBD = shutil.which("mariadbd") or "/usr/sbin/mariadbd"
INSTALL_DB = shutil.which("mariadb-install-db") or "/usr/bin/mariadb-install-db"
PROVIDER = Path("/usr/lib/galera/libgalera_smm.so")
CLIENT = shutil.which("mariadb") or "/usr/bin/mariadb"
STARTUP_SECONDS = 180
ADMIN_USER = "srcluster"
# The failure detector: a silent peer is suspected after 5 s and dropped after 15 s. Under load on
# a small machine these keep a busy node from being thrown out for one missed heartbeat.
PROVIDER_OPTIONS = ("evs.suspect_timeout=PT5S;evs.inactive_timeout=PT15S;"
                    "evs.inactive_check_period=PT1S;gcache.size=64M")


def missing_requirements() -> list[str]:
    """What this machine lacks to run a cluster (empty when it can)."""
    missing = []
    if not Path(MARIADBD).exists() or not Path(INSTALL_DB).exists():
        missing.append("mariadb-server")
    if not PROVIDER.exists():
        missing.append("galera-4")
    if shutil.which("rsync") is None:
        missing.append("rsync")
    if not Path(CLIENT).exists():
        missing.append("mariadb-client")
    return missing


@dataclass(frozen=True)
class NodePorts:
    sql: int
    gcomm: int
    ist: int
    sst: int


def default_ports(count: int = 3, sql: int = 3311, gcomm: int = 4571, ist: int = 4581,
                  sst: int = 4591) -> list[NodePorts]:
    return [NodePorts(sql + n, gcomm + n, ist + n, sst + n) for n in range(count)]


class ClusterError(RuntimeError):
    """The cluster did not reach the state asked for; the message holds the error log's tail."""


@dataclass
class GaleraNode:
    number: int  # 1-based, as people count nodes
    ports: NodePorts
    folder: Path
    cluster_address: str
    password: str
    cluster_name: str = "studentres"
    buffer_pool: str = "64M"
    wsrep: bool = True  # False: a plain server with the same settings, for comparisons
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    @property
    def data(self) -> Path:
        return self.folder / "data"

    @property
    def socket_path(self) -> Path:
        return self.folder / "mysqld.sock"

    @property
    def error_log(self) -> Path:
        return self.folder / "error.log"

    @property
    def pid_file(self) -> Path:
        return self.folder / "mysqld.pid"

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.ports.sql}"

    def url(self, database: str = "", *, user: str = ADMIN_USER,
            password: str | None = None) -> str:
        secret = self.password if password is None else password
        return (f"mysql+mysqlconnector://{user}:{secret}@127.0.0.1:{self.ports.sql}/{database}"
                "?charset=utf8mb4&collation=utf8mb4_unicode_ci")

    # --- life cycle --------------------------------------------------------------------------

    def install(self) -> None:
        self.data.mkdir(parents=True, exist_ok=True)
        _own(self.folder)
        socket_user = [] if os.geteuid() == 0 else [f"--auth-root-socket-user={getpass.getuser()}"]
        subprocess.run(
            [INSTALL_DB, "--no-defaults", *_run_as(), f"--datadir={self.data}",
             "--auth-root-authentication-method=socket", *socket_user, "--skip-test-db"],
            check=True, capture_output=True, timeout=STARTUP_SECONDS,
        )

    def server_arguments(self) -> list[str]:
        ports = self.ports
        return [
            MARIADBD, "--no-defaults", *_run_as(), f"--datadir={self.data}",
            f"--socket={self.socket_path}", f"--pid-file={self.pid_file}",
            f"--log-error={self.error_log}", f"--port={ports.sql}",
            "--bind-address=127.0.0.1", "--skip-name-resolve",
            f"--innodb-buffer-pool-size={self.buffer_pool}", "--max-connections=600",
            "--innodb-flush-log-at-trx-commit=2", "--skip-log-bin",
            "--binlog-format=ROW", "--innodb-autoinc-lock-mode=2",
            "--default-storage-engine=InnoDB",
        ] + ([] if not self.wsrep else [
            "--wsrep-on=ON", f"--wsrep-provider={PROVIDER}",
            f"--wsrep-cluster-name={self.cluster_name}",
            f"--wsrep-cluster-address={self.cluster_address}",
            f"--wsrep-node-name=node{self.number}",
            f"--wsrep-node-address=127.0.0.1:{ports.gcomm}",
            f"--wsrep-provider-options=gmcast.listen_addr=tcp://127.0.0.1:{ports.gcomm};"
            f"ist.recv_addr=127.0.0.1:{ports.ist};{PROVIDER_OPTIONS}",
            f"--wsrep-sst-receive-address=127.0.0.1:{ports.sst}",
            "--wsrep-sst-method=rsync",
        ])

    def start(self, *, bootstrap: bool = False, detach: bool = False) -> None:
        """Start and wait until the node is Synced. A node that has run before starts from the
        position it recovers from its own data, so it can catch up by IST."""
        if self.running():
            return
        _check_free(self.ports)
        arguments = self.server_arguments()
        if bootstrap:
            arguments.append("--wsrep-new-cluster")
        elif (self.data / "grastate.dat").exists():
            position = self.recover_position()
            if position:
                arguments.append(f"--wsrep-start-position={position}")
        self.process = subprocess.Popen(arguments, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL, start_new_session=detach)
        self.wait_until(self._ready, "ready")

    def _ready(self, status: dict[str, str]) -> bool:
        if not self.wsrep:
            return bool(status)
        return status.get("wsrep_local_state_comment") == "Synced" \
            and status.get("wsrep_ready") == "ON"

    def recover_position(self) -> str | None:
        """The last committed position in the node's own data, as `uuid:seqno`."""
        recover_log = self.folder / "recover.log"
        recover_log.unlink(missing_ok=True)
        arguments = [a if not a.startswith("--log-error=") else f"--log-error={recover_log}"
                     for a in self.server_arguments()]
        subprocess.run([*arguments, "--wsrep-recover"], check=False, capture_output=True,
                       timeout=STARTUP_SECONDS)
        found = re.findall(r"Recovered position: ([0-9a-f-]{36}:-?\d+)",
                           recover_log.read_text(errors="replace") if recover_log.exists()
                           else "")
        return found[-1] if found else None

    def kill(self) -> None:
        """SIGKILL: no goodbye to the other nodes, as when a machine loses power."""
        pid = self.pid()
        if pid is None:
            return
        os.kill(pid, signal.SIGKILL)
        self._reap(pid)

    def stop(self) -> None:
        """A clean shutdown: the node leaves the cluster and the others keep a primary view."""
        pid = self.pid()
        if pid is None:
            return
        os.kill(pid, signal.SIGTERM)
        self._reap(pid)

    def _reap(self, pid: int) -> None:
        if self.process is not None and self.process.pid == pid:
            self.process.wait(timeout=STARTUP_SECONDS)
            self.process = None
            return
        deadline = time.monotonic() + STARTUP_SECONDS
        while _alive(pid):
            if time.monotonic() > deadline:
                raise ClusterError(f"node{self.number} (pid {pid}) did not stop")
            time.sleep(0.1)

    def pid(self) -> int | None:
        if self.process is not None:
            return self.process.pid if self.process.poll() is None else None
        try:
            pid = int(self.pid_file.read_text().strip())
        except (OSError, ValueError):
            return None
        return pid if _alive(pid) else None

    def running(self) -> bool:
        return self.pid() is not None

    # --- inspection and SQL ------------------------------------------------------------------

    def sql(self, statement: str, *, database: str = "") -> list[list[str]]:
        """Run SQL as the node's local administrator over its socket; rows as lists of text."""
        user = "root" if os.geteuid() == 0 else getpass.getuser()
        result = subprocess.run(
            [CLIENT, "--no-defaults", f"--socket={self.socket_path}", f"--user={user}",
             "--batch", "--skip-column-names", "--raw", f"--execute={statement}",
             *([database] if database else [])],
            capture_output=True, text=True, timeout=60, check=False,
        )
        if result.returncode != 0:
            raise ClusterError(f"node{self.number}: {result.stderr.strip()}")
        return [line.split("\t") for line in result.stdout.splitlines()]

    def status(self) -> dict[str, str]:
        """The node's wsrep status variables, or an empty dict when it does not answer."""
        if not self.running():
            return {}
        try:
            rows = self.sql("SHOW GLOBAL STATUS WHERE Variable_name LIKE 'wsrep%'"
                            " OR Variable_name = 'Uptime'")
        except (ClusterError, subprocess.TimeoutExpired):
            return {}
        return {row[0].lower(): row[1] if len(row) > 1 else "" for row in rows}

    def wait_until(self, condition: Callable[[dict[str, str]], bool], what: str,
                   timeout: float = STARTUP_SECONDS) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise ClusterError(f"node{self.number} stopped: {_tail(self.error_log)}")
            if condition(self.status()):
                return
            time.sleep(0.2)
        raise ClusterError(f"node{self.number} not {what} within {timeout:.0f} s: "
                           f"{_tail(self.error_log)}")

    def isolate(self, isolated: bool = True) -> None:
        """Cut the node off from the group (it keeps taking connections but is not ready)."""
        self.sql(f"SET GLOBAL wsrep_provider_options='gmcast.isolate={int(isolated)}'")
        if isolated:
            self.wait_until(lambda status: status.get("wsrep_ready") == "OFF", "isolated", 60)
        else:
            # Leaving isolation the node reconnects to its peers on its own.
            self.wait_until(lambda status: status.get("wsrep_local_state_comment") == "Synced"
                            and status.get("wsrep_ready") == "ON", "Synced", 60)


@dataclass
class GaleraCluster:
    folder: Path
    nodes: list[GaleraNode]
    password: str

    @classmethod
    def create(cls, folder: Path, *, ports: Sequence[NodePorts] | None = None,
               password: str | None = None, buffer_pool: str = "64M") -> GaleraCluster:
        ports = list(ports or default_ports())
        secret = password or f"galera-{os.urandom(8).hex()}"
        address = "gcomm://" + ",".join(f"127.0.0.1:{p.gcomm}" for p in ports)
        nodes = [GaleraNode(n + 1, p, folder / f"node{n + 1}", address, secret,
                            buffer_pool=buffer_pool) for n, p in enumerate(ports)]
        return cls(folder, nodes, secret)

    @property
    def hosts(self) -> list[str]:
        return [node.host for node in self.nodes]

    def start(self, *, detach: bool = False) -> None:
        """Install every node's data, bootstrap the first, add the account, join the others."""
        self.folder.mkdir(parents=True, exist_ok=True)
        _own(self.folder)
        for node in self.nodes:
            if not (node.data / "mysql").exists():
                node.install()
        first = self._bootstrap_node()
        others = [node for node in self.nodes if node is not first]
        first.start(bootstrap=True, detach=detach)
        first.sql(
            "DELETE FROM mysql.global_priv WHERE User='';"  # the anonymous accounts
            f"CREATE USER IF NOT EXISTS '{ADMIN_USER}'@'127.0.0.1' IDENTIFIED VIA "
            f"mysql_native_password USING PASSWORD('{self.password}');"
            f"GRANT ALL PRIVILEGES ON *.* TO '{ADMIN_USER}'@'127.0.0.1' WITH GRANT OPTION;"
            "FLUSH PRIVILEGES;"
        )
        for node in others:
            node.start(detach=detach)
        self.wait_for_size(len(self.nodes))
        (self.folder / "cluster.json").write_text(json.dumps(self.describe()), encoding="utf-8")

    def _bootstrap_node(self) -> GaleraNode:
        """The node to start a new primary component from: after a clean stop of the whole
        cluster, the one that left last (Galera marks it safe_to_bootstrap)."""
        for node in self.nodes:
            state = node.data / "grastate.dat"
            if state.exists() and "safe_to_bootstrap: 1" in state.read_text(errors="replace"):
                return node
        return self.nodes[0]

    def stop(self) -> None:
        """Stop every node cleanly, the bootstrap node last."""
        for node in reversed(self.nodes):
            node.stop()

    def running_nodes(self) -> list[GaleraNode]:
        return [node for node in self.nodes if node.running()]

    def wait_for_size(self, size: int, timeout: float = STARTUP_SECONDS) -> None:
        """Wait until every running node is Synced in a primary component of `size` nodes."""
        for node in self.running_nodes():
            node.wait_until(lambda status: status.get("wsrep_cluster_size") == str(size)
                            and status.get("wsrep_cluster_status") == "Primary"
                            and status.get("wsrep_local_state_comment") == "Synced",
                            f"in a primary cluster of {size}", timeout)

    def heal(self) -> None:
        """Bring every node back: out of isolation, restarted, all Synced."""
        for node in self.running_nodes():
            if node.status().get("wsrep_ready") != "ON":
                node.isolate(False)
        if not self.running_nodes():
            self._bootstrap_node().start(bootstrap=True)
        for node in self.nodes:
            node.start()
        self.wait_for_size(len(self.nodes))

    def checksums(self, database: str) -> dict[int, dict[str, str]]:
        """Per running node: CHECKSUM TABLE of every table in `database`."""
        result: dict[int, dict[str, str]] = {}
        for node in self.running_nodes():
            tables = [row[0] for row in node.sql("SHOW TABLES", database=database)]
            if not tables:
                result[node.number] = {}
                continue
            rows = node.sql("CHECKSUM TABLE " + ", ".join(f"`{t}`" for t in tables),
                            database=database)
            result[node.number] = {row[0].split(".", 1)[1]: row[1] for row in rows}
        return result

    def describe(self) -> dict[str, object]:
        return {
            "folder": str(self.folder),
            "password": self.password,
            "nodes": [{"number": n.number, "sql": n.ports.sql, "gcomm": n.ports.gcomm,
                       "ist": n.ports.ist, "sst": n.ports.sst} for n in self.nodes],
        }

    @classmethod
    def load(cls, folder: Path) -> GaleraCluster:
        """The cluster described in `folder`/cluster.json (one started earlier, maybe detached)."""
        description = json.loads((folder / "cluster.json").read_text(encoding="utf-8"))
        ports = [NodePorts(n["sql"], n["gcomm"], n["ist"], n["sst"])
                 for n in description["nodes"]]
        return cls.create(folder, ports=ports, password=description["password"])


@contextlib.contextmanager
def plain_server(port: int = 3314, *, buffer_pool: str = "64M") -> Iterator[GaleraNode]:
    """One private mariadbd without Galera (same settings otherwise), stopped and removed after."""
    folder = Path(tempfile.mkdtemp(prefix="srtest-plain-"))
    node = GaleraNode(1, NodePorts(port, 0, 0, 0), folder / "node1", "", "",
                      buffer_pool=buffer_pool, wsrep=False)
    node.password = f"plain-{os.urandom(8).hex()}"
    try:
        _own(folder)
        node.install()
        node.start()
        node.sql(
            "DELETE FROM mysql.global_priv WHERE User='';"
            f"CREATE USER '{ADMIN_USER}'@'127.0.0.1' IDENTIFIED VIA mysql_native_password "
            f"USING PASSWORD('{node.password}');"
            f"GRANT ALL PRIVILEGES ON *.* TO '{ADMIN_USER}'@'127.0.0.1' WITH GRANT OPTION;"
            "FLUSH PRIVILEGES;"
        )
        yield node
    finally:
        with contextlib.suppress(ClusterError, OSError, subprocess.TimeoutExpired):
            node.stop()
        shutil.rmtree(folder, ignore_errors=True)


@contextlib.contextmanager
def galera_cluster(*, ports: Sequence[NodePorts] | None = None,
                   buffer_pool: str = "64M") -> Iterator[GaleraCluster]:
    """Start a cluster in a temporary folder, yield it, stop it and remove the folder."""
    # Not pytest's tmp_path: mariadbd runs as `mysql` and must enter the folder.
    folder = Path(tempfile.mkdtemp(prefix="srtest-galera-"))
    cluster = GaleraCluster.create(folder, ports=ports, buffer_pool=buffer_pool)
    try:
        cluster.start()
        yield cluster
    finally:
        for node in cluster.nodes:
            with contextlib.suppress(ClusterError, OSError, subprocess.TimeoutExpired):
                node.stop()
        for node in cluster.nodes:  # one that would not stop cleanly
            with contextlib.suppress(OSError, subprocess.TimeoutExpired):
                node.kill()
        shutil.rmtree(folder, ignore_errors=True)


def _run_as() -> list[str]:
    return ["--user=mysql"] if os.geteuid() == 0 else []


def _own(folder: Path) -> None:
    if os.geteuid() != 0:
        return
    shutil.chown(folder, "mysql", "mysql")
    for path in folder.rglob("*"):
        with contextlib.suppress(OSError):
            shutil.chown(path, "mysql", "mysql")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A killed child stays a zombie until reaped; it is gone for our purposes.
    with contextlib.suppress(OSError):
        stat = Path(f"/proc/{pid}/stat").read_text()
        return stat.rsplit(")", 1)[1].split()[0] != "Z"
    return True


def _check_free(ports: NodePorts) -> None:
    for port in (p for p in (ports.sql, ports.gcomm, ports.ist, ports.sst) if p):
        with socket.socket() as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                raise ClusterError(f"port {port} on 127.0.0.1 is in use; is another cluster "
                                   "running? (scripts/galera-cluster status)") from None


def _tail(path: Path) -> str:
    try:
        return " | ".join(path.read_text(errors="replace").splitlines()[-8:])
    except OSError:
        return "(no error log)"
