"""The window's actions: one table gives each its menu, keys and help text.

Actions are `QAction`s on the window (window-wide shortcuts that also appear in the menus), so
a key is defined once. Single letters (j, k, e, ...) are safe beside text fields: QLineEdit and
the composer accept the ShortcutOverride for printable keys, so typing wins there.
The help dialog (`?`) lists every action with a shortcut found in the menu bar, including
those other panels add (Tools > Accounts…), so it never goes stale.
"""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QMenu,
    QMenuBar,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ui.naming import name_scrollbars, named

# (object name, menu, keys, menu text, help text). "open" is bound to the list only (Enter in
# the search box runs the search), so its action shows the key without owning it.
ACTIONS: tuple[tuple[str, str, str, str, str], ...] = (
    ("openDemo", "File", "", "Open the &demo workspace", "Open the live demo workspace"),
    ("quit", "File", "Ctrl+Q", "&Quit", "Quit (stops sync, keeps drafts)"),
    ("goInbox", "View", "G, I", "Go to &All", "Go to All"),
    ("goNeedsReply", "View", "G, N", "Go to &Needs reply", "Go to Needs reply"),
    ("goMine", "View", "G, M", "Go to &Mine", "Go to Mine"),
    ("goUnassigned", "View", "G, U", "Go to &Unassigned", "Go to Unassigned"),
    ("goHanded", "View", "G, H", "Go to &Handed to me", "Go to Handed to me"),
    ("goSnoozed", "View", "G, Z", "Go to S&noozed", "Go to Snoozed"),
    ("goResolved", "View", "G, R", "Go to &Resolved", "Go to Resolved"),
    ("search", "View", "/", "&Search…", "Search"),
    ("clearFilters", "View", "Ctrl+Shift+X", "&Clear filters", "Clear search and filters"),
    ("saveSearch", "View", "Ctrl+Shift+S", "Sa&ve search…", "Save the search and filters"),
    ("focusSidebar", "View", "Ctrl+1", "Focus &sidebar", "Focus the sidebar"),
    ("focusList", "View", "Ctrl+2", "Focus &list", "Focus the conversation list"),
    ("focusConversation", "View", "Ctrl+3", "Focus &conversation", "Focus the conversation"),
    ("nextPane", "View", "F6", "Next &pane", "Move to the next pane"),
    ("toggleSide", "View", "Ctrl+I", "Customer &panel", "Show or hide the customer panel"),
    ("next", "Conversation", "J", "&Next", "Next conversation (or Down)"),
    ("previous", "Conversation", "K", "&Previous", "Previous conversation (or Up)"),
    ("open", "Conversation", "Return", "&Open", "Open the conversation (marks it read)"),
    ("resolve", "Conversation", "E", "&Resolve", "Resolve"),
    ("snooze", "Conversation", "S", "&Snooze", "Snooze until tomorrow 09:00"),
    ("assign", "Conversation", "A", "&Assign to me", "Assign to me"),
    ("unread", "Conversation", "M", "Mark &unread", "Mark unread"),
    ("help", "Help", "?", "&Keyboard shortcuts", "Show keyboard shortcuts"),
    ("about", "Help", "", "&About Switchboard", "About Switchboard"),
)

MENUS = ("File", "View", "Conversation", "Tools", "Help")

# (object name, keys, what it does): what the help dialog shows for the built-in actions
SHORTCUTS: tuple[tuple[str, str, str], ...] = tuple(
    (name, keys, what) for name, _menu, keys, _text, what in ACTIONS if keys
)


def build_menus(bar: QMenuBar) -> dict[str, QMenu]:
    menus: dict[str, QMenu] = {}
    for title in MENUS:
        menu = named(bar.addMenu(f"&{title}"), f"menu{title}", title)
        menus[title] = menu
    return menus


def build_actions(window: QWidget, menus: dict[str, QMenu]) -> dict[str, QAction]:
    """Create every action from ACTIONS in its menu and on the window (window-wide keys)."""
    actions: dict[str, QAction] = {}
    for name, menu, keys, text, what in ACTIONS:
        action = QAction(text, window)
        action.setObjectName(f"shortcut_{name}")
        action.setToolTip(what)
        action.setStatusTip(what)
        if keys and name != "open":
            action.setShortcut(QKeySequence(keys))
        elif keys:  # shown in the menu, bound by the list itself
            action.setText(
                f"{text}\t{QKeySequence(keys).toString(QKeySequence.SequenceFormat.NativeText)}"
            )
        menus[menu].addAction(action)
        window.addAction(action)
        actions[name] = action
    return actions


def menu_shortcuts(bar: QMenuBar) -> list[tuple[str, str]]:
    """(keys, what) for every action with a shortcut in the menu bar, in menu order."""
    rows: list[tuple[str, str]] = []

    def walk(actions: Iterable[QAction]) -> None:
        for action in actions:
            menu = action.menu()
            if isinstance(menu, QMenu):
                walk(menu.actions())
                continue
            keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
            text = action.text()
            if "\t" in text:
                text, keys = text.split("\t", 1)
            if keys:
                what = action.toolTip() or text.replace("&", "").rstrip("…")
                rows.append((keys.replace(", ", " then "), what))

    walk(bar.actions())
    return rows


class ShortcutHelp(QDialog):
    """Every shortcut. Opened with open() (never exec() from a coroutine)."""

    def __init__(self, parent: QWidget | None = None, rows: list[tuple[str, str]] | None = None):
        super().__init__(parent)
        named(self, "shortcutHelp", "Keyboard shortcuts")
        self.setWindowTitle("Keyboard shortcuts")
        if rows is None:
            rows = [
                (QKeySequence(k).toString(QKeySequence.SequenceFormat.NativeText), w)
                for _, k, w in SHORTCUTS
            ]
            rows = [(k.replace(", ", " then "), w) for k, w in rows]
        layout = QVBoxLayout(self)
        table = named(QTableWidget(len(rows), 2), "shortcutTable", "Shortcut list")
        table.setHorizontalHeaderLabels(["Keys", "Action"])
        table.verticalHeader().hide()
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        for row, (keys, what) in enumerate(rows):
            table.setItem(row, 0, QTableWidgetItem(keys))
            table.setItem(row, 1, QTableWidgetItem(what))
        table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        table.resizeColumnToContents(0)
        table.setCornerButtonEnabled(False)
        corner = table.findChild(QAbstractButton, "qt_tableview_cornerbutton")
        if corner is not None:
            corner.setAccessibleName("Select all")
        layout.addWidget(table)
        buttons = named(
            QDialogButtonBox(QDialogButtonBox.StandardButton.Close), "shortcutHelpButtons", "Close"
        )
        close = buttons.button(QDialogButtonBox.StandardButton.Close)
        named(close, "shortcutHelpClose", "Close")
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        name_scrollbars(table, "shortcutTable", "Scroll shortcuts")
        table.resizeRowsToContents()
        self.table = table
        self.resize(520, min(720, 40 + table.verticalHeader().length() + 90))
