"""The filter bar above the list: the search box (the store's query syntax), the sort order,
and combos for brand, account, platform, status, assignee and tag, with a Clear button.

It only collects what the user wants; the window owns the filter and applies it. Signals:
`search_requested(str)` on Enter, `search_cleared()` on Escape or an emptied box,
`sort_changed(Sort)`, `filter_changed(dict)` (InboxFilter field -> value or None),
`clear_requested()`. `show_filter(InboxFilter)` reflects the filter without emitting.
Every control is in the Tab order: `/` then Tab walks the row.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QComboBox, QGridLayout, QLineEdit, QToolButton, QWidget

from desktop.domain.enums import ConversationStatus, Platform
from ui.data_source import InboxFilter, Sort
from ui.naming import named

SORT_LABELS: dict[Sort, str] = {
    Sort.NEWEST: "Newest",
    Sort.OLDEST_WAITING: "Oldest waiting",
    Sort.PRIORITY: "Priority",
    Sort.DUE: "Due soonest",
}

SEARCH_HINT = 'Search  (/)   e.g. refund "never arrived" from:jane platform:bluesky is:unread'

STATUS_LABELS = {
    ConversationStatus.OPEN: "Open",
    ConversationStatus.PENDING: "Pending",
    ConversationStatus.SNOOZED: "Snoozed",
    ConversationStatus.RESOLVED: "Resolved",
}

PLATFORM_LABELS = {
    Platform.MASTODON: "Mastodon",
    Platform.BLUESKY: "Bluesky",
    Platform.X: "X",
    Platform.FACEBOOK: "Facebook",
    Platform.INSTAGRAM: "Instagram",
}


@dataclass(frozen=True)
class FilterChoices:
    """What the combos offer, read from the open workspace."""

    brands: list[tuple[int, str]] = field(default_factory=list)
    accounts: list[tuple[int, str]] = field(default_factory=list)  # id, "handle · platform"
    agents: list[tuple[int, str]] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)


def read_choices(store: Any) -> FilterChoices:
    from sqlalchemy import text

    from desktop.store import accounts

    with store.reader() as session:
        brands = [
            (int(r[0]), str(r[1]))
            for r in session.execute(text("SELECT id, name FROM brands ORDER BY name"))
        ]
        names = dict(brands)
        accs = [
            (
                a.id,
                f"{a.handle} · {PLATFORM_LABELS.get(a.platform, a.platform.value)}"
                f" · {names.get(a.brand_id, '')}",
            )
            for a in accounts.list_accounts(session)
        ]
        agents = [(a.id, "Me" if a.is_me else a.name) for a in accounts.list_agents(session)]
        tags = [str(r[0]) for r in session.execute(text("SELECT name FROM tags ORDER BY name"))]
    return FilterChoices(brands, accs, agents, tags)


# field, object name, accessible name, label for "no filter"
COMBOS = (
    ("brand_id", "brandFilter", "Brand filter", "All brands"),
    ("account_id", "accountFilter", "Account filter", "All accounts"),
    ("platform", "platformFilter", "Platform filter", "All platforms"),
    ("status", "statusFilter", "Status filter", "Any status"),
    ("assignee_id", "assigneeFilter", "Assignee filter", "Anyone"),
    ("tag", "tagFilter", "Tag filter", "Any tag"),
)


class FilterBar(QWidget):
    search_requested = Signal(str)
    search_cleared = Signal()
    sort_changed = Signal(object)  # Sort
    filter_changed = Signal(object)  # dict {field: value or None}
    clear_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("filterBar")
        self.search_box = named(QLineEdit(), "searchBox", "Search conversations")
        self.search_box.setPlaceholderText(SEARCH_HINT)
        self.search_box.setClearButtonEnabled(True)
        self.search_box.setToolTip(
            'Words match as prefixes; "quotes" for phrases; filters: from: brand: platform: '
            "status: assignee: tag: is:unread is:needs-reply"
        )
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

        self.combos: dict[str, QComboBox] = {}
        for key, name, accessible, _any in COMBOS:
            combo = named(QComboBox(), name, accessible)
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            )
            combo.setMinimumContentsLength(2)
            named(combo.view(), f"{name}Popup", f"{accessible} choices")
            combo.activated.connect(lambda _i, k=key: self._combo_chosen(k))
            self.combos[key] = combo
        self.clear_button = named(QToolButton(), "clearFilters", "Clear filters")
        self.clear_button.setText("Clear")
        self.clear_button.setToolTip("Clear search and filters (Ctrl+Shift+X)")
        self.clear_button.clicked.connect(self.clear_requested.emit)
        self.set_choices(FilterChoices())

        grid = QGridLayout(self)
        grid.setContentsMargins(6, 6, 6, 4)
        grid.setHorizontalSpacing(4)
        grid.setVerticalSpacing(4)
        grid.addWidget(self.search_box, 0, 0, 1, len(COMBOS))
        grid.addWidget(self.sort_box, 0, len(COMBOS))
        for col, (key, *_rest) in enumerate(COMBOS):
            grid.addWidget(self.combos[key], 1, col)
        grid.addWidget(self.clear_button, 1, len(COMBOS))
        for col in range(len(COMBOS)):
            grid.setColumnStretch(col, 1)

    # -- choices and state ------------------------------------------------------------------
    def set_choices(self, choices: FilterChoices) -> None:
        options: dict[str, list[tuple[Any, str]]] = {
            "brand_id": list(choices.brands),
            "account_id": list(choices.accounts),
            "platform": [(p.value, label) for p, label in PLATFORM_LABELS.items()],
            "status": [(s.value, label) for s, label in STATUS_LABELS.items()],
            "assignee_id": list(choices.agents),
            "tag": [(t, t) for t in choices.tags],
        }
        for key, _name, _acc, any_label in COMBOS:
            combo = self.combos[key]
            current = combo.currentData()
            blocker = combo.blockSignals(True)
            combo.clear()
            combo.addItem(any_label, None)
            for value, label in options[key]:
                combo.addItem(label, value)
            i = combo.findData(current) if current is not None else 0
            combo.setCurrentIndex(max(i, 0))
            combo.blockSignals(blocker)

    def show_filter(self, f: InboxFilter) -> None:
        for key, *_rest in COMBOS:
            value = getattr(f, key)
            value = getattr(value, "value", value)
            combo = self.combos[key]
            i = combo.findData(value) if value is not None else 0
            blocker = combo.blockSignals(True)
            combo.setCurrentIndex(max(i, 0))
            combo.blockSignals(blocker)

    def _combo_chosen(self, key: str) -> None:
        value = self.combos[key].currentData()
        if key == "platform" and value is not None:
            value = Platform(value)
        elif key == "status" and value is not None:
            value = ConversationStatus(value)
        changes: dict[str, Any] = {key: value}
        # a brand and an account from another brand would show nothing: picking one clears
        # the other
        if key == "brand_id" and value is not None:
            changes["account_id"] = None
        elif key == "account_id" and value is not None:
            changes["brand_id"] = None
        self.filter_changed.emit(changes)

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
