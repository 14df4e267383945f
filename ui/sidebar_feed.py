"""Feeds the sidebar's brands-and-accounts tree and the filter bar's choices from the open
workspace: brands and accounts (re-read on account/brand change records), each account's
sync state (the engine's AccountStates, brought to the UI thread by a queued signal) and the
per-account needs-reply counts and how many conversations each saved search shows.

The counts scan the conversations table (0.43 s at 1M messages; SQLite's own plan took
2.9 s), so they are read on a worker thread: when a workspace opens, then at most every
COUNTS_EVERY_MS while changes arrive; the result comes back through a queued signal.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from ui.filter_bar import FilterBar, FilterChoices, read_choices
from ui.models.account_tree import SidebarData, read_counts, read_sidebar
from ui.saved_searches import count as count_saved
from ui.sidebar import Sidebar

log = logging.getLogger(__name__)

COUNTS_EVERY_MS = 15_000


class SidebarFeed(QObject):
    state_arrived = Signal(object)  # AccountState, from the engine's loop thread
    # the context they were read for, {account: n}, {saved search name: n}
    counts_arrived = Signal(object, object, object)

    def __init__(self, sidebar: Sidebar, filter_bar: FilterBar, parent: QObject) -> None:
        super().__init__(parent)
        self.sidebar = sidebar
        self.filter_bar = filter_bar
        self.context: Any = None
        self.dirty = False
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sidebar-counts")
        self._future: Future[None] | None = None
        self._unsubscribe: Callable[[], None] | None = None
        self.state_arrived.connect(self._state)
        self.counts_arrived.connect(self._counts)
        self._timer = QTimer(self)
        self._timer.setInterval(COUNTS_EVERY_MS)
        self._timer.timeout.connect(self.count_if_dirty)
        self._timer.start()

    def set_context(self, context: Any) -> SidebarData:
        """A workspace opened (or closed, None): read it, follow its engine, count."""
        self.wait()
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        self.context = context
        data = self.load()
        engine = context.engine if context is not None else None
        if engine is not None:
            for state in engine.states.all().values():
                self._state(state)
            self._unsubscribe = engine.states.subscribe(self.state_arrived.emit)
        self.count()
        return data

    def load(self) -> SidebarData:
        """Re-read brands, accounts and the filter choices (cheap: a few small tables)."""
        data = SidebarData([], [], {})
        if self.context is None:
            self.sidebar.account_model.load(data)
            self.filter_bar.set_choices(FilterChoices())
            return data
        try:
            data = read_sidebar(self.context.store)
            self.sidebar.account_model.load(data)
            self.filter_bar.set_choices(read_choices(self.context.store))
        except Exception:
            log.exception("could not read brands and accounts")
        self.sidebar.accounts.expandAll()
        return data

    def count(self) -> None:
        """Read the counts on the worker; one at a time (a request meanwhile waits for the
        next tick)."""
        context = self.context
        if context is None:
            return
        if self._future is not None and not self._future.done():
            self.dirty = True
            return
        self.dirty = False
        emit = self.counts_arrived.emit
        searches = self.sidebar.saved_model.searches()

        def work() -> None:
            try:
                counts = read_counts(context.store)
                saved: dict[str, int] = {}
                with context.store.reader() as session:
                    for search in searches:
                        try:
                            saved[search.name] = count_saved(session, search, context.me_id)
                        except Exception:  # a query the store no longer reads: no count
                            log.warning("cannot count saved search %r", search.name)
            except Exception:
                log.exception("could not count per account")
                return
            try:
                emit(context, counts, saved)
            except RuntimeError:  # the window went away meanwhile
                pass

        try:
            self._future = self._pool.submit(work)
        except RuntimeError:  # closed: no more counting
            self._future = None

    def count_if_dirty(self) -> None:
        if self.dirty:
            self.count()

    def wait(self) -> None:
        """Before the store goes away: let a running count finish (it reads that store)."""
        future = self._future
        if future is not None and not future.done():
            try:
                future.result(timeout=10)
            except Exception:
                log.exception("per-account count failed")

    def close(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        self._timer.stop()
        self._pool.shutdown(wait=False, cancel_futures=True)

    def _counts(self, context: Any, counts: dict[int, int], saved: dict[str, int]) -> None:
        if context is self.context:
            self.sidebar.account_model.set_counts(counts)
            self.sidebar.saved_model.set_counts(saved)

    def _state(self, state: Any) -> None:
        self.sidebar.account_model.set_state(
            state.account_id, str(state.phase), state.until, state.error
        )
