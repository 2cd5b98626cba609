"""`studentres-admin --db-hosts`: every command reaches the first node that answers."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import make_url

from tests.integration.test_cli import cli


@pytest.mark.mysql
def test_init_db_and_check_go_past_a_dead_node(mysql_url):
    url = make_url(mysql_url)
    host, port = url.host or "127.0.0.1", url.port or 3306
    nodes = f"{host}:1,{host}:{port}"  # nothing listens on port 1
    cli("init-db", "--db", mysql_url, "--db-hosts", nodes, expect=0)
    result = cli("check", "--db", mysql_url, "--db-hosts", nodes, expect=0)
    assert f"Nodes:     {host}:1,{host}:{port}  (tried in turn)" in result.stdout
    assert "Status:    OK" in result.stdout


def test_a_bad_node_list_is_named_in_one_line():
    result = cli("check", "--db", "mysql+mysqlconnector://u:p@db/x", "--db-hosts", "db1:port")
    assert result.exit_code == 1
    assert result.stderr.strip() == ("Error: --db-hosts: 'db1:port' has no valid port; "
                                     "use 1 to 65535.")
