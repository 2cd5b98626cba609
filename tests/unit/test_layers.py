"""Dependencies point one way: ui → services → persistence → domain (see STYLE.md)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "studentres_desktop"

FORBIDDEN = {
    "domain": ("PySide6", "sqlalchemy", "bcrypt", "jwt", "studentres_desktop.persistence",
               "studentres_desktop.services", "studentres_desktop.ui"),
    "persistence": ("PySide6", "bcrypt", "jwt", "studentres_desktop.services",
                    "studentres_desktop.ui"),
    "services": ("PySide6", "studentres_desktop.ui"),
    "ui": ("sqlalchemy", "bcrypt", "jwt", "mysql", "studentres_desktop.persistence"),
}


def imported_modules(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_layer_imports_only_what_lies_below_it(layer):
    files = sorted((PACKAGE / layer).rglob("*.py"))
    assert files
    crossings = [
        f"{path.relative_to(PACKAGE)} imports {module}"
        for path in files
        for module in imported_modules(path)
        if any(module == banned or module.startswith(banned + ".")
               for banned in FORBIDDEN[layer])
    ]
    assert crossings == []
