"""Ingest: dedupe, threading, aggregates, identities, change records after commit."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import func, select, text

from desktop.domain.enums import StreamKind
from desktop.domain.inbound import Page
from desktop.domain.models import Account
from desktop.store import Store
from desktop.store.changes import ChangeSet
from desktop.store.inbound import StoreInbound
from desktop.store.ingest import ingest
from desktop.store.schema import ConversationRow, CustomerRow, IdentityRow, MessageRow
from tests.desktop.store.factories import T0, customer, item


def test_reingesting_a_page_creates_nothing_twice(store: Store, account: Account) -> None:
    page = [item("1", "hello"), item("2", "anyone?", minutes=1), item("1", "hello")]
    first = store.run_sync(lambda s: ingest(s, account.id, page))
    second = store.run_sync(lambda s: ingest(s, account.id, page))
    assert len(first.new_message_ids) == 2
    assert second.new_message_ids == ()
    with store.reader() as s:
        assert s.scalar(select(func.count()).select_from(MessageRow)) == 2
        assert s.scalar(select(func.count()).select_from(ConversationRow)) == 1
        assert s.scalar(select(func.count()).select_from(CustomerRow)) == 1


def test_threads_and_aggregates(store: Store, account: Account) -> None:
    store.run_sync(
        lambda s: ingest(
            s,
            account.id,
            [
                item("1", "my order is late", minutes=0),
                item("2", "sorry! checking", minutes=30, out=True),
                item("3", "thanks", minutes=45),
                item("9", "other thread", thread="t2", who=customer(2), minutes=5),
            ],
        )
    )
    with store.reader() as s:
        c = s.execute(
            select(ConversationRow).where(ConversationRow.platform_root_id == "t1")
        ).scalar_one()
        assert c.message_count == 3
        assert c.first_inbound_at == T0.replace(tzinfo=None)
        assert c.first_response_at == (T0 + timedelta(minutes=30)).replace(tzinfo=None)
        assert c.last_inbound_at == (T0 + timedelta(minutes=45)).replace(tzinfo=None)
        assert c.last_direction == "in" and c.snippet == "thanks" and c.unread
        other = s.execute(
            select(ConversationRow).where(ConversationRow.platform_root_id == "t2")
        ).scalar_one()
        assert other.customer_id != c.customer_id


def test_a_new_inbound_message_reopens_a_resolved_conversation(
    store: Store, account: Account
) -> None:
    store.run_sync(lambda s: ingest(s, account.id, [item("1", "hi")]))
    store.run_sync(
        lambda s: s.execute(text("UPDATE conversations SET status='resolved', unread=0"))
    )
    store.run_sync(lambda s: ingest(s, account.id, [item("2", "still broken", minutes=60)]))
    with store.reader() as s:
        c = s.execute(select(ConversationRow)).scalar_one()
        assert (c.status, c.unread) == ("open", True)


def test_identity_profile_is_refreshed_not_duplicated(store: Store, account: Account) -> None:
    store.run_sync(lambda s: ingest(s, account.id, [item("1", "a", who=customer(1, followers=5))]))
    store.run_sync(
        lambda s: ingest(s, account.id, [item("2", "b", who=customer(1, followers=500))])
    )
    with store.reader() as s:
        rows = s.execute(select(IdentityRow)).scalars().all()
        assert [r.followers for r in rows] == [500]


def test_change_records_only_after_commit(store: Store, account: Account) -> None:
    seen: list[ChangeSet] = []
    store.changes.subscribe(seen.append)

    def failing(session):  # type: ignore[no-untyped-def]
        ingest(session, account.id, [item("1", "x")])
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        store.run_sync(failing)
    assert seen == []
    with store.reader() as s:
        assert s.scalar(select(func.count()).select_from(MessageRow)) == 0  # rolled back
    store.run_sync(lambda s: ingest(s, account.id, [item("1", "x")]))
    assert len(seen) == 1 and seen[0].ids("message") and seen[0].ids("conversation")


def test_full_text_index_follows_messages(store: Store, account: Account) -> None:
    store.run_sync(
        lambda s: ingest(s, account.id, [item("1", "refund please"), item("2", "thanks")])
    )
    with store.reader() as s:
        hits = s.execute(
            text("SELECT rowid FROM messages_fts WHERE messages_fts MATCH 'ref*'")
        ).all()
        assert len(hits) == 1


def test_page_and_cursor_commit_together(store: Store, account: Account) -> None:
    inbound = StoreInbound(store)

    async def go() -> str | None:
        assert await inbound.load_cursor(account.id, StreamKind.MENTIONS) is None
        await inbound.store_page(
            account.id, StreamKind.MENTIONS, Page(items=(item("1", "hi"),), next_cursor="c1")
        )
        return await inbound.load_cursor(account.id, StreamKind.MENTIONS)

    assert asyncio.run(go()) == "c1"
