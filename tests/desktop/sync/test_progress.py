"""Progress of a long pull (issue #4): counts, a time-based estimate, throttled publishing."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from desktop.domain.enums import ConversationKind, Platform, StreamKind
from desktop.domain.inbound import InboundItem, Page, ProfileInfo
from desktop.sync import progress as progress_module
from desktop.sync.account_state import AccountState, AccountStates, Phase
from desktop.sync.memory_outbox import MemoryOutbox
from desktop.sync.progress import ProgressTracker, SyncProgress
from desktop.sync.worker import AccountWorker
from tests.desktop.sync.aio import run
from tests.desktop.sync.fake_client import FakeClient
from tests.desktop.sync.test_worker import MemoryInbound

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def _item(n: int, at: datetime) -> InboundItem:
    return InboundItem(
        platform_id=f"h{n}",
        kind=ConversationKind.PUBLIC_THREAD,
        thread_key=f"t{n // 5}",
        author=ProfileInfo(Platform.MASTODON, f"u{n % 100}", f"user{n % 100}"),
        text=f"history {n}",
        created_at=at,
    )


def history(total: int, per_page: int, *, start: datetime, end: datetime) -> list[Page]:
    """`total` items spread evenly from `start` to `end`, paged forward (oldest page first)."""
    step = (end - start) / total
    items = [_item(n, start + step * n) for n in range(total)]
    pages = [items[i : i + per_page] for i in range(0, total, per_page)]
    return [
        Page(items=tuple(chunk), next_cursor=str(p + 1), has_more=p + 1 < len(pages))
        for p, chunk in enumerate(pages)
    ]


class Clock:
    def __init__(self) -> None:
        self.t = 100.0

    def __call__(self) -> float:
        return self.t


def test_forward_catch_up_estimates_fraction_and_eta_and_throttles() -> None:
    states = AccountStates()
    seen: list[AccountState] = []
    states.subscribe(seen.append)
    clock = Clock()
    pages = history(1000, 100, start=NOW - timedelta(hours=10), end=NOW)
    tracker = ProgressTracker(
        3, StreamKind.MENTIONS, states, clock=clock, now=lambda: NOW, publish_every=1.0
    )
    snapshots: list[SyncProgress] = []
    for page in pages:
        clock.t += 0.5  # half a second per page: a publish every other page
        snapshots.append(tracker.page(page))
    assert [s.items for s in snapshots] == list(range(100, 1001, 100))
    # first page: no direction yet, so no estimate; then the share of the 10 h covered
    assert snapshots[0].fraction is None
    assert snapshots[4].fraction == pytest.approx(0.499, abs=0.01)
    assert snapshots[-1].fraction == pytest.approx(0.99)  # never "done" before the end
    fractions = [s.fraction for s in snapshots[1:]]
    assert fractions == sorted(fractions)  # type: ignore[type-var]
    assert snapshots[4].eta_seconds == pytest.approx(2.5, rel=0.05)  # 2.5 s spent on half
    assert snapshots[4].rate == pytest.approx(200.0)
    # throttled: first page, then once a second (every 2nd page); the last page is the end
    assert [s.items for s in seen] == [100, 300, 500, 700, 900]
    assert all(s.phase is Phase.SYNCING for s in seen)
    assert seen[2].progress == pytest.approx(0.499, abs=0.01)
    assert seen[2].eta_seconds is not None
    assert seen[2].detail.startswith("mentions: 500 items, 200/s, about ")


def test_backward_backfill_has_no_fraction_but_counts() -> None:
    states = AccountStates()
    clock = Clock()
    pages = list(reversed(history(300, 100, start=NOW - timedelta(days=3), end=NOW)))
    pages = [Page(p.items, p.next_cursor, has_more=i < 2) for i, p in enumerate(pages)]
    tracker = ProgressTracker(1, StreamKind.COMMENTS, states, clock=clock, now=lambda: NOW)
    for page in pages:
        clock.t += 1
        last = tracker.page(page)
    assert last.fraction is None and last.eta_seconds is None
    assert last.items == 300
    assert states.get(1).detail.startswith("comments: ")


def test_a_single_page_poll_publishes_nothing() -> None:
    """An ordinary poll (one page, nothing more) must not flicker the status to 'syncing'."""
    states = AccountStates()
    seen: list[AccountState] = []
    states.subscribe(seen.append)
    tracker = ProgressTracker(1, StreamKind.MENTIONS, states)
    tracker.page(Page(items=(_item(1, NOW),), next_cursor="1", has_more=False))
    assert seen == []


@run
async def test_worker_reports_progress_through_a_100k_history() -> None:
    now = datetime.now(UTC)
    client = FakeClient(
        pages={StreamKind.MENTIONS: history(100_000, 200, start=now - timedelta(days=30), end=now)}
    )
    states = AccountStates()
    seen: list[AccountState] = []
    states.subscribe(seen.append)
    worker = AccountWorker(5, client, MemoryInbound(), MemoryOutbox(), states)
    old = progress_module.PUBLISH_EVERY
    progress_module.PUBLISH_EVERY = 0.0  # every page: check the whole sequence
    try:
        assert await worker.run_once() is None
    finally:
        progress_module.PUBLISH_EVERY = old
    syncing = [s for s in seen if s.phase is Phase.SYNCING]
    assert len(syncing) == 499  # every page but the last, which ends the pull
    assert [s.items for s in syncing] == list(range(200, 100_000, 200))
    fractions = [s.progress for s in syncing[1:]]
    assert all(f is not None for f in fractions)
    assert fractions == sorted(fractions)  # type: ignore[type-var]
    assert fractions[-1] > 0.98  # type: ignore[operator]
    assert seen[-1].phase is Phase.ONLINE
    assert states.last_synced(5) is not None


@run
async def test_worker_publishes_a_bounded_number_of_updates_by_default() -> None:
    now = datetime.now(UTC)
    client = FakeClient(
        pages={StreamKind.MENTIONS: history(20_000, 100, start=now - timedelta(days=1), end=now)}
    )
    states = AccountStates()
    seen: list[AccountState] = []
    states.subscribe(seen.append)
    worker = AccountWorker(5, client, MemoryInbound(), MemoryOutbox(), states)
    started = asyncio.get_running_loop().time()
    assert await worker.run_once() is None
    elapsed = asyncio.get_running_loop().time() - started
    syncing = [s for s in seen if s.phase is Phase.SYNCING]
    # 200 pages, but at most one update per PUBLISH_EVERY (plus the first)
    assert 1 <= len(syncing) <= 2 + elapsed / progress_module.PUBLISH_EVERY
    assert len(syncing) < 200
