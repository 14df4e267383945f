"""Conversation operations: assign and unassign, status changes; each audited once."""

from __future__ import annotations

import pytest

from desktop.domain.enums import ConversationStatus
from desktop.domain.errors import UserError
from desktop.store import Store, audit, conversations
from desktop.store.inbox import InboxFilter, View, ids
from tests.desktop.store.factories import item
from tests.desktop.store.people import put, world


def test_assign_moves_between_views(store: Store) -> None:
    w = world(store)
    [cid] = put(store, w.mastodon, [item("1", "hello")])
    with store.reader() as s:
        assert ids(s, InboxFilter(view=View.UNASSIGNED, me_id=w.me)) == [cid]
    store.run_sync(lambda s: conversations.assign(s, cid, w.me))
    with store.reader() as s:
        assert ids(s, InboxFilter(view=View.MINE, me_id=w.me)) == [cid]
        assert ids(s, InboxFilter(view=View.UNASSIGNED, me_id=w.me)) == []
    store.run_sync(lambda s: conversations.assign(s, cid, None, by=w.sam))
    with store.reader() as s:
        assert conversations.get(s, cid).assignee_id is None
        trail = audit.for_conversation(s, cid)
    assert [(e.action, e.agent_id, e.detail) for e in trail] == [
        ("assign", w.me, {"from": None, "to": w.me}),
        ("unassign", w.sam, {"from": w.me, "to": None}),
    ]
    with pytest.raises(UserError):
        store.run_sync(lambda s: conversations.assign(s, cid, 9999))
    with pytest.raises(UserError):
        store.run_sync(lambda s: conversations.assign(s, 9999, w.me))


def test_status_changes_are_audited_once(store: Store) -> None:
    w = world(store)
    [cid] = put(store, w.mastodon, [item("1", "hello")])
    store.run_sync(lambda s: conversations.set_status(s, cid, ConversationStatus.RESOLVED))
    store.run_sync(lambda s: conversations.set_status(s, cid, ConversationStatus.RESOLVED))
    store.run_sync(lambda s: conversations.set_status(s, cid, ConversationStatus.OPEN))
    store.run_sync(lambda s: conversations.mark_read(s, cid))
    with store.reader() as s:
        trail = audit.for_conversation(s, cid)
    assert [(e.action, e.detail["from"]) for e in trail] == [
        ("resolve", "open"),
        ("reopen", "resolved"),
    ]
