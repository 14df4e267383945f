"""objectName + accessibleName in one call: tests find widgets by name, screen readers read them."""

from __future__ import annotations

from typing import Any, TypeVar

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QWidget

W = TypeVar("W", bound=QObject)


def named(widget: W, name: str, accessible: str) -> W:
    widget.setObjectName(name)
    if isinstance(widget, QWidget):
        widget.setAccessibleName(accessible)
    return widget


def name_scrollbars(view: Any, prefix: str, accessible: str) -> None:
    """A scroll area's bars appear only when the content outgrows it: name them up front."""
    named(view.verticalScrollBar(), f"{prefix}VScroll", accessible)
    named(view.horizontalScrollBar(), f"{prefix}HScroll", accessible)
