"""The one place that loads Designer files and the style sheet, frozen or from a checkout."""

from __future__ import annotations

from typing import TypeVar

from PySide6.QtCore import QFile, QIODevice, QObject
from PySide6.QtGui import QIcon
from PySide6.QtUiTools import QUiLoader
from PySide6.QtWidgets import QWidget

from studentres_desktop.paths import resources_dir, ui_file

W = TypeVar("W", bound=QObject)


class _IntoLoader(QUiLoader):
    """Builds the file's top-level widget into an existing instance (a view subclass)."""

    def __init__(self, base: QWidget) -> None:
        super().__init__(base)
        self._base = base

    def createWidget(  # noqa: N802 (Qt override)
        self, class_name: str, parent: QWidget | None = None, name: str = ""
    ) -> QWidget:
        if parent is None:
            return self._base
        return super().createWidget(class_name, parent, name)


def load_ui_into(base: QWidget, filename: str) -> None:
    """Fill `base` with the widgets, layouts and actions of resources/ui/<filename>."""
    path = ui_file(filename)
    stream = QFile(str(path))
    if not stream.open(QIODevice.OpenModeFlag.ReadOnly):
        raise FileNotFoundError(f"cannot open {path}")
    try:
        loader = _IntoLoader(base)
        loaded = loader.load(stream, None)
    finally:
        stream.close()
    if loaded is None:
        raise RuntimeError(f"cannot load {path}: {loader.errorString()}")


def child(parent: QObject, kind: type[W], name: str) -> W:
    """The named child, which the .ui file must define; a missing one is a programming error."""
    found = parent.findChild(kind, name)
    if found is None:
        raise LookupError(f"{type(parent).__name__} has no {kind.__name__} named {name!r}")
    return found


def stylesheet() -> str:
    return (resources_dir() / "style.qss").read_text(encoding="utf-8")


def app_icon() -> QIcon:
    """The window icon (resources/icons, rendered from studentres.svg); empty if it is missing."""
    return QIcon(str(resources_dir() / "icons" / "studentres.png"))
