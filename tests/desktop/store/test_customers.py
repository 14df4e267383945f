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


# -- timeline, merge/split, export, erase across platforms -----------------------------------

from desktop.domain.enums import Platform  # noqa: E402
from desktop.store import agents, audit, conversations, matches, notes, tags  # noqa: E402
from tests.desktop.store.people import put, who, world  # noqa: E402

JANE_M = who(Platform.MASTODON, "m-1", "jane_doe@mastodon.social", "Jane Doe", followers=50)
JANE_X = who(Platform.X, "x-1", "janedoe", "Jane Doe", followers=900)
BOB = who(Platform.MASTODON, "m-2", "bob", "Bob Stone")


def _customer_of(store: Store, cid: int) -> int:
    with store.reader() as s:
        customer = customers.of_conversation(s, cid)
    assert customer is not None
    return customer


def test_timeline_merge_split_keep_it_right(store: Store) -> None:
    w = world(store)
    [m1] = put(store, w.mastodon, [item("1", "parcel late", thread="a", who=JANE_M)])
    [x1] = put(store, w.x, [item("2", "still late", thread="b", who=JANE_X, minutes=5)])
    [m2] = put(store, w.mastodon, [item("3", "thanks!", thread="c", who=JANE_M, minutes=9)])
    jm, jx = _customer_of(store, m1), _customer_of(store, x1)
    assert jm != jx
    with store.reader() as s:
        assert [t.conversation_id for t in customers.timeline(s, jm)] == [m2, m1]
        suggested = matches.suggest(s, jm)
    assert [m.customer_id for m in suggested] == [jx]
    assert any("same name" in r for r in suggested[0].reasons)
    assert any("same handle “janedoe”" in r for r in suggested[0].reasons)
    merged = store.run_sync(lambda s: customers.merge(s, jm, jx))
    with store.reader() as s:
        line = customers.timeline(s, jm)
        assert matches.suggest(s, jm) == []
    assert [t.conversation_id for t in line] == [m2, x1, m1]  # newest first, both brands
    assert {t.brand for t in line} == {"Acme", "Globex"}
    assert {t.platform for t in line} == {Platform.MASTODON, Platform.X}
    x_ident = next(i for i in merged.identities if i.platform is Platform.X)
    new = store.run_sync(lambda s: customers.split(s, x_ident.id))
    with store.reader() as s:
        assert [t.conversation_id for t in customers.timeline(s, jm)] == [m2, m1]
        assert [t.conversation_id for t in customers.timeline(s, new.id)] == [x1]
        trail = audit.for_customer(s, jm)
    assert [e.action for e in trail] == ["merge", "split"]
    assert trail[1].detail == {"identity": x_ident.id, "new_customer": new.id}


def test_suggestions_score_names_and_handles() -> None:
    from desktop.domain.models import Identity

    a = Identity(1, 1, Platform.BLUESKY, "d1", "jane-doe.bsky.social", "Jane Doe")
    b = Identity(2, 2, Platform.INSTAGRAM, "i1", "jane.doe", "Doe Jane")
    c = Identity(3, 3, Platform.X, "x1", "zzbob", "Bob Stone")
    same, why = matches.score_pair(a, b)
    other, _ = matches.score_pair(a, c)
    assert same == 100 and other < matches.THRESHOLD
    assert matches.handle_key("@Jane_Doe@mastodon.social") == "janedoe"
    assert why == [
        "same name “Doe Jane” on bluesky and instagram",
        "same handle “janedoe” on bluesky and instagram",
    ]


def test_export_has_everything_about_one_person(store: Store) -> None:
    w = world(store)
    [cid] = put(
        store,
        w.mastodon,
        [
            item("1", "my card was charged twice", who=JANE_M),
            item("2", "sorry!", out=True, minutes=1),
        ],
    )
    [bob] = put(store, w.mastodon, [item("3", "unrelated", thread="z", who=BOB)])
    jane = _customer_of(store, cid)
    store.run_sync(lambda s: tags.tag_customer(s, jane, "vip"))
    store.run_sync(lambda s: tags.tag_conversation(s, cid, "billing"))
    store.run_sync(lambda s: notes.handoff(s, cid, author_id=w.me, to_id=w.care, body="Refund?"))
    with store.reader() as s:
        dump = json.loads(json.dumps(customers.export(s, jane)))
    assert dump["customer"]["tags"] == ["vip"]
    assert dump["identities"][0]["handle"] == "jane_doe@mastodon.social"
    assert dump["identities"][0]["followers"] == 50
    assert [m["text"] for m in dump["messages"]] == ["my card was charged twice", "sorry!"]
    assert dump["conversations"][0]["tags"] == ["billing"]
    assert dump["conversations"][0]["assignee"] == "Customer care"
    assert dump["notes"][0]["author"] == "Me" and dump["notes"][0]["handoff_to"] == "Customer care"
    assert "unrelated" not in json.dumps(dump)
    assert [(a["action"], a["by"]) for a in dump["activity"]] == [
        ("tag", "Me"),
        ("tag", "Me"),
        ("handoff", "Me"),
    ]
    assert bob != cid


