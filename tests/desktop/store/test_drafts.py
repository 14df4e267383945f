"""Drafts: one per conversation, started_at kept across autosaves, discard removes it."""

from __future__ import annotations

from desktop.domain.models import Account
from desktop.store import Store, drafts
from desktop.store.ingest import ingest
from tests.desktop.store.factories import item


def test_draft_autosave_keeps_started_at_and_discard_removes(
    store: Store, account: Account
) -> None:
    result = store.run_sync(lambda s: ingest(s, account.id, [item("1", "hello")]))
    cid = result.conversation_ids[0]
    first = store.run_sync(lambda s: drafts.save(s, cid, "Hi"))
    second = store.run_sync(lambda s: drafts.save(s, cid, "Hi there"))
    assert second.started_at == first.started_at
    with store.reader() as s:
        got = drafts.get(s, cid)
    assert got is not None and got.body == "Hi there"
    store.run_sync(lambda s: drafts.discard(s, cid))
    with store.reader() as s:
        assert drafts.get(s, cid) is None
