"""Several database servers: where the list comes from, bad lists named by field, which node
a new connection goes to (ready ones, the last good one first), and how a read on another node
sees this workstation's writes (a GTID wait, only when needed)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from studentres_desktop.app import parse_args
from studentres_desktop.cli import main as admin
from studentres_desktop.config import load_config
from studentres_desktop.domain.errors import ValidationError
from studentres_desktop.persistence.engine import DatabaseSettings, create_database_engine
from studentres_desktop.persistence.gtids import CAUSAL_LAST_SEEN, ReadYourWrites
from studentres_desktop.persistence.nodes import NodeChooser, Placement, node_problem, parse_hosts

URL = "mysql+mysqlconnector://app:pw@db.example.edu:3306/studentres"


def config_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


# --- where the list comes from ------------------------------------------------------------------


def test_hosts_from_the_config_file(tmp_path):
    path = config_file(tmp_path, f'[database]\nurl = "{URL}"\n'
                                 'hosts = ["db1:3306", "db2:3307", "db3"]\n')
    config = load_config(environ={}, config_file=path)
    assert config.database.hosts == (("db1", 3306), ("db2", 3307), ("db3", 3306))
    assert "db2:3307" in repr(config.database) and "pw" not in repr(config.database)


def test_hosts_in_the_url_and_on_the_command_line_come_first(tmp_path):
    path = config_file(tmp_path, '[database]\nhosts = ["db1:3306"]\n')
    from_url = load_config(f"{URL}?hosts=db7:3306,db8:3306", environ={}, config_file=path)
    assert from_url.database.hosts == (("db7", 3306), ("db8", 3306))
    from_cli = load_config(f"{URL}?hosts=db7:3306", environ={}, config_file=path,
                           db_hosts="db4:3306, [::1]:3310")
    assert from_cli.database.hosts == (("db4", 3306), ("::1", 3310))
    assert load_config(URL, environ={}, config_file=tmp_path / "none.toml").database.hosts == ()


def test_the_app_and_studentres_admin_take_db_hosts():
    assert parse_args(["--db-hosts", "db1:3306,db2:3306"]).db_hosts == "db1:3306,db2:3306"
    result = CliRunner().invoke(admin, ["check", "--db", "sqlite:///x.sqlite3",
                                        "--db-hosts", "db1:3306"])
    assert result.exit_code == 1
    assert "--db-hosts: applies to MySQL/MariaDB servers only" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize(("toml", "field", "problem"), [
    ('hosts = "db1:3306"', "database.hosts", None),  # a string in the file is accepted too
    ("hosts = 3306", "database.hosts", "must be a list"),
    ("hosts = []", "database.hosts", "at least one host"),
    ('hosts = ["db1:99999"]', "database.hosts", "no valid port"),
    ('hosts = ["db1:http"]', "database.hosts", "no valid port"),
    ('hosts = ["db1", "db1:3306"]', "database.hosts", "twice"),
    ('hosts = ["user@db1"]', "database.hosts", "not a host name"),
    ("hosts = [1, 2]", "database.hosts", "must be text"),
])
def test_a_bad_list_in_the_file_is_named(tmp_path, toml, field, problem):
    path = config_file(tmp_path, f'[database]\nurl = "{URL}"\n{toml}\n')
    if problem is None:
        assert load_config(environ={}, config_file=path).database.hosts == (("db1", 3306),)
        return
    with pytest.raises(ValidationError) as raised:
        load_config(environ={}, config_file=path)
    assert raised.value.field.endswith(field)
    assert problem in raised.value.message


def test_bad_hosts_in_the_url_or_on_the_command_line_are_named(tmp_path):
    none = tmp_path / "none.toml"
    with pytest.raises(ValidationError) as raised:
        load_config(f"{URL}?hosts=db1:0", environ={}, config_file=none)
    assert "?hosts=" in raised.value.field and "port" in raised.value.message
    with pytest.raises(ValidationError) as raised:
        load_config(URL, environ={}, config_file=none, db_hosts=" , ")
    assert raised.value.field == "--db-hosts"


def test_too_many_hosts_are_refused():
    with pytest.raises(ValidationError, match="at most"):
        parse_hosts([f"db{n}" for n in range(40)], "hosts")


def test_the_hosts_parameter_is_not_passed_to_the_driver():
    engine = create_database_engine(DatabaseSettings(f"{URL}?hosts=db1:3306,db2:3306"))
    try:
        assert "hosts" not in engine.url.query
    finally:
        engine.dispose()


# --- which node a connection goes to ------------------------------------------------------------


class FakeDriverError(Exception):
    def __init__(self, msg: str = "", errno: int = -1) -> None:
        super().__init__(msg)
        self.msg, self.errno = msg, errno


class FakeCursor:
    def __init__(self, server: FakeServer) -> None:
        self._server, self._rows = server, []

    def execute(self, statement: str) -> None:
        self._server.statements.append(statement)
        if "GLOBAL VARIABLES" in statement:
            self._rows = list(self._server.variables.items())
        elif "GLOBAL STATUS" in statement:
            self._rows = list(self._server.status.items())
        elif "WSREP_LAST_WRITTEN_GTID" in statement:
            self._rows = [(self._server.written,)]
        elif "WSREP_SYNC_WAIT_UPTO_GTID" in statement:
            if self._server.lagging:
                raise FakeDriverError("Lock wait timeout exceeded", 1205)
            self._rows = [("1", self._server.seen)]
        elif "WSREP_LAST_SEEN_GTID" in statement:
            self._rows = [(self._server.seen,)]
        else:
            self._rows = []

    def fetchall(self) -> list[tuple[str, str]]:
        return self._rows

    def close(self) -> None:
        pass


class FakeServer:
    def __init__(self, *, up: bool = True, galera: bool = True, ready: bool = True,
                 state: str = "Synced") -> None:
        self.up = up
        self.variables = ({"wsrep_on": "ON", "wsrep_provider": "/usr/lib/galera/libgalera.so"}
                          if galera else {"wsrep_on": "OFF", "wsrep_provider": "none"})
        self.status = {"wsrep_ready": "ON" if ready else "OFF",
                       "wsrep_local_state_comment": state}
        self.statements: list[str] = []
        self.closed = 0
        # GTIDs as the driver returns them: bytes
        self.written = self.seen = b"0-1-0"
        self.lagging = False

    def cursor(self) -> FakeCursor:
        return FakeCursor(self)

    def close(self) -> None:
        self.closed += 1


class Cluster:
    def __init__(self, **servers: FakeServer) -> None:
        self.servers = servers
        self.tries: list[str] = []
        self.now = 0.0

    def connect(self, **params: object) -> FakeServer:
        host = str(params["host"])
        assert params["user"] == "app"  # the other parameters are passed through
        self.tries.append(host)
        server = self.servers[host]
        if not server.up:
            raise FakeDriverError("Can't connect", 2003)
        return server

    def chooser(self) -> NodeChooser:
        return NodeChooser([(name, 3306) for name in self.servers], self.connect, FakeDriverError,
                           lambda problem: FakeDriverError(problem, 1047),
                           monotonic=lambda: self.now)


PARAMS = {"user": "app", "host": "ignored", "port": 1}


def test_a_plain_server_without_galera_is_ready():
    assert node_problem(FakeServer(galera=False, ready=False)) is None


@pytest.mark.parametrize(("server", "problem"), [
    (FakeServer(ready=False), "wsrep_ready is OFF"),
    (FakeServer(state="Donor/Desynced"), "not synced (Donor/Desynced)"),
    (FakeServer(), None),
])
def test_a_galera_node_must_be_ready_and_synced(server, problem):
    found = node_problem(server)
    assert found == problem or (problem is not None and found is not None and problem in found)


def test_the_first_ready_node_is_used_and_its_reads_do_not_wait_for_the_cluster():
    cluster = Cluster(db1=FakeServer(ready=False), db2=FakeServer(up=False), db3=FakeServer())
    chooser = cluster.chooser()
    assert chooser(dict(PARAMS)) is cluster.servers["db3"]
    assert cluster.tries == ["db1", "db2", "db3"]
    assert cluster.servers["db1"].closed == 1  # the node that is not ready is let go
    assert chooser.placement(cluster.servers["db3"]) == Placement(("db3", 3306), galera=True)
    assert not any("wsrep_sync_wait" in s for s in cluster.servers["db3"].statements)
    assert chooser.placement(cluster.servers["db1"]) is None


def test_a_plain_server_is_placed_as_not_galera():
    cluster = Cluster(db1=FakeServer(galera=False))
    chooser = cluster.chooser()
    chooser(dict(PARAMS))
    assert chooser.placement(cluster.servers["db1"]) == Placement(("db1", 3306), galera=False)


def test_the_node_that_worked_is_tried_first_and_a_failed_one_last():
    cluster = Cluster(db1=FakeServer(), db2=FakeServer(), db3=FakeServer())
    chooser = cluster.chooser()
    chooser(dict(PARAMS))
    cluster.servers["db1"].up = False
    chooser(dict(PARAMS))
    assert cluster.tries == ["db1", "db1", "db2"]
    cluster.servers["db1"].up = True
    cluster.tries.clear()
    chooser(dict(PARAMS))
    assert cluster.tries == ["db2"]  # the last good node, not the first in the list
    cluster.servers["db2"].up = False
    cluster.tries.clear()
    chooser(dict(PARAMS))
    assert cluster.tries == ["db2", "db3"]  # db1 failed recently: it comes last
    cluster.now += 60
    assert chooser.order()[-1] == ("db2", 3306)


def test_without_a_usable_node_the_last_error_is_raised():
    cluster = Cluster(db1=FakeServer(up=False), db2=FakeServer(ready=False))
    with pytest.raises(FakeDriverError) as raised:
        cluster.chooser()(dict(PARAMS))
    assert raised.value.errno == 1047


# --- reading one's own writes on another node ---------------------------------------------------

DB1, DB2, DB3 = ("db1", 3306), ("db2", 3306), ("db3", 3306)


def gtid_waits(server: FakeServer) -> list[str]:
    return [s for s in server.statements if "GTID" in s]


def wrote(tracker: ReadYourWrites, server: FakeServer, node: tuple[str, int], gtid: bytes) -> None:
    server.written = server.seen = gtid
    tracker.after_commit(server, node)


def test_a_write_costs_one_statement_and_reads_on_its_node_none():
    tracker, db1 = ReadYourWrites(FakeDriverError), FakeServer()
    tracker.before_use(db1, DB1)  # nothing written yet
    wrote(tracker, db1, DB1, b"0-1-7")
    tracker.before_use(db1, DB1)
    tracker.before_use(db1, DB1)
    assert db1.statements == ["SELECT WSREP_LAST_WRITTEN_GTID()"]


def test_another_node_waits_once_for_the_last_write():
    tracker, db1, db2 = ReadYourWrites(FakeDriverError), FakeServer(), FakeServer()
    wrote(tracker, db1, DB1, b"0-1-6")
    wrote(tracker, db1, DB1, b"0-1-7")
    db2.seen = b"0-1-9"
    tracker.before_use(db2, DB2)
    tracker.before_use(db2, DB2)  # the node is known to have it now
    assert db2.statements == [
        "SELECT WSREP_SYNC_WAIT_UPTO_GTID('0-1-7', 5), WSREP_LAST_SEEN_GTID()"]
    wrote(tracker, db1, DB1, b"0-1-10")
    db2.seen = b"0-1-10"
    tracker.before_use(db2, DB2)  # a newer write: one more wait
    assert len(gtid_waits(db2)) == 2


def test_a_node_that_wrote_later_has_applied_the_earlier_write():
    tracker, db1, db2 = ReadYourWrites(FakeDriverError), FakeServer(), FakeServer()
    wrote(tracker, db1, DB1, b"0-1-7")
    wrote(tracker, db2, DB2, b"0-1-8")
    tracker.before_use(db2, DB2)
    db1.statements.clear()
    db1.seen = b"0-1-8"
    tracker.before_use(db1, DB1)  # db1 is known to have 7, not 8: it waits
    assert db2.statements == ["SELECT WSREP_LAST_WRITTEN_GTID()"]
    assert gtid_waits(db1) == [
        "SELECT WSREP_SYNC_WAIT_UPTO_GTID('0-1-8', 5), WSREP_LAST_SEEN_GTID()"]


def test_a_node_that_does_not_catch_up_in_time_waits_for_the_cluster_instead():
    tracker, db1, db2 = ReadYourWrites(FakeDriverError), FakeServer(), FakeServer()
    wrote(tracker, db1, DB1, b"0-1-7")
    db2.lagging, db2.seen = True, b"0-1-8"
    tracker.before_use(db2, DB2)
    assert db2.statements[-1] == CAUSAL_LAST_SEEN
    db2.statements.clear()
    tracker.before_use(db2, DB2)  # the causal read showed 0-1-8 applied there
    assert db2.statements == []


def test_a_node_whose_gtids_are_not_comparable_waits_for_the_cluster():
    tracker, db1, db2 = ReadYourWrites(FakeDriverError), FakeServer(), FakeServer()
    wrote(tracker, db1, DB1, b"0-1-7")
    db2.seen = b"5-2-900"  # the wait returns at once for another stream: it proves nothing
    tracker.before_use(db2, DB2)
    assert db2.statements[-1] == CAUSAL_LAST_SEEN


def test_a_write_whose_gtid_is_lost_makes_the_next_other_node_wait_for_the_cluster():
    tracker, db1, db2, db3 = (ReadYourWrites(FakeDriverError), FakeServer(), FakeServer(),
                              FakeServer())
    wrote(tracker, db1, DB1, b"0-1-7")
    db1.written = None  # stands for a connection that died right after its COMMIT
    db1.cursor = lambda: (_ for _ in ()).throw(FakeDriverError("Lost connection", 2013))
    with pytest.raises(FakeDriverError):
        tracker.after_commit(db1, DB1)
    db2.seen = b"0-1-8"
    tracker.before_use(db2, DB2)
    assert db2.statements == [CAUSAL_LAST_SEEN]
    db3.seen = b"0-1-8"
    tracker.before_use(db3, DB3)  # waits for what db2 had applied, by GTID
    assert db3.statements == [
        "SELECT WSREP_SYNC_WAIT_UPTO_GTID('0-1-8', 5), WSREP_LAST_SEEN_GTID()"]


def test_other_driver_errors_of_the_wait_propagate():
    tracker, db1, db2 = ReadYourWrites(FakeDriverError), FakeServer(), FakeServer()
    wrote(tracker, db1, DB1, b"0-1-7")
    db2.cursor = lambda: (_ for _ in ()).throw(FakeDriverError("Lost connection", 2013))
    with pytest.raises(FakeDriverError):
        tracker.before_use(db2, DB2)
