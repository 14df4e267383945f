"""Inbox windows: views, filters, sorts, rows in the asked order."""

from __future__ import annotations

from sqlalchemy import text

from desktop.domain.enums import Platform
from desktop.domain.models import Account
from desktop.store import Store, accounts, inbox
from desktop.store.inbox import InboxFilter, Sort, View
from desktop.store.ingest import ingest
from tests.desktop.store.factories import customer, item


def _seed(store: Store, account: Account) -> None:
    batch = [
        item("1", "old question", thread="a", minutes=0, who=customer(1)),
        item("2", "newer complaint", thread="b", minutes=10, who=customer(2)),
        item("3", "answered", thread="c", minutes=5, who=customer(3)),
        item("4", "here you go", thread="c", minutes=20, out=True),
    ]
    store.run_sync(lambda s: ingest(s, account.id, batch))


def test_needs_reply_and_sorts(store: Store, account: Account) -> None:
    _seed(store, account)
    with store.reader() as s:
        newest = inbox.ids(s, InboxFilter())
        waiting = inbox.ids(s, InboxFilter(view=View.NEEDS_REPLY), Sort.OLDEST_WAITING)
        rows = inbox.rows(s, newest)
        waiting_rows = inbox.rows(s, waiting)
    assert [r.snippet for r in rows] == ["here you go", "newer complaint", "old question"]
    assert [r.snippet for r in waiting_rows] == ["old question", "newer complaint"]
    assert rows[1].customer_handle == "user2" and rows[1].brand_name == "Acme"
    assert rows[1].needs_reply and not rows[0].needs_reply


def test_filters_by_platform_status_assignee_and_counts(store: Store, account: Account) -> None:
    _seed(store, account)
    me = store.run_sync(lambda s: accounts.ensure_me(s))
    store.run_sync(
        lambda s: s.execute(
            text("UPDATE conversations SET assignee_id = :me WHERE platform_root_id = 'a'"),
            {"me": me.id},
        )
    )
    store.run_sync(
        lambda s: s.execute(
            text("UPDATE conversations SET status = 'resolved' WHERE platform_root_id = 'c'")
        )
    )
    with store.reader() as s:
        assert inbox.ids(s, InboxFilter(platform=Platform.BLUESKY)) == []
        assert len(inbox.ids(s, InboxFilter(platform=Platform.MASTODON))) == 3
        mine = inbox.rows(s, inbox.ids(s, InboxFilter(view=View.MINE, me_id=me.id)))
        assert [r.snippet for r in mine] == ["old question"] and mine[0].assignee_name == "Me"
        counts = inbox.view_counts(s, me.id)
    assert counts[View.ALL] == 3
    assert counts[View.RESOLVED] == 1
    assert counts[View.UNASSIGNED] == 1
    assert counts[View.NEEDS_REPLY] == 2


def test_rows_keep_the_requested_order_and_skip_missing(store: Store, account: Account) -> None:
    _seed(store, account)
    with store.reader() as s:
        all_ids = inbox.ids(s, InboxFilter())
        picked = [all_ids[2], 999_999, all_ids[0]]
        assert [r.id for r in inbox.rows(s, picked)] == [all_ids[2], all_ids[0]]
