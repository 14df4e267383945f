"""One account's worker: pull every stream from its cursor, then drain the outbox.

Why one worker per account: each account has its own token, rate limits and connectivity; a
slow or broken one must not hold the others. Waiting is always `asyncio.wait_for` on a wake
event (a user action, regained connectivity), never a busy loop.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from datetime import UTC, datetime

from desktop.domain.enums import StreamKind
from desktop.domain.errors import SyncError, SyncErrorKind
from desktop.platforms.base import PlatformClient
from desktop.sync.account_state import AccountStates
from desktop.sync.backoff import Backoff
from desktop.sync.inbound_port import InboundPort
from desktop.sync.outbox_port import OutboxPort
from desktop.sync.progress import ProgressTracker
from desktop.sync.remote_send import drain

log = logging.getLogger(__name__)

DEFAULT_INTERVAL_SECONDS = 60.0
MAX_PAGES_PER_PASS = 10_000  # a safety stop against a platform that always says has_more


class AccountWorker:
    def __init__(
        self,
        account_id: int,
        client: PlatformClient,
        inbound: InboundPort,
        outbox: OutboxPort,
        states: AccountStates,
        intervals: Mapping[StreamKind, float] | None = None,
    ) -> None:
        self.account_id = account_id
        self.client = client
        self.inbound = inbound
        self.outbox = outbox
        self.states = states
        self.intervals = dict(intervals or {})
        self._wake = asyncio.Event()
        self._backoff = Backoff()
        self._parked_until: dict[StreamKind, float] = {}  # loop time
        self._next_poll: dict[StreamKind, float] = {}
        self.pages_stored = 0

    def wake(self) -> None:
        """Run now: a reply was queued, connectivity came back, or the user asked to refresh."""
        self._wake.set()

    def interval(self, stream: StreamKind) -> float:
        return self.intervals.get(stream, DEFAULT_INTERVAL_SECONDS)

    def set_intervals(self, intervals: Mapping[StreamKind, float]) -> None:
        """New poll intervals take effect now: a stream due sooner under them is woken."""
        self.intervals.update(intervals)
        try:
            now = asyncio.get_running_loop().time()
        except RuntimeError:
            return  # not running yet: the first pass polls every stream anyway
        for stream, seconds in intervals.items():
            if stream in self._next_poll:
                self._next_poll[stream] = min(self._next_poll[stream], now + seconds)
        self.wake()

    async def pull(self, stream: StreamKind) -> None:
        """Fetch pages of one stream until caught up; each page commits with its cursor."""
        cursor = await self.inbound.load_cursor(self.account_id, stream)
        tracker = ProgressTracker(self.account_id, stream, self.states)
        for _ in range(MAX_PAGES_PER_PASS):
            page = await self.client.fetch(stream, cursor)
            await self.inbound.store_page(self.account_id, stream, page)
            self.pages_stored += 1
            cursor = page.next_cursor
            tracker.page(page)  # publishes throttled SYNCING states while more pages follow
            if not page.has_more:
                return

    async def run_once(self, *, only_due: bool = False) -> SyncError | None:
        """One pass over every (due) stream and the outbox. Returns the error that stopped it."""
        loop = asyncio.get_running_loop()
        await self.outbox.recover_in_flight(self.account_id)
        for stream in self.client.streams():
            now = loop.time()
            if now < self._parked_until.get(stream, 0.0):
                continue
            if only_due and now < self._next_poll.get(stream, 0.0):
                continue
            try:
                await self.pull(stream)
            except SyncError as exc:
                if exc.kind is SyncErrorKind.RATE_LIMITED and exc.retry_at is not None:
                    wait = (exc.retry_at - datetime.now(UTC)).total_seconds()
                    self._parked_until[stream] = loop.time() + max(0.0, wait)
                self.states.failed(self.account_id, exc)
                return exc
            self._next_poll[stream] = loop.time() + self.interval(stream)
        error = await drain(self.client, self.outbox, self.account_id)
        if error is not None:
            self.states.failed(self.account_id, error)
            return error
        self.states.online(self.account_id)
        return None

    def _seconds_to_next_work(self, outbox_wake: datetime | None) -> float:
        loop_now = asyncio.get_running_loop().time()
        candidates = [
            max(self._next_poll.get(s, 0.0), self._parked_until.get(s, 0.0)) - loop_now
            for s in self.client.streams()
        ]
        if outbox_wake is not None:
            candidates.append((outbox_wake - datetime.now(UTC)).total_seconds())
        return max(0.0, min(candidates, default=DEFAULT_INTERVAL_SECONDS))

    async def run_forever(self) -> None:
        """Poll on schedule, back off on errors, sleep until the next due work or a wake."""
        while True:
            self._wake.clear()
            error = await self.run_once(only_due=True)
            if error is None:
                self._backoff.reset()
                delay = self._seconds_to_next_work(await self.outbox.next_wake(self.account_id))
            elif error.kind is SyncErrorKind.AUTH:
                delay = float("inf")  # needs re-authentication: only a wake brings it back
            else:
                delay = self._backoff.next_delay(error)
            try:
                timeout = None if delay == float("inf") else delay
                await asyncio.wait_for(self._wake.wait(), timeout)
            except TimeoutError:
                pass
