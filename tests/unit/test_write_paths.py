"""Every service write goes through the retrying unit of work (persistence.uow.run_write).

A service that opened a unit of work itself and committed it would not be run again after a
Galera certification failure or a failover (docs/cluster.md), so the services may neither call
a unit-of-work factory directly nor commit: reads use read_with_retry, writes run_write.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SERVICES = Path(__file__).resolve().parents[2] / "studentres_desktop" / "services"


def direct_transactions(path: Path) -> list[str]:
    """Lines that commit, or call the unit-of-work factory (`self._uow()`), in one module."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if name in ("commit", "exclusive"):
            found.append(f"{path.name}:{node.lineno} calls .{name}()")
        elif name in ("_uow", "_uow_factory", "uow_factory", "UnitOfWork"):
            found.append(f"{path.name}:{node.lineno} opens a unit of work itself")
    return found


@pytest.mark.parametrize("path", sorted(SERVICES.rglob("*.py")), ids=lambda p: p.name)
def test_service_writes_go_through_the_retrying_unit_of_work(path):
    assert direct_transactions(path) == []


def test_the_check_finds_a_direct_commit(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("def f(self):\n    with self._uow() as uow:\n        uow.commit()\n")
    assert len(direct_transactions(bad)) == 2
