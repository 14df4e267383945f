"""Tags on conversations and customers: normalised, searchable, audited, kept by merge."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from desktop.domain.enums import Platform
from desktop.domain.errors import UserError
from desktop.store import Store, customers, search, tags
from desktop.store.inbox import InboxFilter, ids
from desktop.store.schema import CustomerRow
from tests.desktop.store.factories import item
from tests.desktop.store.people import put, who, world


def test_conversation_tags_filter_and_search(store: Store) -> None:
    w = world(store)
    a, b = put(
        store, w.mastodon, [item("1", "refund now", thread="a"), item("2", "hi", thread="b")]
    )
    store.run_sync(lambda s: tags.tag_conversation(s, a, "  Angry Customer "))
    store.run_sync(lambda s: tags.tag_conversation(s, b, "press"))
    store.run_sync(lambda s: tags.tag_conversation(s, a, "press"))
    with store.reader() as s:
        assert tags.for_conversation(s, a) == ["angry-customer", "press"]
        assert tags.all_tags(s) == ["press", "angry-customer"]  # most used first
        assert ids(s, InboxFilter(tag="angry-customer")) == [a]
        assert {h.conversation_id for h in search.search(s, "tag:press")} == {a, b}
    assert store.run_sync(lambda s: tags.untag_conversation(s, a, "Press")) is True
    assert store.run_sync(lambda s: tags.untag_conversation(s, a, "press")) is False
    with store.reader() as s:
        assert tags.for_conversations(s, [a, b]) == {a: ["angry-customer"], b: ["press"]}
    with pytest.raises(UserError):
        store.run_sync(lambda s: tags.tag_conversation(s, a, "   "))


def test_customer_tags_survive_merge(store: Store) -> None:
    w = world(store)
    put(store, w.mastodon, [item("1", "hi", who=who(Platform.MASTODON, "j", "jane", "Jane"))])
    put(store, w.x, [item("2", "yo", who=who(Platform.X, "j", "jane", "Jane"))])
    with store.reader() as s:
        c1, c2 = s.scalars(select(CustomerRow.id).order_by(CustomerRow.id)).all()
    store.run_sync(lambda s: tags.tag_customer(s, c1, "vip"))
    store.run_sync(lambda s: tags.tag_customer(s, c2, "vip"))
    store.run_sync(lambda s: tags.tag_customer(s, c2, "reseller"))
    merged = store.run_sync(lambda s: customers.merge(s, c1, c2))
    assert merged.tags == ("reseller", "vip")
    assert store.run_sync(lambda s: tags.untag_customer(s, c1, "vip")) is True
    with store.reader() as s:
        assert tags.for_customer(s, c1) == ["reseller"]
