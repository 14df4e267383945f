"""The filter bar above the list: the search box (the store's query syntax) and the sort order.

It only collects what the user wants; the window applies it. Signals: `search_requested(str)`
on Enter, `search_cleared()` on Escape or an emptied box, `sort_changed(Sort)`.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLineEdit, QWidget

from ui.data_source import Sort
from ui.naming import named

SORT_LABELS: dict[Sort, str] = {
    Sort.NEWEST: "Newest",
    Sort.OLDEST_WAITING: "Oldest waiting",
    Sort.PRIORITY: "Priority",
}

SEARCH_HINT = "Search  (/)   e.g. refund from:jane platform:bluesky"


class FilterBar(QWidget):
    search_requested = Signal(str)
    search_cleared = Signal()
    sort_changed = Signal(object)  # Sort

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("filterBar")
        self.search_box = named(QLineEdit(), "searchBox", "Search conversations")
        self.search_box.setPlaceholderText(SEARCH_HINT)
        self.search_box.setClearButtonEnabled(True)
        self.search_box.returnPressed.connect(self._search)
        escape = QShortcut(QKeySequence("Escape"), self.search_box, self.search_cleared.emit)
        escape.setContext(Qt.ShortcutContext.WidgetShortcut)
        escape.setObjectName("shortcut_clearSearch")
        self.sort_box = named(QComboBox(), "sortBox", "Sort order")
        for sort, label in SORT_LABELS.items():
            self.sort_box.addItem(label, sort.value)
        self.sort_box.currentIndexChanged.connect(
            lambda _i: self.sort_changed.emit(Sort(self.sort_box.currentData()))
        )
        named(self.sort_box.view(), "sortBoxPopup", "Sort orders")
        self.row = QHBoxLayout(self)
        self.row.setContentsMargins(6, 6, 6, 6)
        self.row.addWidget(self.search_box, 1)
        self.row.addWidget(self.sort_box)

    def _search(self) -> None:
        text = self.search_box.text().strip()
        if text:
            self.search_requested.emit(text)
        else:
            self.search_cleared.emit()

    def set_sort(self, sort: Sort) -> None:
        i = self.sort_box.findData(sort.value)
        if i >= 0:
            self.sort_box.setCurrentIndex(i)
