"""Render the application icon set from its one source, resources/icons/app.svg.

    python scripts/make_icons.py            # (re)writes the files below; commit them
    python scripts/make_icons.py --check    # exit 1 if any committed file is stale

Writes, with Qt's own SVG renderer and image writers (no network, no ImageMagick):
- resources/icons/hicolor/<N>x<N>/apps/<APP_ID>.png   the freedesktop theme sizes
- resources/icons/hicolor/scalable/apps/<APP_ID>.svg  the SVG itself, under the app id
- resources/icons/switchboard.ico                    Windows (16-256 px, for build.spec)
- resources/icons/switchboard.icns                   macOS (16-1024 px, for build.spec)
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRectF, Qt
from PySide6.QtGui import QGuiApplication, QImage, QImageWriter, QPainter
from PySide6.QtSvg import QSvgRenderer

ROOT = Path(__file__).resolve().parent.parent
ICONS = ROOT / "resources" / "icons"
SOURCE = ICONS / "app.svg"
APP_ID = "app.switchboard.Switchboard"
PNG_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
# ICNS element types that hold PNG data, by pixel size (Apple's icns format)
ICNS_TYPES = {
    16: b"icp4",
    32: b"icp5",
    64: b"icp6",
    128: b"ic07",
    256: b"ic08",
    512: b"ic09",
    1024: b"ic10",
}


def render(renderer: QSvgRenderer, size: int) -> QImage:
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter, QRectF(0, 0, size, size))
    painter.end()
    return image


def png_bytes(image: QImage) -> bytes:
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buffer, "PNG"):
        raise RuntimeError("PNG encoding failed")
    buffer.close()
    return bytes(data.data())


def ico_bytes(images: list[QImage]) -> bytes:
    """A Vista-style .ico: a directory of PNG images (Windows reads PNG entries since Vista)."""
    header = b"\0\0\1\0" + len(images).to_bytes(2, "little")
    entries = b""
    blobs = b""
    offset = 6 + 16 * len(images)
    for image in images:
        blob = png_bytes(image)
        side = image.width() % 256  # 0 means 256
        entries += bytes([side, side, 0, 0]) + (1).to_bytes(2, "little")
        entries += (32).to_bytes(2, "little") + len(blob).to_bytes(4, "little")
        entries += offset.to_bytes(4, "little")
        blobs += blob
        offset += len(blob)
    return header + entries + blobs


def icns_bytes(renderer: QSvgRenderer) -> bytes:
    body = b""
    for size, kind in ICNS_TYPES.items():
        blob = png_bytes(render(renderer, size))
        body += kind + (8 + len(blob)).to_bytes(4, "big") + blob
    return b"icns" + (8 + len(body)).to_bytes(4, "big") + body


def outputs() -> dict[Path, bytes]:
    renderer = QSvgRenderer(str(SOURCE))
    if not renderer.isValid():
        raise SystemExit(f"cannot read {SOURCE}")
    files: dict[Path, bytes] = {}
    for size in PNG_SIZES:
        path = ICONS / "hicolor" / f"{size}x{size}" / "apps" / f"{APP_ID}.png"
        files[path] = png_bytes(render(renderer, size))
    files[ICONS / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg"] = SOURCE.read_bytes()
    files[ICONS / "switchboard.ico"] = ico_bytes([render(renderer, s) for s in ICO_SIZES])
    files[ICONS / "switchboard.icns"] = icns_bytes(renderer)
    return files


def main(argv: list[str]) -> int:
    app = QGuiApplication.instance() or QGuiApplication(["make_icons"])  # noqa: F841
    assert "png" in [bytes(f.data()).decode() for f in QImageWriter.supportedImageFormats()]
    stale = []
    for path, data in outputs().items():
        if path.exists() and path.read_bytes() == data:
            continue
        stale.append(path)
        if "--check" not in argv:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
    for path in stale:
        print(("stale: " if "--check" in argv else "wrote ") + str(path.relative_to(ROOT)))
    return 1 if stale and "--check" in argv else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
