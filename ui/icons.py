"""Platform and app icons: the SVGs in resources/icons, with a drawn fallback.

Icons are cached per name (a QIcon per row would be thousands of SVG parses while scrolling).
If the resources folder is missing (an odd packaging), a coloured rounded square with the
platform's initial is painted instead, so the list never shows a blank column.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QIcon, QPainter, QPixmap

from desktop.domain.enums import Platform

RESOURCES = Path(__file__).resolve().parent.parent / "resources"
ICONS = RESOURCES / "icons"

_FALLBACK = {
    Platform.MASTODON: ("#6364FF", "M"),
    Platform.BLUESKY: ("#1185FE", "B"),
    Platform.X: ("#111111", "X"),
    Platform.FACEBOOK: ("#1877F2", "f"),
    Platform.INSTAGRAM: ("#E1306C", "I"),
}


def _drawn(color: str, letter: str, size: int = 32) -> QIcon:
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setBrush(QColor(color))
    painter.setPen(Qt.PenStyle.NoPen)
    painter.drawRoundedRect(QRectF(1, 1, size - 2, size - 2), size / 4, size / 4)
    font = QFont()
    font.setBold(True)
    font.setPixelSize(int(size * 0.55))
    painter.setFont(font)
    painter.setPen(QColor("white"))
    painter.drawText(QRectF(0, 0, size, size), Qt.AlignmentFlag.AlignCenter, letter)
    painter.end()
    return QIcon(pixmap)


@cache
def platform_icon(platform: Platform) -> QIcon:
    path = ICONS / f"{platform.value}.svg"
    if path.exists():
        icon = QIcon(str(path))
        if not icon.isNull():
            return icon
    color, letter = _FALLBACK[platform]
    return _drawn(color, letter)


@cache
def app_icon() -> QIcon:
    path = ICONS / "app.svg"
    icon = QIcon(str(path)) if path.exists() else QIcon()
    return icon if not icon.isNull() else _drawn("#2B3A55", "S", 64)
