"""Accounts connected, paused, resumed and removed while the engine runs (accounts dialog)."""

from __future__ import annotations

import asyncio

from desktop.domain.enums import Platform, StreamKind
from desktop.domain.models import Account
from desktop.sync.engine import SyncEngine
from desktop.sync.memory_outbox import MemoryOutbox
from tests.desktop.sync.aio import run
from tests.desktop.sync.fake_client import FakeClient
from tests.desktop.sync.test_worker import MemoryInbound, _pages


class ClosingClient(FakeClient):
    closed = False

    async def aclose(self) -> None:
        self.closed = True


def _account(account_id: int) -> Account:
    return Account(account_id, 1, Platform.MASTODON, f"a{account_id}", "A", "http://127.0.0.1")


async def _until(condition, timeout: float = 5.0) -> None:  # type: ignore[no-untyped-def]
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        assert loop.time() < deadline, "condition not met in time"
        await asyncio.sleep(0.01)


@run
async def test_attach_pause_resume_remove_on_a_running_engine() -> None:
    inbound = MemoryInbound()
    sync = SyncEngine(inbound, MemoryOutbox())
    sync.start()
    client = ClosingClient(pages={StreamKind.MENTIONS: _pages(2)})
    # starts at once (the engine is running), polling every 20 ms
    sync.attach(_account(7), client, {StreamKind.MENTIONS: 0.02})
    await _until(lambda: len(inbound.items) == 2)
    assert 7 in sync.supervisor.tasks

    await sync.pause(7)
    assert 7 not in sync.supervisor.tasks and 7 in sync.workers
    assert await sync.run_once() == {}  # a paused account is not synced by run_once either
    fetches = client.fetches
    await asyncio.sleep(0.2)
    assert client.fetches == fetches

    assert sync.resume(7)
    assert 7 in sync.supervisor.tasks
    await _until(lambda: client.fetches > fetches)

    await sync.remove(7)
    assert 7 not in sync.workers and 7 not in sync.supervisor.tasks
    assert client.closed
    assert not sync.resume(7)  # nothing to resume: the caller attaches a new client
    await sync.stop()


@run
async def test_paused_accounts_stay_stopped_when_the_engine_starts() -> None:
    sync = SyncEngine(MemoryInbound(), MemoryOutbox())
    sync.add(_account(1), FakeClient(pages={StreamKind.MENTIONS: _pages(1)}))
    await sync.pause(1)
    sync.start()
    assert 1 not in sync.supervisor.tasks
    await sync.stop()
