"""The length counter: `count / limit unit` in the platform's own unit, and where to mark.

`over_at` from desktop.domain.text_limits is a Python (code point) index; Qt's text cursor
counts UTF-16 units, so an emoji before the overflow shifts the mark: `qt_position` converts.
"""

from __future__ import annotations

import re

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget

from desktop.domain.enums import ConversationKind, Platform
from desktop.domain.text_limits import TextLength, measure

ASTRAL = re.compile("[\U00010000-\U0010ffff]")


def qt_position(text: str, index: int) -> int:
    """The UTF-16 offset (QTextCursor position) of Python index `index` in `text`."""
    return index + len(ASTRAL.findall(text, 0, index))


def py_index(text: str, utf16: int) -> int:
    """The Python index of UTF-16 offset `utf16` (a Qt cursor position) in `text`."""
    if text.isascii() or not ASTRAL.search(text):
        return min(utf16, len(text))
    units = 0
    for index, ch in enumerate(text):
        if units >= utf16:
            return index
        units += 2 if ord(ch) > 0xFFFF else 1
    return len(text)


class Utf16Offsets:
    """Python index -> UTF-16 offset for one text, O(1) a lookup (marks many spans at once)."""

    def __init__(self, text: str) -> None:
        self._shifts: list[int] | None = None
        if ASTRAL.search(text):
            shifts, extra = [], 0
            for ch in text:
                shifts.append(extra)
                extra += ord(ch) > 0xFFFF
            shifts.append(extra)
            self._shifts = shifts

    def __call__(self, index: int) -> int:
        return index if self._shifts is None else index + self._shifts[index]


def over_limit_reason(platform: Platform, length: TextLength) -> str | None:
    if length.fits:
        return None
    over = length.count - length.limit
    unit = length.unit if over != 1 else length.unit.rstrip("s")
    return (
        f"Too long for {platform.value.capitalize()}: {over:,} {unit} over the "
        f"{length.limit:,} limit (the marked part)"
    )


class LengthCounter(QLabel):
    """Shows `count / limit unit`; red when over. `update_for` returns the measurement."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("lengthCounter")
        self.setAccessibleName("Length")
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.length: TextLength | None = None

    def update_for(
        self, platform: Platform, text: str, kind: ConversationKind, limit: int | None
    ) -> TextLength:
        length = measure(platform, text, kind=kind, limit=limit)
        self.length = length
        self.setText(f"{length.count:,} / {length.limit:,} {length.unit}")
        self.setAccessibleDescription(
            f"{length.remaining:,} {length.unit} left"
            if length.fits
            else f"{-length.remaining:,} {length.unit} over the limit"
        )
        self.setProperty("over", not length.fits)
        self.setStyleSheet("" if length.fits else "color: #c62828; font-weight: bold;")
        return length

    def clear_count(self) -> None:
        self.length = None
        self.setText("")
