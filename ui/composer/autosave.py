"""Draft autosave: the composer's text reaches the store shortly after each pause in typing.

Why a short debounce and not save-on-close: a crash or a kill never runs close handlers, so
the draft must already be committed (the writer uses synchronous=FULL). DELAY_MS bounds what
a kill can lose to the last fraction of a second of typing. An emptied composer discards the
draft. Saves go through the store's single writer thread in order, so the last one wins.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from desktop.store import drafts

log = logging.getLogger(__name__)

DELAY_MS = 400


class DraftAutosaver(QObject):
    saved = Signal(int)  # conversation id, once the draft (or its removal) is committed

    def __init__(self, parent: QObject | None = None, delay_ms: int = DELAY_MS) -> None:
        super().__init__(parent)
        self.store: Any = None  # desktop.store.Store
        self.loop: asyncio.AbstractEventLoop | None = None  # the Qt thread's (qasync) loop
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(delay_ms)
        self._timer.timeout.connect(self.flush)
        self._pending: tuple[int, str, bool] | None = None
        self._tasks: set[asyncio.Future[Any]] = set()

    def changed(self, conversation_id: int, body: str, as_direct_message: bool) -> None:
        """The text changed: save after the pause."""
        self._pending = (conversation_id, body, as_direct_message)
        self._timer.start()

    def cancel(self) -> None:
        """Forget unsaved typing (the text was just sent: the send discards the draft)."""
        self._timer.stop()
        self._pending = None

    def flush(self) -> asyncio.Future[Any] | None:
        """Save what is pending now (switching conversation, closing the window)."""
        self._timer.stop()
        pending, self._pending = self._pending, None
        if pending is None or self.store is None:
            return None
        cid, body, dm = pending

        def job(session: Any) -> None:
            if body.strip():
                drafts.save(session, cid, body, as_direct_message=dm)
            elif drafts.get(session, cid) is not None:
                drafts.discard(session, cid)

        future = asyncio.wrap_future(self.store.submit(job), loop=self.loop)
        self._tasks.add(future)

        def done(f: asyncio.Future[Any]) -> None:
            self._tasks.discard(f)
            if f.cancelled():
                return
            if f.exception() is not None:
                log.error("draft autosave failed", exc_info=f.exception())
            else:
                try:
                    self.saved.emit(cid)
                except RuntimeError:  # the composer closed while the save committed
                    pass

        future.add_done_callback(done)
        return future

    async def settle(self) -> None:
        """Flush and wait until every save is committed (shutdown, tests)."""
        self.flush()
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    @property
    def dirty(self) -> bool:
        return self._pending is not None or bool(self._tasks)
