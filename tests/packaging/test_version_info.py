"""The Windows version resource (packaging/version_info.py), read back by PyInstaller's own code.

PyInstaller's versioninfo module imports pefile and pywin32 at the top, for reading and writing
.exe files only; the stand-ins below let its parser and resource encoder run on any system.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import types
from pathlib import Path
from typing import Any

import pytest

import studentres_desktop

ROOT = Path(__file__).resolve().parents[2]


def _load_version_info() -> types.ModuleType:
    spec = importlib.util.spec_from_file_location("version_info",
                                                  ROOT / "packaging" / "version_info.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


version_info = _load_version_info()


@pytest.fixture
def pyinstaller_versioninfo(monkeypatch: pytest.MonkeyPatch) -> Any:
    """PyInstaller.utils.win32.versioninfo, importable away from Windows."""
    import PyInstaller.compat

    monkeypatch.setitem(sys.modules, "pefile", types.ModuleType("pefile"))
    monkeypatch.setattr(PyInstaller.compat, "win32api", None, raising=False)
    monkeypatch.delitem(sys.modules, "PyInstaller.utils.win32.versioninfo", raising=False)
    module = importlib.import_module("PyInstaller.utils.win32.versioninfo")
    yield module
    sys.modules.pop("PyInstaller.utils.win32.versioninfo", None)


def test_the_version_comes_from_pyproject_and_matches_the_package():
    assert version_info.project_version() == studentres_desktop.__version__


@pytest.mark.parametrize(
    ("version", "numbers"),
    [
        ("0.1.0", (0, 1, 0, 0)),
        ("2.0", (2, 0, 0, 0)),
        ("1.2.3rc1", (1, 2, 3, 0)),
        ("1.2.3.post4", (1, 2, 3, 0)),
        ("10.20.30.40.50", (10, 20, 30, 40)),
    ],
)
def test_windows_gets_four_numbers(version, numbers):
    assert version_info.numeric_version(version) == numbers


@pytest.mark.parametrize("version", ["", "v1.0", "1.70000.0"])
def test_a_version_windows_cannot_hold_is_refused(version):
    with pytest.raises(ValueError, match="version"):
        version_info.numeric_version(version)


@pytest.mark.parametrize("program", ["studentres-desktop", "studentres-admin"])
def test_pyinstaller_reads_and_encodes_the_generated_resource(pyinstaller_versioninfo, tmp_path,
                                                              program):
    version = version_info.project_version()
    path = version_info.write_version_file(tmp_path / "build", program)
    assert path.parent == tmp_path / "build"

    info = pyinstaller_versioninfo.load_version_info_from_text_file(str(path))

    # The resource's encoder runs (its field widths are those of Windows only there).
    assert info.toRaw()
    numbers = version_info.numeric_version(version)
    assert (info.ffi.fileVersionMS, info.ffi.fileVersionLS) == (
        numbers[0] << 16 | numbers[1], numbers[2] << 16 | numbers[3])
    assert (info.ffi.productVersionMS, info.ffi.productVersionLS) == (
        info.ffi.fileVersionMS, info.ffi.fileVersionLS)
    strings = {entry.name: entry.val for entry in info.kids[0].kids[0].kids}
    assert strings["FileVersion"] == strings["ProductVersion"] == version
    assert strings["OriginalFilename"] == f"{program}.exe"
    assert strings["ProductName"] == "StudentRes Desktop"


def test_a_prerelease_version_is_written_as_is_beside_its_numbers(pyinstaller_versioninfo,
                                                                 tmp_path):
    path = version_info.write_version_file(tmp_path, "studentres-desktop", "3.4.5rc2")

    info = pyinstaller_versioninfo.load_version_info_from_text_file(str(path))

    assert info.ffi.fileVersionMS == (3 << 16 | 4)
    assert info.ffi.fileVersionLS == (5 << 16)
    assert "StringStruct('FileVersion', '3.4.5rc2')" in str(info)
