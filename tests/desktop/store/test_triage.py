"""Triage facts in a real store: incremental recompute, targets, words, resolution, backfill."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy import text

from desktop.domain.enums import ConversationKind, ConversationStatus, StreamKind
from desktop.domain.inbound import Page
from desktop.domain.models import Account
from desktop.domain.triage import priority
from desktop.domain.triage.business_hours import BusinessHours
from desktop.domain.triage.targets import ResponseTarget
from desktop.store import Store, conversations, customers, triage
from desktop.store.changes import ChangeSet
from desktop.store.inbound import StoreInbound
from desktop.store.ingest import ingest
from desktop.store.triage_upkeep import TriageUpkeep
from tests.desktop.store.factories import T0, customer, item

# T0 is Sunday 1 March 2026, 09:00 UTC; the default target is 1 h, Mon-Fri 09-17 (UTC here).
MONDAY_10 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


def _ingest(store: Store, account: Account, batch: list, now: datetime = T0) -> list[int]:  # type: ignore[type-arg]
    def job(s):  # type: ignore[no-untyped-def]
        result = ingest(s, account.id, batch)
        return triage.recompute_for_conversations(s, result.conversation_ids, now)

    return store.run_sync(job)


def _cid(store: Store, thread: str = "t1") -> int:
    with store.reader() as s:
        return int(
            s.execute(
                text("SELECT id FROM conversations WHERE platform_root_id = :t"), {"t": thread}
            ).scalar_one()
        )


def _info(store: Store, cid: int) -> triage.TriageInfo:
    with store.reader() as s:
        return triage.triage_for(s, [cid])[cid]


def _codes(store: Store, cid: int) -> list[str]:
    return [r.code for r in _info(store, cid).reasons]


def _due_column(store: Store, cid: int) -> str | None:
    with store.reader() as s:
        return s.execute(
            text("SELECT due_at FROM conversations WHERE id = :c"), {"c": cid}
        ).scalar()


def test_a_new_complaint_is_scored_with_reasons_and_a_due_time(
    store: Store, account: Account
) -> None:
    changed = _ingest(store, account, [item("1", "I want a refund, this is awful 😞")])
    cid = _cid(store)
    assert changed == [cid]
    info = _info(store, cid)
    # Sunday: the hour starts counting on Monday at 09:00.
    assert info.due_at == MONDAY_10
    assert [r.code for r in info.reasons] == [priority.NEGATIVE, priority.URGENT, priority.PUBLIC]
    assert info.priority == sum(r.points for r in info.reasons)
    assert info.waiting_sentiment is not None and info.waiting_sentiment < -0.5
    assert _due_column(store, cid) is not None
    with store.reader() as s:
        assert s.execute(text("SELECT priority FROM conversations")).scalar() == info.priority
        ids = list(s.execute(text("SELECT id FROM messages")).scalars())
        assert set(triage.message_sentiments(s, ids)) == set(ids)  # inbound scored


def test_our_reply_clears_the_priority_and_records_first_response(
    store: Store, account: Account
) -> None:
    _ingest(store, account, [item("1", "refund please")])
    cid = _cid(store)
    # Reply on Monday 09:20: 20 business minutes, though 24 h 20 min on the wall clock.
    reply = item("2", "Refund started", out=True, minutes=24 * 60 + 20)
    _ingest(store, account, [reply], now=T0 + timedelta(days=1, minutes=20))
    info = _info(store, cid)
    assert info.priority == 0 and info.reasons == () and info.due_at is None
    assert _due_column(store, cid) is None
    assert info.first_response_business_s == 20 * 60
    assert info.within_target is True
    with store.reader() as s:
        ids = list(s.execute(text("SELECT id FROM messages ORDER BY id")).scalars())
        assert list(triage.message_sentiments(s, ids)) == [ids[0]]  # ours is not scored


def test_recompute_folds_only_new_messages(store: Store, account: Account) -> None:
    _ingest(store, account, [item("1", "hello there")])
    cid = _cid(store)
    # Rewrite the already-folded message behind triage's back: a rescan would see "legal".
    store.run_sync(lambda s: s.execute(text("UPDATE messages SET text = 'legal action'")))
    _ingest(store, account, [item("2", "anyone?", minutes=5)])
    assert _codes(store, cid) == [priority.PUBLIC]
    # The new message itself is read: a new urgent word counts.
    _ingest(store, account, [item("3", "I will cancel", minutes=6)])
    assert _info(store, cid).reasons[0].label == "Urgent words: cancel"


def test_history_arriving_out_of_order_rebuilds_that_conversation(
    store: Store, account: Account
) -> None:
    _ingest(store, account, [item("1", "second question", minutes=60)])
    cid = _cid(store)
    # An older message and our reply between them arrive late (a history backfill).
    late = [item("0", "first question", minutes=0), item("0r", "answer", out=True, minutes=30)]
    _ingest(store, account, late)
    info = _info(store, cid)
    assert info.first_response_at == T0 + timedelta(minutes=30)
    assert info.waiting_since == T0 + timedelta(minutes=60)  # the newer question still waits


def test_brand_hours_in_berlin_across_the_spring_dst_change(store: Store, account: Account) -> None:
    berlin_office = ResponseTarget(timedelta(hours=1), BusinessHours.weekdays("Europe/Berlin"))
    store.run_sync(lambda s: triage.set_target(s, account.brand_id, berlin_office, T0))
    # Friday 27 March 2026, 15:30 UTC = 16:30 CET; Berlin moves to CEST that Sunday.
    friday = datetime(2026, 3, 27, 15, 30, tzinfo=UTC)
    minutes = int((friday - T0).total_seconds() // 60)
    _ingest(store, account, [item("1", "where is my parcel", minutes=minutes)], now=friday)
    info = _info(store, _cid(store))
    # 30 min on Friday, 30 on Monday from 09:00 CEST (07:00 UTC): due 07:30 UTC.
    assert info.due_at == datetime(2026, 3, 30, 7, 30, tzinfo=UTC)
    with store.reader() as s:
        stored = triage.get_target(s, account.brand_id)
    assert stored == berlin_office


def test_changing_the_target_moves_waiting_due_times(store: Store, account: Account) -> None:
    _ingest(store, account, [item("1", "hi")])
    cid = _cid(store)
    assert _info(store, cid).due_at == MONDAY_10
    desk = ResponseTarget(timedelta(minutes=15), BusinessHours.always("UTC"))
    store.run_sync(lambda s: triage.set_target(s, account.brand_id, desk, T0))
    assert _info(store, cid).due_at == T0 + timedelta(minutes=15)


def test_rescore_due_ages_the_waiting_reason(store: Store, account: Account) -> None:
    desk = ResponseTarget(timedelta(hours=1), BusinessHours.always("UTC"))
    store.run_sync(lambda s: triage.set_target(s, account.brand_id, desk, T0))
    _ingest(store, account, [item("1", "hi")], now=T0)
    cid = _cid(store)
    assert store.run_sync(lambda s: triage.rescore_due(s, T0 + timedelta(minutes=20))) == []
    assert store.run_sync(lambda s: triage.rescore_due(s, T0 + timedelta(minutes=40))) == [cid]
    assert _codes(store, cid) == [priority.WAITING, priority.PUBLIC]
    store.run_sync(lambda s: triage.rescore_due(s, T0 + timedelta(minutes=70)))
    info = _info(store, cid)
    assert info.priority == 25 + 5  # overdue + public
    assert info.reasons[0].label == "overdue 10 min"


def test_editing_urgent_words_rescores_waiting_conversations(
    store: Store, account: Account
) -> None:
    _ingest(store, account, [item("1", "my parcel is at the depot")])
    cid = _cid(store)
    assert _codes(store, cid) == [priority.PUBLIC]
    words = store.run_sync(lambda s: triage.set_urgent_words(s, ["refund", " Depot "], T0))
    assert words == ("refund", "depot")
    assert _info(store, cid).reasons[0].label == "Urgent words: depot"
    with store.reader() as s:
        assert triage.get_urgent_words(s) == ("refund", "depot")


def test_resolving_records_the_time_and_drops_the_priority(store: Store, account: Account) -> None:
    _ingest(store, account, [item("1", "refund")])
    cid = _cid(store)
    resolved_at = T0 + timedelta(hours=3)

    def resolve(s):  # type: ignore[no-untyped-def]
        conversations.set_status(s, cid, ConversationStatus.RESOLVED)
        triage.recompute_for_conversations(s, [cid], resolved_at)

    store.run_sync(resolve)
    assert _info(store, cid).priority == 0 and _due_column(store, cid) is None
    with store.reader() as s:
        stored = s.execute(
            text("SELECT resolved_at FROM conversation_triage WHERE conversation_id = :c"),
            {"c": cid},
        ).scalar()
    assert str(stored).startswith("2026-03-01 12:00:00")


def test_an_existing_customer_is_recognised(store: Store, account: Account) -> None:
    regular = customer(7, followers=5)
    _ingest(store, account, [item("1", "first time", thread="a", who=regular)])
    _ingest(store, account, [item("2", "me again", thread="b", minutes=90, who=regular)])
    info = _info(store, _cid(store, "b"))
    assert info.reasons[0].label == "Existing customer: 1 earlier conversation"
    assert all(r.code != priority.CUSTOMER for r in _info(store, _cid(store, "a")).reasons)


def test_backfill_computes_missing_facts_in_slices(store: Store, account: Account) -> None:
    batch = [
        item(str(n), "refund?" if n % 2 else "thanks", thread=f"t{n}", minutes=n) for n in range(7)
    ]
    store.run_sync(lambda s: ingest(s, account.id, batch))  # no recompute: like the generator
    assert store.run_sync(lambda s: triage.backfill(s, limit=4, now=T0)) == 3
    assert store.run_sync(lambda s: triage.backfill(s, limit=4, now=T0)) == 0
    with store.reader() as s:
        infos = triage.triage_for(s, list(range(1, 8)))
    assert len(infos) == 7
    assert sum(1 for i in infos.values() if any(r.code == priority.URGENT for r in i.reasons)) == 3


def test_erasing_a_customer_takes_the_triage_rows_along(store: Store, account: Account) -> None:
    _ingest(store, account, [item("1", "refund", who=customer(3))])
    with store.reader() as s:
        customer_id = s.execute(text("SELECT customer_id FROM conversations")).scalar_one()
    store.run_sync(lambda s: customers.erase(s, customer_id))
    with store.reader() as s:
        assert s.execute(text("SELECT COUNT(*) FROM conversation_triage")).scalar() == 0
        assert s.execute(text("SELECT COUNT(*) FROM message_sentiment")).scalar() == 0


def test_direct_messages_are_not_public(store: Store, account: Account) -> None:
    dm = item("1", "refund", kind=ConversationKind.DIRECT_MESSAGE)
    _ingest(store, account, [dm])
    assert [r.code for r in _info(store, _cid(store)).reasons] == [priority.URGENT]


# -- wiring: a sync page is scored in its own transaction; the upkeep does the rest ---------
def test_a_synced_page_is_scored_in_the_same_transaction(store: Store, account: Account) -> None:
    inbound = StoreInbound(store)
    page = Page(items=(item("1", "I want a refund"),), next_cursor="c1")
    seen: list[ChangeSet] = []
    store.changes.subscribe(seen.append)
    asyncio.run(inbound.store_page(account.id, StreamKind.MENTIONS, page))
    cid = _cid(store)
    assert priority.URGENT in _codes(store, cid)
    assert _due_column(store, cid) is not None
    with store.reader() as s:
        assert s.execute(text("SELECT SUM(n) FROM report_hourly")).scalar() == 1
    # one commit: the page, its triage and the cursor are announced together
    assert len(seen) == 1 and cid in seen[0].ids("conversation")


def test_upkeep_backfills_and_rescores_what_other_writers_change(
    store: Store, account: Account
) -> None:
    batch = [item(str(n), "refund?", thread=f"t{n}", minutes=n) for n in range(5)]
    store.run_sync(lambda s: ingest(s, account.id, batch))  # no triage: like the generator

    async def go() -> None:
        upkeep = TriageUpkeep(store, backfill_slice=2)
        upkeep.start(asyncio.get_running_loop())
        await asyncio.wait_for(upkeep.backfilled.wait(), 10)
        assert upkeep.backfill_remaining == 0
        cid = _cid(store, "t0")
        assert _info(store, cid).priority > 0
        # A status change made elsewhere (the list's "resolve"): no triage call of its own.
        await store.run(lambda s: conversations.set_status(s, cid, ConversationStatus.RESOLVED))
        for _ in range(100):
            if _due_column(store, cid) is None:
                break
            await asyncio.sleep(0.02)
        await upkeep.stop()
        assert _info(store, cid).priority == 0 and _due_column(store, cid) is None

    asyncio.run(go())
    with store.reader() as s:
        assert s.execute(text("SELECT COUNT(*) FROM conversation_triage")).scalar() == 5
