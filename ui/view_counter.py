"""The views' counts (All, Needs reply, Mine, ...) read off the UI thread when they are slow.

At 1M messages the seven counts scan ~300k conversations: ~0.6 s, and the window re-reads
them after every burst of change records, so on the UI thread a running sync would freeze
the window for that long again and again. A source that says its counts are slow
(`slow_counts`, the store) is counted on one worker thread: one count at a time, requests
meanwhile coalesced into one more, the answer brought back by a queued signal. An in-memory
source is counted at once, as before.
"""

from __future__ import annotations

import logging
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from PySide6.QtCore import QObject, Signal

log = logging.getLogger(__name__)


class ViewCounter(QObject):
    counted = Signal(object, object)  # (source, dict[View, int])

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="view-counts")
        self._future: Future[None] | None = None
        self._again: Any = None  # a source to count once the running count is done
        self._closed = False

    def request(self, source: Any) -> None:
        if not getattr(source, "slow_counts", False):
            self.counted.emit(source, source.view_counts())
            return
        if self._future is not None and not self._future.done():
            self._again = source
            return
        self._start(source)

    def _start(self, source: Any) -> None:
        if self._closed:
            return
        emit = self.counted.emit

        def work() -> None:
            try:
                counts = source.view_counts()
            except Exception:  # e.g. the store closed under us at shutdown
                log.warning("view counts failed", exc_info=True)
                return
            try:
                emit(source, counts)
            except RuntimeError:  # the window went away meanwhile
                pass

        self._future = self._pool.submit(work)
        self._future.add_done_callback(lambda _f: self._next())

    def _next(self) -> None:
        again, self._again = self._again, None
        if again is not None:
            self._start(again)

    def flush(self) -> None:
        """Wait until no count runs or waits to run (the answers still come as queued
        signals: process events afterwards to receive them)."""
        while True:
            future = self._future
            if future is None:
                return
            future.result(timeout=10)
            if self._future is future and self._again is None:
                return

    def wait(self) -> None:
        """Before the store closes: let a running count finish (it reads that store)."""
        self._again = None
        future = self._future
        if future is not None:
            try:
                future.result(timeout=10)
            except Exception:
                log.warning("view counts failed", exc_info=True)

    def close(self) -> None:
        self._closed = True
        self._again = None
        self._pool.shutdown(wait=True)
