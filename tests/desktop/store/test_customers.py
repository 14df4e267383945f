"""Customers: merge and split keep history, export, erase removes messages and FTS rows."""

from __future__ import annotations

import json

from sqlalchemy import func, select, text

from desktop.domain.models import Account
from desktop.store import Store, customers
from desktop.store.ingest import ingest
from desktop.store.schema import ConversationRow, MessageRow
from tests.desktop.store.factories import customer, item


def _two_customers(store: Store, account: Account) -> tuple[int, int]:
    page = [
        item("1", "where is my parcel", thread="a", who=customer(1)),
        item("2", "refund please zebra", thread="b", who=customer(2)),
    ]
    store.run_sync(lambda s: ingest(s, account.id, page))
    with store.reader() as s:
        ids = s.scalars(select(ConversationRow.customer_id).order_by(ConversationRow.id)).all()
    a, b = ids
    assert a is not None and b is not None
    return a, b


def test_merge_then_split_keeps_history(store: Store, account: Account) -> None:
    a, b = _two_customers(store, account)
    merged = store.run_sync(lambda s: customers.merge(s, a, b))
    assert len(merged.identities) == 2
    with store.reader() as s:
        assert s.scalar(select(func.count()).select_from(MessageRow)) == 2
        assert set(s.scalars(select(ConversationRow.customer_id))) == {a}
    moved = merged.identities[1]
    new = store.run_sync(lambda s: customers.split(s, moved.id))
    assert [i.id for i in new.identities] == [moved.id]
    with store.reader() as s:
        assert set(s.scalars(select(ConversationRow.customer_id))) == {a, new.id}
        assert s.scalar(select(func.count()).select_from(MessageRow)) == 2


def test_export_and_erase_removes_fts_rows(store: Store, account: Account) -> None:
    a, b = _two_customers(store, account)
    with store.reader() as s:
        dump = customers.export(s, b)
    json.dumps(dump)
    assert [m["text"] for m in dump["messages"]] == ["refund please zebra"]
    store.run_sync(lambda s: customers.erase(s, b))
    with store.reader() as s:
        hits = s.execute(
            text("SELECT count(*) FROM messages_fts WHERE messages_fts MATCH 'zebra'")
        ).scalar()
        assert hits == 0
        assert s.scalar(select(func.count()).select_from(MessageRow)) == 1
        assert customers.get(s, a).id == a
