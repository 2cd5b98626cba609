"""A fresh clone, with no shared data folder beside it, collects and skips cleanly.

The checkout is copied to a temporary folder that has no `../shared`, and pytest runs there in
a subprocess: collection must not fail, the tests that need the shared data must skip saying
which folder is missing, and under CI=true the same tests must fail instead.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.slow

NOT_PART_OF_A_CLONE = shutil.ignore_patterns(
    ".git", ".venv", "__pycache__", ".mypy_cache", ".pytest_cache", ".ruff_cache",
    ".hypothesis", "build", "dist", "*.egg-info",
)
NEEDS_SHARED_DATA = (
    "tests/integration/test_naughty_strings.py::test_naughty_strings_blns_file_is_there"
)


@pytest.fixture(scope="module")
def clone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("fresh") / "studentres-desktop"
    shutil.copytree(ROOT, target, ignore=NOT_PART_OF_A_CLONE)
    assert not (target.parent / "shared").exists()
    return target


def run_pytest(clone: Path, *args: str, ci: bool = False) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("CI", "STUDENTRES_SHARED_DATA", "PYTEST_ADDOPTS")}
    env["PYTHONPATH"] = str(clone)  # the copy's package, not the installed one
    env["QT_QPA_PLATFORM"] = "offscreen"
    if ci:
        env["CI"] = "true"
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *args],
        cwd=clone, env=env, capture_output=True, text=True, timeout=300, check=False,
    )


def test_the_whole_suite_collects_without_the_shared_folder(clone: Path):
    result = run_pytest(clone, "--collect-only", "-q")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    summary = result.stdout.strip().splitlines()[-1]
    assert re.fullmatch(r"\d+ tests collected in [\d.]+s", summary), summary
    assert NEEDS_SHARED_DATA in result.stdout


def test_shared_data_tests_skip_and_name_the_missing_folder(clone: Path):
    result = run_pytest(clone, "-rs", NEEDS_SHARED_DATA)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "1 skipped" in result.stdout
    assert str(clone.parent / "shared" / "data") in result.stdout
    assert "blns.json" in result.stdout


def test_under_ci_a_missing_data_set_fails_the_run(clone: Path):
    result = run_pytest(clone, NEEDS_SHARED_DATA, ci=True)
    assert result.returncode == 1, result.stdout[-3000:] + result.stderr[-3000:]
    assert "blns.json is not in the shared test data folder" in result.stdout
