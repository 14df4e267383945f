"""Inbox windows: views, filters, sorts, rows in the asked order."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select, text

from desktop.domain.enums import Platform
from desktop.domain.models import Account
from desktop.domain.triage import priority
from desktop.store import Store, accounts, inbox, triage
from desktop.store.inbox import InboxFilter, Sort, View
from desktop.store.ingest import ingest
from desktop.store.schema import ConversationRow
from tests.desktop.store.factories import T0, customer, item


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


def _triaged(store: Store, account: Account, now: datetime) -> dict[str, int]:
    """Three waiting conversations with different due times and weights, one answered."""
    batch = [
        # due first (asked first), but mild: public only
        item("1", "quick question about sizes", thread="early", minutes=0, who=customer(1)),
        # asked later, so due later, but angry and urgent: highest priority
        item("2", "I want a refund, this is awful", thread="angry", minutes=30, who=customer(2)),
        item("3", "hello?", thread="middle", minutes=10, who=customer(3)),
        item("4", "asked", thread="done", minutes=1, who=customer(4)),
        item("5", "answered", thread="done", minutes=2, out=True),
    ]

    def job(s):  # type: ignore[no-untyped-def]
        result = ingest(s, account.id, batch)
        triage.recompute_for_conversations(s, result.conversation_ids, now)

    store.run_sync(job)
    with store.reader() as s:
        rows = s.execute(text("SELECT platform_root_id, id FROM conversations")).all()
    return {k: v for k, v in rows}


def test_sort_by_due_time_and_by_priority_with_reasons(store: Store, account: Account) -> None:
    now = T0 + timedelta(days=1, hours=1)  # Monday 10:00: all three are overdue
    ids = _triaged(store, account, now)
    with store.reader() as s:
        by_due = inbox.ids(s, InboxFilter(), Sort.DUE)
        by_priority = inbox.ids(s, InboxFilter(), Sort.PRIORITY)
        waiting_by_due = inbox.ids(s, InboxFilter(view=View.NEEDS_REPLY), Sort.DUE)
        rows = {r.id: r for r in inbox.rows(s, by_due)}
    # Sunday's questions all fall due on Monday 10:00 (the hour starts at 09:00), so the
    # due order is by id among equals; the answered conversation owes nothing and goes last.
    assert by_due[-1] == ids["done"]
    assert waiting_by_due == by_due[:3]
    assert by_priority[0] == ids["angry"]
    assert by_priority[-1] == ids["done"]
    angry = rows[ids["angry"]]
    assert angry.due_at == datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
    assert {priority.NEGATIVE, priority.URGENT, priority.WAITING} <= {r.code for r in angry.reasons}
    assert angry.priority == sum(r.points for r in angry.reasons)
    assert rows[ids["done"]].due_at is None and rows[ids["done"]].reasons == ()


def test_due_order_follows_the_due_instant(store: Store, account: Account) -> None:
    # Monday 09:00 onwards: business hours, so each question is due an hour after it came.
    monday = T0 + timedelta(days=1)
    batch = [
        item("1", "second", thread="b", minutes=24 * 60 + 20, who=customer(1)),
        item("2", "first", thread="a", minutes=24 * 60 + 5, who=customer(2)),
        item("3", "third", thread="c", minutes=24 * 60 + 40, who=customer(3)),
    ]

    def job(s):  # type: ignore[no-untyped-def]
        result = ingest(s, account.id, batch)
        triage.recompute_for_conversations(s, result.conversation_ids, monday + timedelta(hours=1))

    store.run_sync(job)
    with store.reader() as s:
        order = inbox.rows(s, inbox.ids(s, InboxFilter(), Sort.DUE))
    assert [r.snippet for r in order] == ["first", "second", "third"]
    assert order[0].due_at == monday + timedelta(hours=1, minutes=5)


def test_needs_reply_by_due_time_and_by_priority_read_an_index(
    store: Store, account: Account
) -> None:
    """No sort of every waiting conversation for the first page (1M: ms, not seconds)."""
    _triaged(store, account, T0)
    # The planner's statistics of the 1M-message benchmark workspace (ANALYZE there), so the
    # plan is the one a large inbox gets.
    stats = {
        "ix_conv_due": "181914 5",
        "ix_conv_priority": "181914 40 5",
        "ix_conv_needs_reply": "181914 2",
        "ix_conv_status_last": "318390 159195 2",
        "ix_conv_last": "318390 2",
    }

    def load_stats(s):  # type: ignore[no-untyped-def]
        s.execute(text("ANALYZE"))
        s.execute(text("DELETE FROM sqlite_stat1 WHERE tbl = 'conversations'"))
        for idx, stat in stats.items():
            s.execute(
                text("INSERT INTO sqlite_stat1 VALUES ('conversations', :i, :s)"),
                {"i": idx, "s": stat},
            )

    store.run_sync(load_stats)
    with store.reader() as s:
        s.execute(text("ANALYZE sqlite_schema"))  # this connection re-reads the statistics
        for sort, index in ((Sort.DUE, "ix_conv_due"), (Sort.PRIORITY, "ix_conv_priority")):
            query = inbox._ordered(
                select(ConversationRow.id).where(text(inbox.NEEDS_REPLY_SQL)), sort
            ).limit(50)
            sql = str(query.compile(compile_kwargs={"literal_binds": True}))
            plan = " ".join(r[3] for r in s.execute(text("EXPLAIN QUERY PLAN " + sql)))
            assert f"USING INDEX {index}" in plan, plan
            assert "TEMP B-TREE FOR ORDER BY" not in plan, plan  # at most the tie-break part
