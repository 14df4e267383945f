import asyncio
from datetime import UTC, datetime, timedelta

from desktop.domain.enums import ConversationKind, OutboxState, Platform, StreamKind
from desktop.domain.errors import SyncError, SyncErrorKind
from desktop.domain.inbound import InboundItem, Page, ProfileInfo
from desktop.sync.account_state import AccountStates, Phase
from desktop.sync.memory_outbox import MemoryOutbox
from desktop.sync.supervisor import Supervisor
from desktop.sync.worker import AccountWorker
from tests.desktop.sync.aio import run
from tests.desktop.sync.fake_client import FakeClient


class MemoryInbound:
    def __init__(self) -> None:
        self.cursors: dict[tuple[int, StreamKind], str | None] = {}
        self.items: dict[tuple[int, str], InboundItem] = {}

    async def load_cursor(self, account_id: int, stream: StreamKind) -> str | None:
        return self.cursors.get((account_id, stream))

    async def store_page(self, account_id: int, stream: StreamKind, page: Page) -> None:
        for item in page.items:
            self.items[(account_id, item.platform_id)] = item
        self.cursors[(account_id, stream)] = page.next_cursor


def _item(n: int) -> InboundItem:
    return InboundItem(
        platform_id=f"i{n}",
        kind=ConversationKind.PUBLIC_THREAD,
        thread_key=f"t{n}",
        author=ProfileInfo(Platform.MASTODON, "u", "u"),
        text=f"hi {n}",
        created_at=datetime.now(UTC),
    )


def _pages(n_pages: int) -> list[Page]:
    return [
        Page(items=(_item(p),), next_cursor=str(p + 1), has_more=p + 1 < n_pages)
        for p in range(n_pages)
    ]


@run
async def test_pass_pulls_every_page_then_drains_outbox() -> None:
    client = FakeClient(pages={StreamKind.MENTIONS: _pages(3)})
    inbound, outbox, states = MemoryInbound(), MemoryOutbox(), AccountStates()
    queued = outbox.enqueue(
        account_id=1, conversation_id=1, text="x", thread_key="t", in_reply_to="m", grace_seconds=0
    )
    worker = AccountWorker(1, client, inbound, outbox, states)
    assert await worker.run_once() is None
    assert len(inbound.items) == 3
    assert inbound.cursors[(1, StreamKind.MENTIONS)] == "3"
    assert outbox.items[queued.id].state is OutboxState.SENT
    assert states.get(1).phase is Phase.ONLINE
    # the next pass resumes from the persisted cursor: one fetch, nothing new
    before = client.fetches
    await worker.run_once()
    assert client.fetches == before + 1


@run
async def test_rate_limit_parks_the_stream_and_auth_keeps_queue() -> None:
    until = datetime.now(UTC) + timedelta(seconds=60)
    client = FakeClient(
        pages={StreamKind.MENTIONS: _pages(1)},
        fetch_faults=[SyncError(SyncErrorKind.RATE_LIMITED, "429", retry_at=until)],
    )
    outbox, states = MemoryOutbox(), AccountStates()
    worker = AccountWorker(1, client, MemoryInbound(), outbox, states)
    error = await worker.run_once()
    assert error is not None and states.get(1).phase is Phase.RATE_LIMITED
    assert states.get(1).until == until
    fetches = client.fetches
    await worker.run_once()
    assert client.fetches == fetches  # parked: no request until the window resets

    client2 = FakeClient(
        pages={StreamKind.MENTIONS: _pages(1)},
        fetch_faults=[SyncError(SyncErrorKind.AUTH, "token revoked")],
    )
    queued = outbox.enqueue(
        account_id=2, conversation_id=1, text="x", thread_key="t", in_reply_to="m", grace_seconds=0
    )
    await AccountWorker(2, client2, MemoryInbound(), outbox, states).run_once()
    assert states.get(2).phase is Phase.NEEDS_REAUTH
    assert outbox.items[queued.id].state is OutboxState.QUEUED


@run
async def test_run_forever_sleeps_until_woken_without_spinning() -> None:
    client = FakeClient(pages={StreamKind.MENTIONS: _pages(1)})
    worker = AccountWorker(
        1, client, MemoryInbound(), MemoryOutbox(), AccountStates(), {StreamKind.MENTIONS: 3600}
    )
    task = asyncio.create_task(worker.run_forever())
    await asyncio.sleep(0.2)
    assert client.fetches == 1  # one poll, then asleep for the hour
    worker._next_poll.clear()  # as if the interval elapsed
    worker.wake()
    await asyncio.sleep(0.1)
    assert client.fetches == 2
    task.cancel()


@run
async def test_supervisor_restarts_a_crashing_worker_and_others_keep_going() -> None:
    states = AccountStates()
    sup = Supervisor(states)
    good_runs: list[int] = []
    attempts = {"n": 0}

    async def bad() -> None:
        attempts["n"] += 1
        if attempts["n"] < 3:
            raise RuntimeError("boom")

    async def good() -> None:
        good_runs.append(1)
        await asyncio.sleep(3600)

    sup.start(1, bad)
    sup.start(2, good)
    for _ in range(100):
        await asyncio.sleep(0.05)
        if attempts["n"] >= 3:
            break
    assert attempts["n"] == 3 and sup.restarts[1] == 2
    assert states.get(1).phase is Phase.FAILING and "boom" in (states.get(1).error or "")
    assert good_runs == [1] and not sup.tasks[2].done()
    await sup.stop()
