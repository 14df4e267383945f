"""Sync throughput (sandbox -> SQLite over real HTTP) against raw executemany, and loop stalls.

Prints ratios against a baseline measured in the same run; no timed asserts. The sink is a
plain SQLite upsert run off the loop (asyncio.to_thread), standing in for the store's ingest
until desktop/store lands; the ratio to the store's own ingest belongs here once it does.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from pathlib import Path

import pytest

from desktop.domain.enums import Platform, StreamKind
from desktop.domain.inbound import Page
from desktop.sandbox.admin_client import AdminClient
from desktop.sandbox.server import SandboxServer
from desktop.sync.account_state import AccountStates
from desktop.sync.memory_outbox import MemoryOutbox
from desktop.sync.worker import AccountWorker
from tests.integration.conftest import _admin_client, _sandbox_server, admin, sandbox  # noqa: F401
from tests.integration.test_outbox_faults import _connect

N = 3000
DDL = (
    "CREATE TABLE IF NOT EXISTS msg (account INTEGER, pid TEXT, thread TEXT, text TEXT,"
    " created TEXT, PRIMARY KEY (account, pid))"
)
UPSERT = "INSERT OR IGNORE INTO msg VALUES (?, ?, ?, ?, ?)"


class SqliteInbound:
    def __init__(self, path: Path) -> None:
        self.db = sqlite3.connect(path, check_same_thread=False)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute(DDL)
        self.cursors: dict[StreamKind, str | None] = {}
        self.rows = 0

    async def load_cursor(self, account_id: int, stream: StreamKind) -> str | None:
        return self.cursors.get(stream)

    async def store_page(self, account_id: int, stream: StreamKind, page: Page) -> None:
        rows = [
            (account_id, i.platform_id, i.thread_key, i.text, i.created_at.isoformat())
            for i in page.items
        ]

        def write() -> None:
            with self.db:
                self.db.executemany(UPSERT, rows)

        await asyncio.to_thread(write)
        self.rows += len(rows)
        self.cursors[stream] = page.next_cursor


async def _stall_probe(stop: asyncio.Event, worst: list[float]) -> None:
    """Sleeps 5 ms at a time; any extra delay is time the loop was blocked."""
    loop = asyncio.get_running_loop()
    while not stop.is_set():
        start = loop.time()
        await asyncio.sleep(0.005)
        worst[0] = max(worst[0], loop.time() - start - 0.005)


@pytest.mark.bench
def test_sync_throughput_and_loop_stall(
    sandbox: SandboxServer,  # noqa: F811
    admin: AdminClient,  # noqa: F811
    tmp_path: Path,
) -> None:
    admin.set_ratelimit("mastodon", 100_000, 300)

    async def main() -> tuple[float, float, int]:
        client, handle = await _connect(sandbox, Platform.MASTODON, 1)
        inbound = SqliteInbound(tmp_path / "sync.sqlite")
        worker = AccountWorker(1, client, inbound, MemoryOutbox(), AccountStates())
        try:
            assert await worker.run_once() is None  # cursor at "now"
            batch = [
                {
                    "platform": "mastodon",
                    "account": handle,
                    "kind": "mention",
                    "text": f"bench {n}",
                    "customer": {"handle": f"c{n % 50}"},
                }
                for n in range(N)
            ]
            for start in range(0, N, 500):
                admin.inbound_batch(batch[start : start + 500])
            stop, worst = asyncio.Event(), [0.0]
            probe = asyncio.create_task(_stall_probe(stop, worst))
            before = inbound.rows
            t0 = time.perf_counter()
            assert await worker.run_once() is None
            elapsed = time.perf_counter() - t0
            stop.set()
            await probe
            return elapsed, worst[0], inbound.rows - before
        finally:
            await client.aclose()

    elapsed, worst, synced = asyncio.run(main())
    assert synced >= N

    raw = sqlite3.connect(tmp_path / "raw.sqlite")
    raw.execute("PRAGMA journal_mode=WAL")
    raw.execute(DDL)
    rows = [(1, f"p{n}", f"t{n}", f"bench {n}", "2026-01-01T00:00:00") for n in range(synced)]
    t0 = time.perf_counter()
    with raw:
        raw.executemany(UPSERT, rows)
    raw_elapsed = time.perf_counter() - t0
    sync_rate, raw_rate = synced / elapsed, synced / raw_elapsed
    print(
        f"\nsync: {synced} msgs in {elapsed:.2f}s = {sync_rate:.0f}/s; raw executemany "
        f"{raw_rate:.0f}/s; ratio {sync_rate / raw_rate:.4f}; longest loop stall "
        f"{worst * 1000:.1f} ms"
    )
