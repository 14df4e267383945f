"""Every outbox move is announced after commit, so the thread shows queued -> sending -> sent."""

from __future__ import annotations

import asyncio
from pathlib import Path

from desktop.domain.enums import OutboxState
from desktop.store import Store
from desktop.store import outbox as repo
from desktop.store.changes import ChangeSet
from desktop.sync.remote_send import drain
from desktop.sync.store_outbox import StoreOutbox
from tests.desktop.sync.fake_client import FakeClient


def test_each_transition_announces_the_item_and_its_conversation(tmp_path: Path) -> None:
    with Store.open(tmp_path / "s.sqlite3") as store:
        item = store.run_sync(
            lambda s: repo.enqueue(
                s,
                account_id=1,
                conversation_id=42,
                text_="hi",
                thread_key="t",
                in_reply_to="m",
                grace_seconds=0,
            )
        )
        seen: list[ChangeSet] = []
        store.changes.subscribe(seen.append)
        client = FakeClient()
        assert asyncio.run(drain(client, StoreOutbox(store.run), 1)) is None
        with store.reader() as s:
            assert repo.get(s, item.id).state is OutboxState.SENT
        moves = [c for c in seen if c.ids("outbox")]
        assert len(moves) >= 2  # sending, then sent: each its own commit
        assert all(c.ids("outbox") == {item.id} for c in moves)
        assert all(c.ids("conversation") == {42} for c in moves)
