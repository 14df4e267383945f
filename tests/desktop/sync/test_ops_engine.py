"""Ops' local phase is one transaction; the engine keeps one bad account from stopping others."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from desktop.domain.enums import OutboxState, Platform, StreamKind
from desktop.domain.errors import UserError
from desktop.domain.models import Account
from desktop.store import outbox as repo
from desktop.sync import ops
from desktop.sync.engine import SyncEngine
from desktop.sync.memory_outbox import MemoryOutbox
from desktop.sync.store_outbox import StoreOutbox
from tests.desktop.sync.fake_client import FakeClient
from tests.desktop.sync.test_store_outbox import _engine, _runner
from tests.desktop.sync.test_worker import MemoryInbound, _pages


def test_queue_send_commits_with_the_local_change_or_not_at_all(tmp_path: Path) -> None:
    engine = _engine(tmp_path / "p.sqlite")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE audit (item_id INTEGER, what TEXT)"))
    run = _runner(engine)
    woken: list[int] = []

    def audit(session: Session, item: object) -> None:
        session.execute(text("INSERT INTO audit VALUES (:i, 'reply queued')"), {"i": item.id})  # type: ignore[attr-defined]

    def broken(session: Session, item: object) -> None:
        raise RuntimeError("disk full")

    async def main() -> None:
        item = await ops.queue_send(
            run,
            account_id=1,
            conversation_id=3,
            text="thanks!",
            thread_key="t",
            in_reply_to="m",
            now=True,
            local=audit,
            wake=woken.append,
        )
        assert item.state is OutboxState.QUEUED and item.not_before <= item.created_at
        with pytest.raises(RuntimeError):
            await ops.queue_send(
                run,
                account_id=1,
                conversation_id=3,
                text="again",
                thread_key="t",
                in_reply_to="m",
                local=broken,
            )
        with pytest.raises(UserError):
            await ops.queue_send(
                run, account_id=1, conversation_id=3, text="  ", thread_key="t", in_reply_to="m"
            )
        undone = await ops.queue_send(
            run, account_id=1, conversation_id=3, text="oops", thread_key="t", in_reply_to="m"
        )
        assert (await ops.undo(run, undone.id)).state is OutboxState.CANCELLED

    asyncio.run(main())
    assert woken == [1]
    with Session(engine) as s:
        texts = [i.text for i in repo.list_items(s)]
        audited = s.execute(text("SELECT COUNT(*) FROM audit")).scalar_one()
    assert sorted(texts) == ["oops", "thanks!"]  # the broken op left no row behind
    assert audited == 1


def test_engine_once_isolates_a_crashing_account_and_drains_store_outbox(tmp_path: Path) -> None:
    engine = _engine(tmp_path / "p.sqlite")
    outbox = StoreOutbox(_runner(engine))
    good = FakeClient(pages={StreamKind.MENTIONS: _pages(2)})
    bad = FakeClient(pages={StreamKind.MENTIONS: _pages(1)}, fetch_faults=[KeyError("bug")])
    sync = SyncEngine(MemoryInbound(), outbox)
    x_account = Account(1, 1, Platform.X, "bad", "Bad", "http://127.0.0.1")
    worker = sync.add(x_account, bad)
    sync.add(Account(2, 1, Platform.MASTODON, "good", "Good", "http://127.0.0.1"), good)
    assert worker.intervals[StreamKind.MENTIONS] == 900.0  # X reads are billed: frugal default

    async def main() -> dict[int, object]:
        await ops.queue_send(
            _runner(engine),
            account_id=2,
            conversation_id=1,
            text="hi",
            thread_key="t",
            in_reply_to="m",
            now=True,
        )
        return dict(await sync.run_once())

    results = asyncio.run(main())
    assert results[2] is None and results[1] is not None
    assert sync.states.get(1).phase.value == "failing"
    assert len(good.posted) == 1
    with Session(engine) as s:
        assert [i.state for i in repo.list_items(s)] == [OutboxState.SENT]


def test_engine_wake_sets_each_worker() -> None:
    sync = SyncEngine(MemoryInbound(), MemoryOutbox())
    w = sync.add(Account(5, 1, Platform.BLUESKY, "b", "B", "http://127.0.0.1"), FakeClient())
    sync.wake(5)
    assert w._wake.is_set()
