"""The sidebar: views with live counts; brands with their accounts; saved searches.

The sidebar only shows and chooses; the window owns the filter. `view_chosen(View)` when the
user picks a view.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPainter, QPalette
from PySide6.QtWidgets import (
    QListWidget,
    QListWidgetItem,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from ui.data_source import View
from ui.naming import named

VIEW_LABELS: dict[View, str] = {
    View.ALL: "All",
    View.NEEDS_REPLY: "Needs reply",
    View.MINE: "Mine",
    View.UNASSIGNED: "Unassigned",
    View.HANDED_TO_ME: "Handed to me",
    View.SNOOZED: "Snoozed",
    View.RESOLVED: "Resolved",
}

CountRole = Qt.ItemDataRole.UserRole + 1


class CountDelegate(QStyledItemDelegate):
    """Sidebar rows: the name on the left, its live count (CountRole) right-aligned."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Any) -> None:
        super().paint(painter, option, index)
        count = index.data(CountRole)
        if not count:
            return
        painter.save()
        selected = bool(option.state & QStyle.StateFlag.State_Selected)  # type: ignore[attr-defined]
        role = (
            QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.PlaceholderText
        )
        painter.setPen(option.palette.color(role))  # type: ignore[attr-defined]
        rect = option.rect.adjusted(0, 0, -14, 0)  # type: ignore[attr-defined]
        painter.drawText(
            rect, int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter), str(count)
        )
        painter.restore()


ViewCountDelegate = CountDelegate  # the older name


class Sidebar(QWidget):
    view_chosen = Signal(object)  # View

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sidebar")
        self.views = named(QListWidget(), "viewList", "Views")
        for view, label in VIEW_LABELS.items():
            item = QListWidgetItem(label)
            item.setData(Qt.ItemDataRole.UserRole, view.value)
            self.views.addItem(item)
        self.views.setCurrentRow(0)
        self.views.currentItemChanged.connect(self._view_item_changed)
        self.views.setItemDelegate(CountDelegate(self.views))
        self.setMinimumWidth(170)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.views, 1)

    def current_view(self) -> View:
        item = self.views.currentItem()
        return View(item.data(Qt.ItemDataRole.UserRole)) if item is not None else View.ALL

    def set_view(self, view: View) -> None:
        for i in range(self.views.count()):
            if self.views.item(i).data(Qt.ItemDataRole.UserRole) == view.value:
                self.views.setCurrentRow(i)

    def set_counts(self, counts: dict[View, int]) -> None:
        for i in range(self.views.count()):
            item = self.views.item(i)
            view = View(item.data(Qt.ItemDataRole.UserRole))
            label = VIEW_LABELS[view]
            n = counts.get(view)
            item.setText(label)
            item.setData(CountRole, f"{n:,}" if n is not None else "")
            item.setData(Qt.ItemDataRole.AccessibleTextRole, f"{label}, {n or 0} conversations")

    def _view_item_changed(self, item: QListWidgetItem | None, _previous: object = None) -> None:
        if item is not None:
            self.view_chosen.emit(View(item.data(Qt.ItemDataRole.UserRole)))
