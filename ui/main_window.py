"""The inbox window: views sidebar, conversation list, thread, status bar; keyboard-first.

The window talks to an `InboxSource` only (ui/data_source.py). Change records from the source
refresh the named rows at once and coalesce a re-query of the id list and the counts, so a
sync burst costs one query, and the model's row-level updates keep the user's selection.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from dataclasses import replace
from typing import Any

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QKeySequence, QPainter, QPalette, QShortcut
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QSplitter,
    QStackedWidget,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.enums import ConversationStatus
from ui.context import AppContext
from ui.data_source import ChangeSet, InboxFilter, InboxRow, InboxSource, Sort, View
from ui.icons import app_icon
from ui.models.conversation_list import (
    COL_ACCOUNT,
    COL_AGE,
    COL_ASSIGNEE,
    COL_CUSTOMER,
    COL_PLATFORM,
    COL_SNIPPET,
    COL_STATUS,
    ConversationListModel,
    IdRole,
    RowRole,
)
from ui.thread_view import ThreadView

log = logging.getLogger(__name__)

ROW_HEIGHT = 30
REQUERY_DELAY_MS = 120  # coalesce a burst of change records into one id query

VIEW_LABELS: dict[View, str] = {
    View.ALL: "All",
    View.NEEDS_REPLY: "Needs reply",
    View.MINE: "Mine",
    View.UNASSIGNED: "Unassigned",
    View.HANDED_TO_ME: "Handed to me",
    View.SNOOZED: "Snoozed",
    View.RESOLVED: "Resolved",
}

SORT_LABELS: dict[Sort, str] = {
    Sort.NEWEST: "Newest",
    Sort.OLDEST_WAITING: "Oldest waiting",
    Sort.PRIORITY: "Priority",
}

# (object name, keys, what it does) — the help dialog is generated from this table
SHORTCUTS: tuple[tuple[str, str, str], ...] = (
    ("next", "J", "Next conversation (or Down)"),
    ("previous", "K", "Previous conversation (or Up)"),
    ("open", "Return", "Open the conversation (marks it read)"),
    ("resolve", "E", "Resolve"),
    ("snooze", "S", "Snooze until tomorrow 09:00"),
    ("assign", "A", "Assign to me"),
    ("unread", "M", "Mark unread"),
    ("search", "/", "Search"),
    ("goInbox", "G, I", "Go to All"),
    ("goMine", "G, M", "Go to Mine"),
    ("goUnassigned", "G, U", "Go to Unassigned"),
    ("goNeedsReply", "G, N", "Go to Needs reply"),
    ("help", "?", "Show keyboard shortcuts"),
)


def _named(widget: QWidget, name: str, accessible: str) -> Any:
    widget.setObjectName(name)
    widget.setAccessibleName(accessible)
    return widget


CountRole = Qt.ItemDataRole.UserRole + 1


class ViewCountDelegate(QStyledItemDelegate):
    """Sidebar rows: the view's name on the left, its live count right-aligned."""

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
            rect, int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter), count
        )
        painter.restore()


