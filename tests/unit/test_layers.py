"""Dependencies point one way: ui → services → persistence → domain (see STYLE.md).

The UI reaches the services only through the session API (`services.session_api`), plus the
pure validation rules it repeats inline and the clock type; it never sees the composition root,
an engine or a token-free service. Controllers never repeat the op helper's work: no worker, no
token check, no try/except around a call.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "studentres_desktop"

FORBIDDEN = {
    "domain": ("PySide6", "sqlalchemy", "bcrypt", "jwt", "studentres_desktop.persistence",
               "studentres_desktop.services", "studentres_desktop.ui",
               "studentres_desktop.bootstrap"),
    "persistence": ("PySide6", "bcrypt", "jwt", "studentres_desktop.services",
                    "studentres_desktop.ui", "studentres_desktop.bootstrap"),
    "services": ("PySide6", "studentres_desktop.ui", "studentres_desktop.bootstrap"),
    "ui": ("sqlalchemy", "bcrypt", "jwt", "mysql", "studentres_desktop.persistence",
           "studentres_desktop.bootstrap"),
}
# What of the services layer the UI may import.
UI_MAY_USE_FROM_SERVICES = {
    "studentres_desktop.services.session_api",  # the Gateway and the SessionApi
    "studentres_desktop.services.validation",  # the same checks, shown while typing
    "studentres_desktop.services.clock",  # the Clock type and utc_now
}


def imported_modules(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def crossings(layer: str, banned: tuple[str, ...]) -> list[str]:
    return [
        f"{path.relative_to(PACKAGE)} imports {module}"
        for path in sorted((PACKAGE / layer).rglob("*.py"))
        for module in imported_modules(path)
        if any(module == b or module.startswith(b + ".") for b in banned)
    ]


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_layer_imports_only_what_lies_below_it(layer):
    assert sorted((PACKAGE / layer).rglob("*.py"))
    assert crossings(layer, FORBIDDEN[layer]) == []


def test_the_ui_uses_the_services_only_through_the_session_api():
    used = {module for path in (PACKAGE / "ui").rglob("*.py") for module in imported_modules(path)
            if module.startswith("studentres_desktop.services")}
    assert used, "the UI should use the session API"
    assert used <= UI_MAY_USE_FROM_SERVICES, used - UI_MAY_USE_FROM_SERVICES


CONTROLLERS = sorted((PACKAGE / "ui" / "controllers").glob("*_controller.py"))


@pytest.mark.parametrize("path", CONTROLLERS, ids=lambda p: p.name)
def test_controllers_leave_threads_tokens_and_errors_to_the_op_helper(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    assert "studentres_desktop.ui.workers" not in imported_modules(path)
    handled = [f"line {node.lineno}" for node in ast.walk(tree)
               if isinstance(node, ast.Try) and not _only_validation(node)]
    assert handled == [], "a try/except in a controller repeats the op helper"
    checks = [f"line {node.lineno}: .{node.func.attr}()" for node in ast.walk(tree)
              if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
              and node.func.attr in ("require", "authenticate", "run")]
    assert checks == [], "token checks and worker runs belong to the op helper"


def _only_validation(node: ast.Try) -> bool:
    """A try around the pure `check_*` rules alone (inline messages while typing) is fine."""
    calls = [n for statement in node.body for n in ast.walk(statement) if isinstance(n, ast.Call)]
    return bool(calls) and all(isinstance(c.func, ast.Name) and c.func.id.startswith("check_")
                               for c in calls)
