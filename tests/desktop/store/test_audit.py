"""The audit trail: every ownership and state change writes who, what, whom and when."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from desktop.domain.enums import ConversationStatus, Platform
from desktop.store import Store, agents, audit, conversations, notes, tags
from tests.desktop.store.factories import item
from tests.desktop.store.people import put, who, world


def test_each_operation_is_audited_with_actor_and_target(store: Store) -> None:
    w = world(store)
    jane = who(Platform.MASTODON, "j1", "jane", "Jane Doe")
    [cid] = put(store, w.mastodon, [item("1", "hello", who=jane)])
    store.run_sync(lambda s: conversations.assign(s, cid, w.sam))
    store.run_sync(
        lambda s: notes.handoff(s, cid, author_id=w.sam, to_id=w.care, body="Done: X. Pending: Y")
    )
    store.run_sync(lambda s: tags.tag_conversation(s, cid, "Refund"))
    until = datetime(2026, 3, 2, 9, tzinfo=UTC)
    store.run_sync(
        lambda s: conversations.set_status(s, cid, ConversationStatus.SNOOZED, until, by=w.sam)
    )
    store.run_sync(lambda s: conversations.set_status(s, cid, ConversationStatus.RESOLVED))
    with store.reader() as s:
        trail = audit.for_conversation(s, cid)
        names = agents.names(s)
    assert [(e.action, e.agent_id) for e in trail] == [
        ("assign", w.me),
        ("handoff", w.sam),
        ("tag", w.me),
        ("snooze", w.sam),
        ("resolve", w.me),
    ]
    assert trail[0].detail == {"from": None, "to": w.sam}
    assert trail[1].detail["from"] == w.sam and trail[1].detail["to"] == w.care
    assert trail[3].detail["until"] == until.isoformat()
    assert all(e.at.tzinfo is UTC for e in trail)
    assert audit.describe(trail[1], names) == f"Sam handed conversation {cid} to Customer care"
    assert audit.describe(trail[0], names) == f"Me assigned conversation {cid} to Sam"


def test_no_event_when_nothing_changed_and_unknown_actions_refused(store: Store) -> None:
    w = world(store)
    [cid] = put(store, w.mastodon, [item("1", "hello")])
    assert store.run_sync(lambda s: conversations.assign(s, cid, w.sam)) is True
    assert store.run_sync(lambda s: conversations.assign(s, cid, w.sam)) is False
    assert store.run_sync(lambda s: tags.tag_conversation(s, cid, "vip")) is True
    assert store.run_sync(lambda s: tags.tag_conversation(s, cid, "VIP")) is False
    with store.reader() as s:
        assert [e.action for e in audit.for_conversation(s, cid)] == ["assign", "tag"]
        assert [e.action for e in audit.recent(s, limit=1)] == ["tag"]
    with pytest.raises(ValueError):
        store.run_sync(lambda s: audit.record(s, "teleport"))
