"""The length counter: `count / limit unit` in the platform's own unit, and where to mark.

`over_at` from desktop.domain.text_limits is a Python (code point) index; Qt's text cursor
counts UTF-16 units, so an emoji before the overflow shifts the mark: `qt_position` converts.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget

from desktop.domain.enums import ConversationKind, Platform
from desktop.domain.text_limits import TextLength, measure


def qt_position(text: str, index: int) -> int:
    """The UTF-16 offset (QTextCursor position) of Python index `index` in `text`."""
    return index + sum(1 for ch in text[:index] if ord(ch) > 0xFFFF)


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
