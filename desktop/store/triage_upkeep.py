"""Keeps triage current while a workspace is open, beside sync.

Sync pages are scored in their own transaction (StoreInbound.store_page). Three things
remain, and this runs them on the store's writer thread from the event loop:

- backfill: conversations without triage facts (a database from before triage, the demo
  generator's rows) are folded in small slices, one writer transaction each, so sync and
  the user's actions interleave with it;
- the clock: every `rescore_every` seconds the conversations whose waiting reason changes
  band by now ("due in 5 min" becoming "overdue") are re-scored (rescore_due, an index
  range on rescore_at);
- other writers: a conversation change that sync did not make (a status change, an
  assignment, a reply recorded as sent) is re-assessed in a follow-up transaction, so a
  resolved conversation loses its priority and due time at once.

Nothing here scans the messages table.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from functools import partial

from desktop.store import triage
from desktop.store.changes import ChangeSet
from desktop.store.db import Store

log = logging.getLogger(__name__)

# Initiators whose conversation changes are already scored in their own transaction.
_SCORED_BY_WRITER = frozenset({"triage", "sync"})


class TriageUpkeep:
    def __init__(
        self, store: Store, *, rescore_every: float = 60.0, backfill_slice: int = 2000
    ) -> None:
        self.store = store
        self.rescore_every = rescore_every
        self.backfill_slice = backfill_slice
        self.backfill_remaining: int | None = None  # None until the first slice ran
        self._pending: set[int] = set()
        self._flush: asyncio.Task[None] | None = None
        self._clock: asyncio.Task[None] | None = None
        self._unsubscribe: Callable[[], None] | None = None
        self.backfilled = asyncio.Event()

    def start(self, loop: asyncio.AbstractEventLoop) -> None:
        self._unsubscribe = self.store.changes.subscribe_on_loop(loop, self.on_changes)
        self._clock = loop.create_task(self._run())

    async def stop(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        for task in (self._clock, self._flush):
            if task is not None and not task.done():
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
        self._clock = self._flush = None

    # -- changes made by other writers -----------------------------------------------------
    def on_changes(self, changes: ChangeSet) -> None:
        for record in changes.records:
            if record.entity == "conversation" and record.initiator not in _SCORED_BY_WRITER:
                self._pending.update(record.ids)
        if self._pending and (self._flush is None or self._flush.done()):
            self._flush = asyncio.get_running_loop().create_task(self.flush())

    async def flush(self) -> None:
        """Re-assess the conversations other writers changed (statuses, sent replies)."""
        while self._pending:
            ids = sorted(self._pending)
            self._pending.clear()
            await self.store.run(partial(triage.recompute_for_conversations, conversation_ids=ids))

    # -- backfill and the clock ------------------------------------------------------------
    async def backfill(self) -> None:
        """Fold in every conversation without facts, one slice per writer transaction."""
        while True:
            remaining = await self.store.run(
                lambda s: triage.backfill(s, limit=self.backfill_slice, announce=True)
            )
            self.backfill_remaining = remaining
            if not remaining:
                break
            await asyncio.sleep(0)  # let the loop breathe between slices
        self.backfilled.set()

    async def _run(self) -> None:
        try:
            await self.backfill()
            while True:
                await self.store.run(triage.rescore_due)
                await asyncio.sleep(self.rescore_every)
        except asyncio.CancelledError:
            raise
        except Exception:  # a closed store at shutdown, a locked file: log, do not crash
            log.exception("triage upkeep stopped")
