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
