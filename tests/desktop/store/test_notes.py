"""Notes and handoffs: a handoff assigns the conversation to its target."""

from __future__ import annotations

import pytest

from desktop.domain.enums import NoteKind
from desktop.domain.errors import UserError
from desktop.domain.models import Account
from desktop.store import Store, accounts, conversations, notes
from desktop.store.ingest import ingest
from tests.desktop.store.factories import item


def test_handoff_note_assigns_and_lists_in_order(store: Store, account: Account) -> None:
    result = store.run_sync(lambda s: ingest(s, account.id, [item("1", "hello")]))
    cid = result.conversation_ids[0]

    def write(s):  # type: ignore[no-untyped-def]
        me = accounts.ensure_me(s)
        sam = accounts.add_agent(s, "Sam")
        notes.add(s, author_id=me.id, body="Asked for order number", conversation_id=cid)
        notes.add(s, author_id=me.id, body="Over to you", conversation_id=cid, handoff_to_id=sam.id)
        return sam

    sam = store.run_sync(write)
    with store.reader() as s:
        listed = notes.for_conversation(s, cid)
        conv = conversations.get(s, cid)
    assert [n.kind for n in listed] == [NoteKind.NOTE, NoteKind.HANDOFF]
    assert conv.assignee_id == sam.id
    with pytest.raises(UserError):
        store.run_sync(lambda s: notes.add(s, author_id=sam.id, body="orphan"))


def test_handoff_reaches_the_target_with_the_note_on_top(store: Store) -> None:
    from desktop.store import audit
    from desktop.store.inbox import InboxFilter, View, ids
    from desktop.store.schema import OutboxRow
    from tests.desktop.store.people import put, world

    w = world(store)
    a, b = put(store, w.mastodon, [item("1", "hi", thread="a"), item("2", "yo", thread="b")])
    store.run_sync(
        lambda s: notes.add(s, author_id=w.me, body="Checked the order @sam", conversation_id=a)
    )
    note = store.run_sync(
        lambda s: notes.handoff(
            s, a, author_id=w.me, to_id=w.sam, body="Done: refund issued. Pending: courier reply"
        )
    )
    with store.reader() as s:
        assert ids(s, InboxFilter(view=View.HANDED_TO_ME, me_id=w.sam)) == [a]
        assert ids(s, InboxFilter(view=View.HANDED_TO_ME, me_id=w.me)) == []
        top = notes.latest_handoff(s, a)
        assert notes.latest_handoff(s, b) is None
        listed = notes.for_conversation(s, a)
        trail = audit.for_conversation(s, a)
        mentioned = notes.mentioning(s, w.sam)
        assert s.query(OutboxRow).count() == 0  # internal: nothing goes to the platform
    assert top is not None and top.uid == note.uid and top.handoff_to_id == w.sam
    assert listed[0].mentions == (w.sam,)
    assert [n.body for n in mentioned] == ["Checked the order @sam"]
    handoffs = [e for e in trail if e.action == "handoff"]
    assert handoffs[0].agent_id == w.me and handoffs[0].detail["to"] == w.sam
    assert handoffs[0].detail["note"] == note.uid


def test_handoff_to_a_team_and_customer_notes(store: Store) -> None:
    from tests.desktop.store.people import put, world

    w = world(store)
    [cid] = put(store, w.mastodon, [item("1", "hi")])
    store.run_sync(lambda s: notes.handoff(s, cid, author_id=w.me, to_id=w.care, body="Over"))
    with store.reader() as s:
        assert conversations.get(s, cid).assignee_id == w.care
        customer_id = conversations.get(s, cid).customer_id
    assert customer_id is not None
    store.run_sync(
        lambda s: notes.add(s, author_id=w.me, body="Prefers DMs", customer_id=customer_id)
    )
    with store.reader() as s:
        assert [n.body for n in notes.for_customer(s, customer_id)] == ["Prefers DMs"]
    with pytest.raises(UserError):
        store.run_sync(lambda s: notes.add(s, author_id=w.me, body="  ", conversation_id=cid))


def test_a_team_handoff_reaches_its_members(store: Store) -> None:
    from desktop.store import agents
    from desktop.store.inbox import InboxFilter, View, ids
    from tests.desktop.store.people import put, world

    w = world(store)
    [cid] = put(store, w.mastodon, [item("1", "invoice wrong")])
    assert store.run_sync(lambda s: agents.set_member(s, w.care, w.sam, True)) == [w.sam]
    store.run_sync(lambda s: notes.handoff(s, cid, author_id=w.me, to_id=w.care, body="Billing"))
    with store.reader() as s:
        assert ids(s, InboxFilter(view=View.HANDED_TO_ME, me_id=w.sam)) == [cid]
        assert ids(s, InboxFilter(view=View.HANDED_TO_ME, me_id=w.me)) == []
        assert agents.teams_of(s, w.sam) == [w.care]
    store.run_sync(lambda s: agents.set_member(s, w.care, w.sam, False))
    with store.reader() as s:
        assert ids(s, InboxFilter(view=View.HANDED_TO_ME, me_id=w.sam)) == []
    with pytest.raises(UserError, match="not a team"):
        store.run_sync(lambda s: agents.set_member(s, w.sam, w.me, True))
    with pytest.raises(UserError, match="cannot be a member"):
        store.run_sync(lambda s: agents.set_member(s, w.care, w.care, True))