def test_erase_says_what_goes_and_rebuilds_what_it_touches(store: Store) -> None:
    w = world(store)
    [bob_conv] = put(
        store,
        w.mastodon,
        [
            item("1", "my order zebra", thread="z", who=BOB),
            item("2", "same here quokka", thread="z", who=JANE_M, minutes=3),
        ],
    )
    [jane_conv] = put(store, w.x, [item("3", "hello walrus", thread="j", who=JANE_X)])
    jane = _customer_of(store, jane_conv)
    with store.reader() as s:
        jane_m = s.scalar(text("SELECT customer_id FROM identities WHERE platform_user_id = 'm-1'"))
    store.run_sync(lambda s: customers.merge(s, jane, jane_m))
    store.run_sync(lambda s: notes.add(s, author_id=w.me, body="loud but fair", customer_id=jane))
    with store.reader() as s:
        before_hourly = s.execute(text("SELECT SUM(n) FROM report_hourly")).scalar()
        summary = customers.erase_summary(s, jane)
        before = conversations.get(s, bob_conv)
        for table, word in (("notes_fts", "fair"), ("customers_fts", "jane")):
            n = s.execute(text(f"SELECT count(*) FROM {table} WHERE {table} MATCH '{word}*'"))
            assert n.scalar() == 1, table
    assert before.message_count == 2 and before.snippet.startswith("same here")
    assert summary.conversations == 1 and summary.messages == 1
    assert summary.messages_elsewhere == 1 and summary.notes == 1
    assert sorted(summary.identities) == ["jane_doe@mastodon.social on mastodon", "janedoe on x"]
    assert "1 message(s) they wrote in other conversations" in summary.lines()
    store.run_sync(lambda s: customers.erase(s, jane))
    with store.reader() as s:
        after = conversations.get(s, bob_conv)
        fts = {
            w: s.execute(
                text(f"SELECT count(*) FROM messages_fts WHERE messages_fts MATCH '{w}'")
            ).scalar()
            for w in ("zebra", "quokka", "walrus")
        }
        people = s.execute(
            text("SELECT count(*) FROM identities_fts WHERE identities_fts MATCH 'jane*'")
        ).scalar()
        hourly = s.execute(text("SELECT SUM(n) FROM report_hourly")).scalar()
        facts_through = s.execute(
            text("SELECT through_id FROM conversation_triage WHERE conversation_id = :c"),
            {"c": bob_conv},
        ).scalar()
        kept_msg = s.scalar(select(MessageRow.id).where(MessageRow.conversation_id == bob_conv))
        trail = audit.recent(s)
        names = agents.names(s)
    assert fts == {"zebra": 1, "quokka": 0, "walrus": 0} and people == 0
    with store.reader() as s:
        for table, word in (("notes_fts", "fair"), ("customers_fts", "jane")):
            n = s.execute(text(f"SELECT count(*) FROM {table} WHERE {table} MATCH '{word}*'"))
            assert n.scalar() == 0, table
    assert after.message_count == 1 and after.snippet.startswith("my order")
    assert hourly == before_hourly - 2
    assert facts_through == kept_msg
    assert trail[0].action == "erase" and trail[0].customer_id == jane
    assert trail[0].detail == {"conversations": 1, "messages": 2, "notes": 1}
    assert "jane" not in json.dumps([e.detail for e in trail]).lower()
    assert audit.describe(trail[0], names) == f"Me erased customer {jane}"


def test_erase_waits_for_a_send_in_flight(store: Store) -> None:
    import pytest

    from desktop.domain.errors import UserError

    w = world(store)
    [cid] = put(store, w.mastodon, [item("1", "hello", who=JANE_M)])
    jane = _customer_of(store, cid)
    store.run_sync(
        lambda s: s.execute(
            text(
                "INSERT INTO outbox (account_id, conversation_id, op, text, thread_key,"
                " idempotency_key, state, created_at, not_before, attempts)"
                " VALUES (:a, :c, 'reply', 'hi', 't1', 'k1', 'sending', '', '', 1)"
            ),
            {"a": w.mastodon, "c": cid},
        )
    )
    with pytest.raises(UserError, match="being sent"):
        store.run_sync(lambda s: customers.erase(s, jane))
    store.run_sync(lambda s: s.execute(text("UPDATE outbox SET state = 'failed'")))
    with store.reader() as s:
        assert customers.erase_summary(s, jane).queued_replies == 1
    store.run_sync(lambda s: customers.erase(s, jane))
    with store.reader() as s:
        assert s.execute(text("SELECT count(*) FROM outbox")).scalar() == 0
