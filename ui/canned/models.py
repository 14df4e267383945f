"""A list model of canned responses (the picker's ranked results, the manager's own order)."""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt

from desktop.domain.models import CannedResponse

ResponseRole = Qt.ItemDataRole.UserRole + 1
IdRole = Qt.ItemDataRole.UserRole + 2

Index = QModelIndex | QPersistentModelIndex


def name_scroll_bars(root: Any) -> None:
    """Give every scroll bar under `root` a name (tests and screen readers find them)."""
    from PySide6.QtWidgets import QAbstractScrollArea

    for area in root.findChildren(QAbstractScrollArea):
        for bar, axis in ((area.verticalScrollBar(), "V"), (area.horizontalScrollBar(), "H")):
            if not bar.objectName():
                bar.setObjectName(f"{area.objectName() or 'list'}{axis}Scroll")
                bar.setAccessibleName(f"Scroll {area.accessibleName() or 'list'}")


class CannedListModel(QAbstractListModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._items: list[CannedResponse] = []

    def set_items(self, items: Sequence[CannedResponse]) -> None:
        self.beginResetModel()
        self._items = list(items)
        self.endResetModel()

    def items(self) -> list[CannedResponse]:
        return list(self._items)

    def item(self, row: int) -> CannedResponse | None:
        return self._items[row] if 0 <= row < len(self._items) else None

    def row_of(self, canned_id: int) -> int | None:
        for row, c in enumerate(self._items):
            if c.id == canned_id:
                return row
        return None

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._items)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._items):
            return None
        c = self._items[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{c.title}    /{c.shortcut}"
        if role == Qt.ItemDataRole.ToolTipRole:
            # tooltips guess rich text: escape the body so it is shown, never interpreted
            return f"<p style='white-space:pre-wrap'>{html.escape(c.body)}</p>"
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{c.title}, shortcut {c.shortcut}, used {c.usage_count} times"
        if role == ResponseRole:
            return c
        if role == IdRole:
            return c.id
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return (
            Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemIsSelectable
            | Qt.ItemFlag.ItemNeverHasChildren
        )
