"""Render resources/icons/studentres.svg into the icons the bundle needs, with Qt only.

    QT_QPA_PLATFORM=offscreen python scripts/render_icons.py

Writes studentres.png (256 px: the window icon), studentres.ico (16 to 256 px: the Windows .exe)
and studentres.icns (the macOS app) next to the SVG. Run it again after changing
the SVG and commit the results: the spec only reads them.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
from PySide6.QtGui import QGuiApplication, QImage, QImageWriter, QPainter
from PySide6.QtSvg import QSvgRenderer

ICONS = Path(__file__).resolve().parents[1] / "resources" / "icons"
SOURCE = ICONS / "studentres.svg"
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
PNG_SIZE = 256
# The PNG-holding entry types of an .icns file, by size in pixels.
ICNS_TYPES = {16: b"icp4", 32: b"icp5", 64: b"icp6", 128: b"ic07", 256: b"ic08", 512: b"ic09",
              1024: b"ic10"}


def render(renderer: QSvgRenderer, size: int) -> QImage:
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    return image


def write(image: QImage, path: Path, image_format: bytes) -> None:
    supported = [bytes(found.data()) for found in QImageWriter.supportedImageFormats()]
    if image_format not in supported:
        sys.exit(f"this Qt cannot write {image_format.decode()} (no image format plugin for it)")
    writer = QImageWriter(str(path), QByteArray(image_format))
    if not writer.write(image):
        sys.exit(f"could not write {path}: {writer.errorString()}")


def png_bytes(image: QImage) -> bytes:
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return bytes(buffer.data().data())


def write_ico(images: list[QImage], path: Path) -> None:
    """Several sizes in one ICO file: a directory of PNG images (read by Windows Vista and
    later). Qt's own ICO writer stores a single image, so Qt renders the PNGs and this joins."""
    pngs = [png_bytes(image) for image in images]
    header = (0).to_bytes(2, "little") + (1).to_bytes(2, "little") + len(pngs).to_bytes(2, "little")
    offset = 6 + 16 * len(pngs)
    directory = b""
    for image, png in zip(images, pngs, strict=True):
        side = image.width() % 256  # 0 means 256
        directory += bytes([side, side, 0, 0]) + (1).to_bytes(2, "little")
        directory += (32).to_bytes(2, "little") + len(png).to_bytes(4, "little")
        directory += offset.to_bytes(4, "little")
        offset += len(png)
    path.write_bytes(header + directory + b"".join(pngs))


def write_icns(renderer: QSvgRenderer, path: Path) -> None:
    """Every size in one .icns file: typed entries of PNG data. Qt's own ICNS writer stores a
    single size, so Qt renders the PNGs and this joins them."""
    entries = b""
    for size, kind in ICNS_TYPES.items():
        png = png_bytes(render(renderer, size))
        entries += kind + (8 + len(png)).to_bytes(4, "big") + png
    path.write_bytes(b"icns" + (8 + len(entries)).to_bytes(4, "big") + entries)


def main() -> None:
    _app = QGuiApplication(sys.argv[:1])
    renderer = QSvgRenderer(str(SOURCE))
    if not renderer.isValid():
        sys.exit(f"cannot read {SOURCE}")
    write(render(renderer, PNG_SIZE), ICONS / "studentres.png", b"png")
    write_ico([render(renderer, size) for size in ICO_SIZES], ICONS / "studentres.ico")
    write_icns(renderer, ICONS / "studentres.icns")
    for name in ("studentres.png", "studentres.ico", "studentres.icns"):
        print(f"{ICONS / name}: {(ICONS / name).stat().st_size} bytes")


if __name__ == "__main__":
    main()