class ShortcutHelp(QDialog):
    """Every shortcut, from SHORTCUTS. Opened with open() (never exec() from a coroutine)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        _named(self, "shortcutHelp", "Keyboard shortcuts")
        self.setWindowTitle("Keyboard shortcuts")
        layout = QVBoxLayout(self)
        table = _named(QTableWidget(len(SHORTCUTS), 2), "shortcutTable", "Shortcut list")
        table.setHorizontalHeaderLabels(["Keys", "Action"])
        table.verticalHeader().hide()
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        for row, (_, keys, what) in enumerate(SHORTCUTS):
            shown = QKeySequence(keys).toString(QKeySequence.SequenceFormat.NativeText)
            table.setItem(row, 0, QTableWidgetItem(shown.replace(", ", " then ")))
            table.setItem(row, 1, QTableWidgetItem(what))
        table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        table.resizeColumnToContents(0)
        table.setCornerButtonEnabled(False)
        corner = table.findChild(QAbstractButton, "qt_tableview_cornerbutton")
        if corner is not None:
            corner.setAccessibleName("Select all")
        layout.addWidget(table)
        buttons = _named(
            QDialogButtonBox(QDialogButtonBox.StandardButton.Close), "shortcutHelpButtons", "Close"
        )
        buttons.button(QDialogButtonBox.StandardButton.Close).setObjectName("shortcutHelpClose")
        buttons.button(QDialogButtonBox.StandardButton.Close).setAccessibleName("Close")
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        table.resizeRowsToContents()
        self.resize(500, 40 + table.verticalHeader().length() + 90)


class MainWindow(QMainWindow):
    closed = Signal()
    online_changed = Signal(bool)

    def __init__(self, source: InboxSource | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        _named(self, "mainWindow", "Switchboard")
        self.setWindowTitle("Switchboard")
        self.setWindowIcon(app_icon())
        self.source: InboxSource | None = None
        self.context: AppContext | None = None
        self.filter = InboxFilter()
        self.sort = Sort.NEWEST
        self.search_ids: list[int] | None = None
        self.counts: dict[View, int] = {}
        self._unsubscribe: Callable[[], None] | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self._empty_reason = "No workspace is open."

        self.model = ConversationListModel()
        self._build()
        self._build_shortcuts()

        self._requery_timer = QTimer(self)
        self._requery_timer.setSingleShot(True)
        self._requery_timer.setInterval(REQUERY_DELAY_MS)
        self._requery_timer.timeout.connect(self.requery)
        self._age_timer = QTimer(self)
        self._age_timer.setInterval(60_000)
        self._age_timer.timeout.connect(self.model.tick)
        self._age_timer.start()
        self.help_dialog: ShortcutHelp | None = None
        self.set_source(source)

    # -- building ---------------------------------------------------------------------------
    def _build(self) -> None:
        self.views = _named(QListWidget(), "viewList", "Views")
        for view, label in VIEW_LABELS.items():
            item = QListWidgetItem(label)
            item.setData(Qt.ItemDataRole.UserRole, view.value)
            self.views.addItem(item)
        self.views.setCurrentRow(0)
        self.views.currentItemChanged.connect(self._view_chosen)
        self.views.setMinimumWidth(170)
        self.views.setItemDelegate(ViewCountDelegate(self.views))

        self.search_box = _named(QLineEdit(), "searchBox", "Search conversations")
        self.search_box.setPlaceholderText("Search  (/)   e.g. refund from:jane platform:bluesky")
        self.search_box.setClearButtonEnabled(True)
        self.search_box.returnPressed.connect(self.run_search)
        QShortcut(QKeySequence("Escape"), self.search_box, self.clear_search).setObjectName(
            "shortcut_clearSearch"
        )
        self.sort_box = _named(QComboBox(), "sortBox", "Sort order")
        for sort, label in SORT_LABELS.items():
            self.sort_box.addItem(label, sort.value)
        self.sort_box.currentIndexChanged.connect(self._sort_chosen)
        _named(self.sort_box.view(), "sortBoxPopup", "Sort orders")

        self.table = _named(QTableView(), "conversationList", "Conversations")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setShowGrid(False)
        self.table.setWordWrap(False)
        self.table.setAlternatingRowColors(True)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.table.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        vh = self.table.verticalHeader()
        vh.hide()
        # fixed-height rows: the view never measures rows (DESIGN.md: ~9 ms insert at 1M rows)
        vh.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vh.setDefaultSectionSize(ROW_HEIGHT)
        vh.setMinimumSectionSize(ROW_HEIGHT)
        hh = self.table.horizontalHeader()
        _named(hh, "conversationListHeader", "Columns")
        hh.setHighlightSections(False)
        hh.setStretchLastSection(False)
        widths = {
            COL_PLATFORM: 34,
            COL_CUSTOMER: 160,
            COL_ACCOUNT: 165,
            COL_AGE: 60,
            COL_STATUS: 96,
            COL_ASSIGNEE: 96,
        }
        for col, width in widths.items():
            hh.setSectionResizeMode(col, QHeaderView.ResizeMode.Interactive)
            hh.resizeSection(col, width)
        hh.setSectionResizeMode(COL_PLATFORM, QHeaderView.ResizeMode.Fixed)
        hh.setSectionResizeMode(COL_SNIPPET, QHeaderView.ResizeMode.Stretch)
        self.table.setIconSize(
            self.table.iconSize().scaled(18, 18, Qt.AspectRatioMode.KeepAspectRatio)
        )
        self.table.selectionModel().currentRowChanged.connect(self._current_changed)
        self.table.activated.connect(lambda _index: self.open_current())
        for bar, what in (
            (self.table.verticalScrollBar(), "conversationListVScroll"),
            (self.table.horizontalScrollBar(), "conversationListHScroll"),
        ):
            _named(bar, what, "Scroll conversations")

        self.empty_label = _named(QLabel(), "emptyState", "Empty list")
        self.empty_label.setTextFormat(Qt.TextFormat.PlainText)
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setWordWrap(True)
        self.list_stack = _named(QStackedWidget(), "listStack", "Conversation list")
        self.list_stack.addWidget(self.table)
        self.list_stack.addWidget(self.empty_label)

        middle = QWidget()
        middle.setObjectName("listPane")
        bar = QHBoxLayout()
        bar.setContentsMargins(6, 6, 6, 6)
        bar.addWidget(self.search_box, 1)
        bar.addWidget(self.sort_box)
        col = QVBoxLayout(middle)
        col.setContentsMargins(0, 0, 0, 0)
        col.setSpacing(0)
        col.addLayout(bar)
        col.addWidget(self.list_stack, 1)

        self.thread = ThreadView()

        self.splitter = _named(QSplitter(Qt.Orientation.Horizontal), "mainSplitter", "Panes")
        self.splitter.addWidget(self.views)
        self.splitter.addWidget(middle)
        self.splitter.addWidget(self.thread)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 3)
        self.splitter.setStretchFactor(2, 2)
        self.splitter.setSizes([180, 820, 400])
        self.splitter.setChildrenCollapsible(False)
        self.setCentralWidget(self.splitter)

        status = self.statusBar()
        _named(status, "statusBar", "Status")
        self.online_label = _named(QLabel(), "connectionStatus", "Connection")
        self.outbox_label = _named(QLabel(), "outboxStatus", "Outbox")
        self.message_label = _named(QLabel(), "statusMessage", "Last action")
        self.message_label.setTextFormat(Qt.TextFormat.PlainText)
        status.addWidget(self.message_label, 1)
        status.addPermanentWidget(self.outbox_label)
        status.addPermanentWidget(self.online_label)
        self.set_online(True)
        self.set_outbox_count(0)
        self.resize(1400, 860)

    def _build_shortcuts(self) -> None:
        handlers: dict[str, Callable[[], None]] = {
            "next": lambda: self.move(1),
            "previous": lambda: self.move(-1),
            "open": self.open_current,
            "resolve": lambda: self.act("resolve"),
            "snooze": lambda: self.act("snooze"),
            "assign": lambda: self.act("assign"),
            "unread": lambda: self.act("unread"),
            "search": self.focus_search,
            "goInbox": lambda: self.go(View.ALL),
            "goMine": lambda: self.go(View.MINE),
            "goUnassigned": lambda: self.go(View.UNASSIGNED),
            "goNeedsReply": lambda: self.go(View.NEEDS_REPLY),
            "help": self.show_help,
        }
        self.shortcuts: dict[str, QShortcut] = {}
        for name, keys, _ in SHORTCUTS:
            if name == "open":
                # Enter opens from the list; in the search box Enter runs the search instead
                shortcut = QShortcut(QKeySequence(keys), self.table, handlers[name])
                shortcut.setContext(Qt.ShortcutContext.WidgetShortcut)
                extra = QShortcut(QKeySequence("Enter"), self.table, handlers[name])
                extra.setContext(Qt.ShortcutContext.WidgetShortcut)
                extra.setObjectName("shortcut_openKeypad")
            else:
                shortcut = QShortcut(QKeySequence(keys), self, handlers[name])
                shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
            shortcut.setObjectName(f"shortcut_{name}")
            self.shortcuts[name] = shortcut

    # -- source -----------------------------------------------------------------------------
    def set_source(
        self,
        source: InboxSource | None,
        empty_reason: str | None = None,
        context: AppContext | None = None,
    ) -> None:
        """Show `source`; `context` gives the panels the store and engine (None: no workspace)."""
        self.context = context
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        self.source = source
        if empty_reason is not None:
            self._empty_reason = empty_reason
        self.model.set_source(source)
        self.thread.clear()
        if source is not None:
            self.filter = replace(self.filter, me_id=source.me_id)
            self._unsubscribe = source.subscribe(self.on_changes)
        self.requery()

    def on_changes(self, changes: ChangeSet) -> None:
        conv_ids = changes.ids("conversation")
        if conv_ids:
            self.model.refresh(conv_ids)
            if self.thread.conversation_id in conv_ids:
                self._show_thread(self.thread.conversation_id)
        self._requery_timer.start()

    def requery(self) -> None:
        """Re-read ids, counts and the outbox count; row-level model updates keep selection."""
        self._requery_timer.stop()
        if self.source is None:
            self.model.set_ids([])
            self.counts = {}
            self._update_counts()
            self._update_empty()
            return
        f = self.filter
        if self.search_ids is not None:
            f = replace(f, conversation_ids=self.search_ids)
        selected = self.current_id()
        self.model.set_ids(self.source.ids(f, self.sort))
        self.counts = self.source.view_counts()
        self._update_counts()
        self.set_outbox_count(self.source.outbox_count())
        self._update_empty()
        self._ensure_selection(selected)

    def _ensure_selection(self, previous: int | None) -> None:
        """After rows left the list (e.g. resolved in Needs reply), select the row that took
        the place of the one the user was on, so j/k and e keep flowing."""
        if self.model.rowCount() == 0:
            if self.thread.conversation_id is not None:
                self.thread.clear()
            return
        if self.table.selectionModel().selectedRows():
            return
        row = self.table.currentIndex().row()
        if row < 0 and previous is not None:
            row = 0
        if row >= 0:
            self.select_row(min(row, self.model.rowCount() - 1))

    def _update_counts(self) -> None:
        for i in range(self.views.count()):
            item = self.views.item(i)
            view = View(item.data(Qt.ItemDataRole.UserRole))
            label = VIEW_LABELS[view]
            n = self.counts.get(view)
            item.setText(label)
            item.setData(CountRole, f"{n:,}" if n is not None else "")
            item.setData(Qt.ItemDataRole.AccessibleTextRole, f"{label}, {n or 0} conversations")

    def _update_empty(self) -> None:
        if self.source is None:
            self.empty_label.setText(self._empty_reason)
            self.list_stack.setCurrentWidget(self.empty_label)
        elif self.model.rowCount() == 0:
            if self.search_ids is not None:
                text = "No conversation matches the search."
            else:
                text = f"Nothing in {VIEW_LABELS[self.filter.view]}."
            self.empty_label.setText(text)
            self.list_stack.setCurrentWidget(self.empty_label)
        else:
            self.list_stack.setCurrentWidget(self.table)

    # -- navigation -------------------------------------------------------------------------
    def current_id(self) -> int | None:
        rows = self.table.selectionModel().selectedRows()
        if rows:
            return rows[0].data(IdRole)
        return None

    def select_row(self, row: int) -> None:
        if not 0 <= row < self.model.rowCount():
            return
        index = self.model.index(row, COL_CUSTOMER)
        self.table.selectionModel().setCurrentIndex(
            index,
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )
        self.table.scrollTo(index)

    def select_id(self, conversation_id: int) -> bool:
        row = self.model.row_of(conversation_id)
        if row is None:
            return False
        self.select_row(row)
        return True

    def move(self, step: int) -> None:
        if self.model.rowCount() == 0:
            return
        row = self.table.currentIndex().row()
        target = 0 if row < 0 else max(0, min(self.model.rowCount() - 1, row + step))
        self.select_row(target)
        if not self.search_box.hasFocus():
            self.table.setFocus()

    def go(self, view: View) -> None:
        for i in range(self.views.count()):
            if self.views.item(i).data(Qt.ItemDataRole.UserRole) == view.value:
                self.views.setCurrentRow(i)
        self.table.setFocus()

    def _view_chosen(self, item: QListWidgetItem | None, _previous: object = None) -> None:
        if item is None:
            return
        view = View(item.data(Qt.ItemDataRole.UserRole))
        if view != self.filter.view:
            self.filter = replace(self.filter, view=view)
            self.thread.clear()
            self.table.selectionModel().clear()
            self.requery()
            if self.model.rowCount():
                self.select_row(0)

    def _sort_chosen(self, _index: int) -> None:
        self.sort = Sort(self.sort_box.currentData())
        self.requery()

    def focus_search(self) -> None:
        self.search_box.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search_box.selectAll()

    def run_search(self) -> None:
        text = self.search_box.text().strip()
        if self.source is None:
            return
        if not text:
            self.clear_search()
            return
        try:
            self.search_ids = self.source.search(text)
        except Exception as exc:  # the store's UserError: a bad query, shown, not raised
            self.show_message(str(exc))
            return
        self.thread.clear()
        self.table.selectionModel().clear()
        self.requery()
        self.show_message(f"{len(self.search_ids)} conversations match")
        if self.model.rowCount():
            self.select_row(0)
            self.table.setFocus()

    def clear_search(self) -> None:
        self.search_box.clear()
        if self.search_ids is not None:
            self.search_ids = None
            self.requery()
        self.table.setFocus()

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        cid = current.data(IdRole) if current.isValid() else None
        if cid is None:
            return
        if cid != self.thread.conversation_id:
            self._show_thread(cid)

    def _show_thread(self, conversation_id: int | None) -> None:
        if self.source is None or conversation_id is None:
            return
        row = self.model.row_of(conversation_id)
        display: InboxRow | None = (
            self.model.index(row, 0).data(RowRole) if row is not None else None
        )
        if display is None:
            rows = self.source.rows([conversation_id])
            display = rows[0] if rows else None
        self.thread.show_thread(display, self.source.thread(conversation_id))

    def open_current(self) -> None:
        cid = self.current_id()
        if cid is None:
            return
        self._show_thread(cid)
        row = self.model.cached_row(cid)
        if row is not None and row.unread and self.source is not None:
            source = self.source
            self.spawn(source.mark_unread(cid, False), "mark read")

    def show_help(self) -> None:
        if self.help_dialog is None:
            self.help_dialog = ShortcutHelp(self)
        self.help_dialog.open()

    # -- actions ----------------------------------------------------------------------------
    def act(self, action: str) -> None:
        cid = self.current_id()
        if cid is None or self.source is None:
            return
        source = self.source
        coro: Coroutine[Any, Any, None]
        if action == "resolve":
            coro, done = source.set_status(cid, ConversationStatus.RESOLVED), "Resolved"
        elif action == "snooze":
            coro, done = source.set_status(cid, ConversationStatus.SNOOZED), "Snoozed"
        elif action == "assign":
            coro, done = source.assign_to_me(cid), "Assigned to you"
        elif action == "unread":
            coro, done = source.mark_unread(cid, True), "Marked unread"
        else:
            raise ValueError(action)
        self.spawn(coro, done)

    def spawn(self, coro: Coroutine[Any, Any, None], done: str) -> None:
        """Run a source action on the event loop; report the outcome in the status bar."""
        try:
            task = asyncio.get_event_loop().create_task(coro)
        except RuntimeError:
            coro.close()
            self.show_message("Not ready: no event loop")
            return
        self._tasks.add(task)

        def finished(t: asyncio.Task[Any]) -> None:
            self._tasks.discard(t)
            if t.cancelled():
                return
            exc = t.exception()
            if isinstance(exc, NotImplementedError):
                self.show_message(f"Not available yet: {exc}")
            elif exc is not None:
                log.error("action failed", exc_info=exc)
                self.show_message(f"Failed: {exc}")
            else:
                self.show_message(done)

        task.add_done_callback(finished)

    async def settle(self) -> None:
        """Wait for running actions (tests, shutdown)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    # -- status bar -------------------------------------------------------------------------
    def show_message(self, text: str) -> None:
        self.message_label.setText(text)

    def set_online(self, online: bool) -> None:
        self.online = online
        self.online_label.setText(
            "● Online" if online else "○ Offline — changes wait in the outbox"
        )
        self.online_label.setAccessibleName("Online" if online else "Offline")
        self.online_changed.emit(online)

    def set_outbox_count(self, n: int) -> None:
        self.outbox_label.setText(f"Outbox: {n}")
        self.outbox_label.setAccessibleName(f"Outbox, {n} waiting")

    # -- closing ----------------------------------------------------------------------------
    def closeEvent(self, event: QCloseEvent) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        self._age_timer.stop()
        self._requery_timer.stop()
        super().closeEvent(event)
        self.closed.emit()
