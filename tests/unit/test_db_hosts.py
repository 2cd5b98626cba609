"""Several database servers: where the list comes from, bad lists named by field, and which node
a new connection goes to (ready ones, the last good one first)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from studentres_desktop.app import parse_args
from studentres_desktop.cli import main as admin
from studentres_desktop.config import load_config
from studentres_desktop.domain.errors import ValidationError
from studentres_desktop.persistence.engine import DatabaseSettings, create_database_engine
from studentres_desktop.persistence.nodes import NodeChooser, node_problem, parse_hosts

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
        elif "SESSION VARIABLES" in statement:
            self._rows = [("wsrep_on", self._server.variables.get("wsrep_on", "OFF"))]
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


def test_the_first_ready_node_is_used_and_causal_reads_are_switched_on():
    cluster = Cluster(db1=FakeServer(ready=False), db2=FakeServer(up=False), db3=FakeServer())
    assert cluster.chooser()(dict(PARAMS)) is cluster.servers["db3"]
    assert cluster.tries == ["db1", "db2", "db3"]
    assert cluster.servers["db1"].closed == 1  # the node that is not ready is let go
    assert "SET SESSION wsrep_sync_wait = 1" in cluster.servers["db3"].statements


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
