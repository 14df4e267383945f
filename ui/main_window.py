"""The inbox window: sidebar | filter bar + conversation list | conversation (+ side panel).

The window talks to an `InboxSource` (ui/data_source.py) for the list, and hands panels the
open workspace (`AppContext`, ui/context.py). Change records from the source refresh the named
rows at once and coalesce a re-query of the id list and the counts, so a sync burst costs one
query, and the model's row-level updates keep the user's selection.

Plug-in points for other panels:
- `tools_menu` (and `menus[...]`): add actions such as "Accounts…", "Reports…".
- `conversation_area`: a container whose layout holds the conversation widget (the thread
  view today); `set_conversation_widget(w)` swaps it.
- `side_area`: a hidden container right of the conversation (customer panel);
  `add_side_widget(w)` puts a widget there, View > Customer panel (Ctrl+I) shows it.
- `conversation_changed(int | None)`: the conversation the user is on.
- `context_changed(AppContext | None)`: a workspace opened or closed.
- `before_close`: async or plain callables run at shutdown before sync stops (flush drafts).
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import replace
from typing import Any

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QLabel,
    QMainWindow,
    QMessageBox,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.enums import ConversationStatus
from ui.context import AppContext
from ui.conversation_table import ROW_HEIGHT, ConversationTable
from ui.data_source import ChangeSet, InboxFilter, InboxRow, InboxSource, Sort, View
from ui.filter_bar import SORT_LABELS, FilterBar
from ui.first_run import FirstRunPanel
from ui.icons import app_icon
from ui.models.conversation_list import ConversationListModel, IdRole, RowRole
from ui.naming import named
from ui.notifications import Notifier
from ui.saved_searches import load as load_saved
from ui.settings import ProfileSettings
from ui.shortcuts import SHORTCUTS, ShortcutHelp, build_actions, build_menus, menu_shortcuts
from ui.sidebar import VIEW_LABELS, CountRole, Sidebar, ViewCountDelegate
from ui.sidebar_feed import SidebarFeed
from ui.thread_view import ThreadView
from ui.view_counter import ViewCounter
from ui.window_layout import restore_layout, save_layout, settings_dir
from ui.window_search import SearchAndFilters

__all__ = [
    "ROW_HEIGHT",
    "SHORTCUTS",
    "SORT_LABELS",
    "VIEW_LABELS",
    "CountRole",
    "MainWindow",
    "ShortcutHelp",
    "ViewCountDelegate",
]

log = logging.getLogger(__name__)

REQUERY_DELAY_MS = 120  # coalesce a burst of change records into one id query
LOAD_ROWS = 1000  # ids read per page of the list; more as the user scrolls
LAYOUT_SAVE_DELAY_MS = 1000

BeforeClose = Callable[[], Awaitable[None] | None]

CLI_CONNECT = (
    "Connect an account from a terminal: `python -m desktop accounts add --help` shows how "
    "(the token goes to the system keyring); then reopen Switchboard."
)


class MainWindow(SearchAndFilters, QMainWindow):
    closed = Signal()
    online_changed = Signal(bool)
    conversation_changed = Signal(object)  # int | None
    demo_requested = Signal()  # File > Open the demo workspace, or the first-run choice
    context_changed = Signal(object)  # AppContext | None

    def __init__(self, source: InboxSource | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        named(self, "mainWindow", "Switchboard")
        self.setWindowTitle("Switchboard")
        self.setWindowIcon(app_icon())
        self.source: InboxSource | None = None
        self.context: AppContext | None = None
        self.filter = InboxFilter()
        self.sort = Sort.NEWEST
        self.search_ids: list[int] | None = None
        self.counts: dict[View, int] = {}
        self.before_close: list[BeforeClose] = []
        self._unsubscribe: Callable[[], None] | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self._empty_reason = "No workspace is open."
        self._current_conversation: int | None = None
        self.settings = ProfileSettings(None)

        self.model = ConversationListModel()
        self.model.more_wanted.connect(self._load_more)
        self.view_counter = ViewCounter(self)
        self.view_counter.counted.connect(self._counted)
        self._loaded = LOAD_ROWS
        self._list_key: object = None
        self._build()
        self._build_actions()
        self.feed = SidebarFeed(self.sidebar, self.filter_bar, self)  # brands, states, counts
        self.notifier = Notifier(self)  # tray notifications for new inbound, View > Notify me
        self.menus["View"].addSeparator()
        self.menus["View"].addMenu(self.table.columns_menu)
        self.menus["View"].addMenu(self.notifier.menu)
        self.notifier.activated.connect(self.reveal)

        self._requery_timer = QTimer(self)
        self._requery_timer.setSingleShot(True)
        self._requery_timer.setInterval(REQUERY_DELAY_MS)
        self._requery_timer.timeout.connect(self.requery)
        self._age_timer = QTimer(self)
        self._age_timer.setInterval(60_000)
        self._age_timer.timeout.connect(self.model.tick)
        self._age_timer.start()
        self._layout_timer = QTimer(self)  # save sizes a moment after the user drags
        self._layout_timer.setSingleShot(True)
        self._layout_timer.setInterval(LAYOUT_SAVE_DELAY_MS)
        self._layout_timer.timeout.connect(self.save_layout)
        for moved in (
            self.splitter.splitterMoved,
            self.right_splitter.splitterMoved,
            self.table.horizontalHeader().sectionResized,
        ):
            moved.connect(lambda *_args: self._layout_timer.start())
        self.help_dialog: ShortcutHelp | None = None
        self.set_source(source)
        # thread + notes strip + composer (ui/conversation_pane.py), Tools > Canned responses…
        from ui.conversation_pane import install_conversation_pane

        self.conversation_pane = install_conversation_pane(self)
        # customer panel (side area), notes strip, `a` assign chooser, H hand off, Colleagues…
        from ui.notes.install import install_people

        self.people = install_people(self)
        from ui.accounts_menu import install as install_accounts

        self.accounts_action = install_accounts(self)  # Tools > Accounts…
        # status bar: sync line over every account, progress, sync panel (ui/status_bar.py)
        from ui.status_bar import SyncStatus

        self.sync_status = SyncStatus.install(self)
        # Tools > Reports… (ui/reports): figures, charts and CSV over the open workspace
        from ui.reports import install as install_reports

        self.reports_action = install_reports(self)

    # -- building ---------------------------------------------------------------------------
    def _build(self) -> None:
        self.sidebar = Sidebar()
        self.views = self.sidebar.views
        self.sidebar.view_chosen.connect(self._view_chosen)
        self.sidebar.scope_chosen.connect(self._scope_chosen)
        self.sidebar.saved_search_chosen.connect(self.apply_saved_search)
        self.sidebar.saved_model.changed.connect(self._saved_changed)

        self.filter_bar = FilterBar()
        self.search_box = self.filter_bar.search_box
        self.sort_box = self.filter_bar.sort_box
        self.filter_bar.search_requested.connect(lambda _text: self.run_search())
        self.filter_bar.search_cleared.connect(self.clear_search)
        self.filter_bar.sort_changed.connect(self._sort_chosen)
        self.filter_bar.filter_changed.connect(lambda changes: self.set_filter(**changes))
        self.filter_bar.clear_requested.connect(self.clear_filters)

        self.table = ConversationTable(self.model)
        self.table.selectionModel().currentRowChanged.connect(self._current_changed)
        self.table.activated.connect(lambda _index: self.open_current())

        self.empty_label = named(QLabel(), "emptyState", "Empty list")
        self.empty_label.setTextFormat(Qt.TextFormat.PlainText)
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setWordWrap(True)
        self.list_stack = named(QStackedWidget(), "listStack", "Conversation list")
        self.list_stack.addWidget(self.table)
        self.list_stack.addWidget(self.empty_label)
        self.first_run = FirstRunPanel()
        self.first_run.connect_requested.connect(self.connect_account)
        self.first_run.demo_requested.connect(self.demo_requested.emit)
        self.list_stack.addWidget(self.first_run)
        self._first_run = False

        self.list_pane = QWidget()
        self.list_pane.setObjectName("listPane")
        col = QVBoxLayout(self.list_pane)
        col.setContentsMargins(0, 0, 0, 0)
        col.setSpacing(0)
        col.addWidget(self.filter_bar)
        col.addWidget(self.list_stack, 1)

        self.thread = ThreadView()
        self.conversation_widget: QWidget = self.thread
        self.conversation_area = QWidget()
        self.conversation_area.setObjectName("conversationArea")
        area = QVBoxLayout(self.conversation_area)
        area.setContentsMargins(0, 0, 0, 0)
        area.setSpacing(0)
        area.addWidget(self.thread)

        self.side_area = QWidget()
        self.side_area.setObjectName("sideArea")
        side = QVBoxLayout(self.side_area)
        side.setContentsMargins(0, 0, 0, 0)
        self.side_area.hide()

        self.right_splitter = named(
            QSplitter(Qt.Orientation.Horizontal), "conversationSplitter", "Conversation panes"
        )
        self.right_splitter.addWidget(self.conversation_area)
        self.right_splitter.addWidget(self.side_area)
        self.right_splitter.setStretchFactor(0, 3)
        self.right_splitter.setStretchFactor(1, 1)
        self.right_splitter.setChildrenCollapsible(False)

        self.splitter = named(QSplitter(Qt.Orientation.Horizontal), "mainSplitter", "Panes")
        self.splitter.addWidget(self.sidebar)
        self.splitter.addWidget(self.list_pane)
        self.splitter.addWidget(self.right_splitter)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 3)
        self.splitter.setStretchFactor(2, 2)
        self.splitter.setSizes([170, 890, 340])
        self.splitter.setChildrenCollapsible(False)
        self.setCentralWidget(self.splitter)

        status = self.statusBar()
        named(status, "statusBar", "Status")
        self.online_label = named(QLabel(), "connectionStatus", "Connection")
        self.outbox_label = named(QLabel(), "outboxStatus", "Outbox")
        self.message_label = named(QLabel(), "statusMessage", "Last action")
        self.message_label.setTextFormat(Qt.TextFormat.PlainText)
        status.addWidget(self.message_label, 1)
        status.addPermanentWidget(self.outbox_label)
        status.addPermanentWidget(self.online_label)
        self.set_online(True)
        self.set_outbox_count(0)
        self.resize(1400, 860)

    def _build_actions(self) -> None:
        bar = named(self.menuBar(), "menuBar", "Menu bar")
        self.menus = build_menus(bar)
        self.tools_menu = self.menus["Tools"]
        self.shortcuts: dict[str, QAction] = build_actions(self, self.menus)
        handlers: dict[str, Callable[[], object]] = {
            "quit": self.close,
            "openDemo": self.demo_requested.emit,
            "next": lambda: self.move(1),
            "previous": lambda: self.move(-1),
            "open": self.open_current,
            "resolve": lambda: self.act("resolve"),
            "snooze": lambda: self.act("snooze"),
            "assign": lambda: self.act("assign"),
            "unread": lambda: self.act("unread"),
            "search": self.focus_search,
            "clearFilters": self.clear_filters,
            "saveSearch": self.save_search,
            "goInbox": lambda: self.go(View.ALL),
            "goNeedsReply": lambda: self.go(View.NEEDS_REPLY),
            "goMine": lambda: self.go(View.MINE),
            "goUnassigned": lambda: self.go(View.UNASSIGNED),
            "goHanded": lambda: self.go(View.HANDED_TO_ME),
            "goSnoozed": lambda: self.go(View.SNOOZED),
            "goResolved": lambda: self.go(View.RESOLVED),
            "focusSidebar": lambda: self.views.setFocus(Qt.FocusReason.ShortcutFocusReason),
            "focusList": lambda: self.table.setFocus(Qt.FocusReason.ShortcutFocusReason),
            "focusConversation": self.focus_conversation,
            "nextPane": self.next_pane,
            "toggleSide": lambda: self.show_side_area(not self.side_area.isVisible()),
            "help": self.show_help,
            "about": self.show_about,
        }
        for name, action in self.shortcuts.items():
            action.triggered.connect(lambda _checked=False, f=handlers[name]: f())
        self.shortcuts["toggleSide"].setCheckable(True)
        self.shortcuts["toggleSide"].setEnabled(False)  # until a panel is added
        # Enter opens from the list; in the search box Enter runs the search instead
        for keys, name in (("Return", "shortcut_openReturn"), ("Enter", "shortcut_openKeypad")):
            key = QShortcut(QKeySequence(keys), self.table, self.open_current)
            key.setContext(Qt.ShortcutContext.WidgetShortcut)
            key.setObjectName(name)

    # -- plug-in points ---------------------------------------------------------------------
    def set_conversation_widget(self, widget: QWidget) -> None:
        """Replace what `conversation_area` shows (e.g. a pane with thread + composer)."""
        layout = self.conversation_area.layout()
        assert layout is not None
        if self.conversation_widget is not widget:
            layout.removeWidget(self.conversation_widget)
            self.conversation_widget.hide()
            layout.addWidget(widget)
            widget.show()
            self.conversation_widget = widget

    def add_side_widget(self, widget: QWidget) -> None:
        """Put a panel in the side area (hidden until the user shows it, Ctrl+I)."""
        layout = self.side_area.layout()
        assert layout is not None
        layout.addWidget(widget)
        self.shortcuts["toggleSide"].setEnabled(True)
        if self.settings.data("window/sidePanel", False):
            self.show_side_area(True)

    def show_side_area(self, visible: bool) -> None:
        self.side_area.setVisible(visible)
        self.shortcuts["toggleSide"].setChecked(visible)
        if visible and self.right_splitter.sizes()[1] == 0:
            # shown for the first time since the layout was restored: its remembered width
            state = self.settings.blob("window/conversationSplitter")
            if state is not None:
                self.right_splitter.restoreState(state)
                self.side_area.setVisible(True)
            if self.right_splitter.sizes()[1] == 0:
                total = sum(self.right_splitter.sizes())
                self.right_splitter.setSizes([total - total // 3, total // 3])

    def focus_conversation(self) -> None:
        self.conversation_widget.setFocus(Qt.FocusReason.ShortcutFocusReason)
        if not self.conversation_widget.hasFocus():
            self.conversation_widget.focusNextChild()

    def next_pane(self) -> None:
        """F6: sidebar -> list -> conversation -> side panel -> sidebar."""
        panes: list[QWidget] = [self.views, self.search_box, self.table, self.conversation_widget]
        if self.side_area.isVisible():
            panes.append(self.side_area)
        focus = self.focusWidget()
        at = -1
        for i, pane in enumerate(panes):
            if focus is not None and (focus is pane or pane.isAncestorOf(focus)):
                at = i
        target = panes[(at + 1) % len(panes)]
        target.setFocus(Qt.FocusReason.TabFocusReason)
        if not target.hasFocus():
            target.focusNextChild()

    # -- accounts in the sidebar ------------------------------------------------------------
    def _load_accounts(self) -> None:
        """Brands/accounts changed: re-read them; the first account ends the welcome."""
        data = self.feed.load()
        if data.accounts and self._first_run:
            self.show_first_run(False)
        self.sidebar.show_scope(self.filter.brand_id, self.filter.account_id)

    def show_about(self) -> None:
        box = QMessageBox(self)
        named(box, "aboutDialog", "About Switchboard")
        box.setWindowTitle("About Switchboard")
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setText("Switchboard: one offline inbox for every brand account.")
        box.open()

    # -- source -----------------------------------------------------------------------------
    def set_source(
        self,
        source: InboxSource | None,
        empty_reason: str | None = None,
        context: AppContext | None = None,
    ) -> None:
        """Show `source`; `context` gives the panels the store and engine (None: no workspace)."""
        self.view_counter.wait()  # a count still reading the previous store finishes first
        if self.context is not None:
            self.save_layout()  # the profile being put away keeps its layout
        self.context = context
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        self.settings = ProfileSettings(settings_dir(context))
        self.sidebar.saved_model.set_searches(load_saved(self.settings))  # (not `changed`)
        self.sidebar._saved_hint_update()
        self.notifier.load(self.settings)
        self.feed.set_context(context)
        self.sidebar.show_scope(self.filter.brand_id, self.filter.account_id)
        self.source = source
        if empty_reason is not None:
            self._empty_reason = empty_reason
        self.model.set_source(source)
        self.thread.clear()
        self._set_current_conversation(None)
        if source is not None:
            self.filter = replace(self.filter, me_id=source.me_id)
            self._unsubscribe = source.subscribe(self.on_changes)
        self.requery()
        if context is not None:
            self.restore_layout()
        self.context_changed.emit(context)

    def on_changes(self, changes: ChangeSet) -> None:
        conv_ids = changes.ids("conversation")
        self.notifier.on_changes(changes)
        if any(changes.ids(e) for e in ("account", "brand", "agent", "tag")):
            self._load_accounts()
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
            self.sidebar.set_counts(self.counts)
            self._update_empty()
            return
        f = self.filter
        if self.search_ids is not None:
            f = replace(f, conversation_ids=self.search_ids)
        selected = self.current_id()
        anchor = self._scroll_anchor()
        self._load_ids(f)
        self._restore_anchor(anchor)
        self.view_counter.request(self.source)  # answers in _counted (off-thread if slow)
        self.feed.dirty = True  # per-account counts: on a worker, at most every 15 s
        self.set_outbox_count(self.source.outbox_count())
        self._update_empty()
        self._ensure_selection(selected)

    def _counted(self, source: object, counts: dict[View, int]) -> None:
        if source is not self.source:  # counted for a workspace that is gone
            return
        self.counts = counts
        self.sidebar.set_counts(counts)
        self._update_empty()

    def _load_ids(self, f: InboxFilter) -> None:
        """The first rows of the list, and more as the user scrolls (model.more_wanted).

        At 1M messages a view holds ~300k conversations; reading all their ids costs 0.5-1 s
        per re-query (each change record, each view switch). The list shows the first
        LOAD_ROWS and grows by that much when scrolled near its end, so a re-query costs the
        same for a view of 300 or 300,000. Counts come from view_counts, not the row count.
        """
        key = (f, self.sort)
        if key != self._list_key:  # another list: start from its first page again
            self._list_key = key
            self._loaded = LOAD_ROWS
        got = self.source.ids(f, self.sort, limit=self._loaded + 1) if self.source else []
        self.model.set_has_more(len(got) > self._loaded)
        self.model.set_ids(got[: self._loaded])

    def _load_more(self) -> None:
        if self.source is None:
            return
        self._loaded += LOAD_ROWS
        f = self.filter
        if self.search_ids is not None:
            f = replace(f, conversation_ids=self.search_ids)
        self._load_ids(f)

    def _scroll_anchor(self) -> tuple[int, int] | None:
        """The conversation at the top of the viewport and how far it is scrolled into, so
        rows arriving or leaving above it do not move what the user is reading. None at the
        very top: there new conversations should come into view."""
        bar = self.table.verticalScrollBar()
        if bar.value() <= 0:
            return None
        row = self.table.rowAt(0)
        cid = self.model.id_at(row)
        if cid is None:
            return None
        return cid, bar.value() - row * self.table.verticalHeader().defaultSectionSize()

    def _restore_anchor(self, anchor: tuple[int, int] | None) -> None:
        if anchor is None:
            return
        row = self.model.row_of(anchor[0])
        if row is None:
            return  # it left the list: stay where the scroll bar is
        self.table.updateGeometries()  # the scroll range follows the new row count now
        height = self.table.verticalHeader().defaultSectionSize()
        self.table.verticalScrollBar().setValue(row * height + anchor[1])

    def _ensure_selection(self, previous: int | None) -> None:
        """After rows left the list (e.g. resolved in Needs reply), select the row that took
        the place of the one the user was on, so j/k and e keep flowing."""
        if self.model.rowCount() == 0:
            if self.thread.conversation_id is not None:
                self.thread.clear()
            self._set_current_conversation(None)
            return
        if self.table.selectionModel().selectedRows():
            return
        row = self.table.currentIndex().row()
        if row < 0 and previous is not None:
            row = 0
        if row >= 0:
            self.select_row(min(row, self.model.rowCount() - 1))

    def show_first_run(self, on: bool) -> None:
        """Offer "Connect an account" / "Open the demo" instead of an empty list."""
        self._first_run = on
        self._update_empty()
        if on:
            self.first_run.connect_button.setFocus(Qt.FocusReason.OtherFocusReason)

    def connect_account(self) -> None:
        """First run's "Connect an account": Tools > Accounts… (ui/accounts_menu.py puts
        `open_accounts` on the window) with its Connect form open, or how to connect from
        the command line when this build has no accounts dialog."""
        opener = getattr(self, "open_accounts", None)
        dialog = None
        if opener is not None and self.context is not None:
            try:
                dialog = opener()
            except ImportError:
                log.exception("the accounts dialog is not available")
        if dialog is None:
            self.first_run.show_hint(CLI_CONNECT)
            self.show_message(CLI_CONNECT)
            return
        dialog.open_connect()

    def _update_empty(self) -> None:
        if self._first_run and self.source is not None and self.model.rowCount() == 0:
            self.list_stack.setCurrentWidget(self.first_run)
        elif self.source is None:
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
        index = self.model.index(row, self.table.first_column)
        self.table.selectionModel().setCurrentIndex(
            index,
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )
        self.table.scrollTo(index)

    def reveal(self, conversation_id: int | None) -> None:
        """Show a conversation (a clicked notification): in the current list if it is
        there, otherwise in All with the search and filters cleared."""
        if conversation_id is None or self.select_id(conversation_id):
            return
        self.clear_filters()
        self.go(View.ALL)
        self.select_id(conversation_id)

    def select_id(self, conversation_id: int) -> bool:
        row = self.model.row_of(conversation_id)
        if row is None and self.model.canFetchMore() and self.source is not None:
            # Further down than the loaded rows: load down to it (a rare jump, from a
            # notification or the customer timeline, may read the whole id list once).
            f = self.filter
            if self.search_ids is not None:
                f = replace(f, conversation_ids=self.search_ids)
            every = self.source.ids(f, self.sort)
            if conversation_id in every:
                self._loaded = (every.index(conversation_id) // LOAD_ROWS + 1) * LOAD_ROWS
                self.model.set_has_more(len(every) > self._loaded)
                self.model.set_ids(every[: self._loaded])
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
        self.sidebar.set_view(view)
        self.table.setFocus()

    def _view_chosen(self, view: View) -> None:
        if view != self.filter.view:
            self.filter = replace(self.filter, view=view)
            self._reload_list()

    def _reload_list(self) -> None:
        """The filter changed: start from the top of the new list."""
        self.thread.clear()
        self._set_current_conversation(None)
        self.table.selectionModel().clear()
        self.requery()
        if self.model.rowCount():
            self.select_row(0)

    def _sort_chosen(self, sort: Sort) -> None:
        self.sort = sort
        self.requery()

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        cid = current.data(IdRole) if current.isValid() else None
        if cid is None:
            return
        if cid != self.thread.conversation_id:
            self._show_thread(cid)
        self._set_current_conversation(cid)

    def _set_current_conversation(self, cid: int | None) -> None:
        if cid != self._current_conversation:
            self._current_conversation = cid
            self.conversation_changed.emit(cid)

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
        if self.help_dialog is not None:
            self.help_dialog.deleteLater()
        self.help_dialog = ShortcutHelp(self, menu_shortcuts(self.menuBar()))
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

    async def run_before_close(self) -> None:
        """Run the `before_close` hooks (flush drafts...); one failing does not stop the rest."""
        for hook in list(self.before_close):
            try:
                result = hook()
                if inspect.isawaitable(result):
                    await result
            except Exception:
                log.exception("before-close hook failed")

    # -- layout per profile (ui/window_layout.py) -------------------------------------------
    def save_layout(self) -> None:
        self._layout_timer.stop()
        save_layout(self)

    def restore_layout(self) -> None:
        restore_layout(self)
        self._layout_timer.stop()  # restoring is not a user's drag

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
        self.notifier.close()
        self.feed.close()
        self.view_counter.close()
        if self.context is not None:
            self.save_layout()
        self._age_timer.stop()
        self._requery_timer.stop()
        super().closeEvent(event)
        self.closed.emit()
