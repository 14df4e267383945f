"""Search syntax: words as prefixes, phrases, key:value filters, newest first."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import text

from desktop.domain.enums import Platform
from desktop.domain.errors import UserError
from desktop.domain.inbound import ProfileInfo
from desktop.domain.models import Account
from desktop.store import Store, accounts, customers, notes
from desktop.store.db import _alembic_config, _make_engine
from desktop.store.ingest import ingest
from desktop.store.search import parse, search
from tests.desktop.store.factories import customer, item


@pytest.fixture
def seeded(store: Store, account: Account) -> Store:
    batch = [
        item("1", "I want a refund, the parcel never arrived", thread="a", who=customer(1)),
        item("2", "Refunds take too long", thread="b", minutes=10, who=customer(2)),
        item("3", "the parcel arrived, never mind", thread="c", minutes=20, who=customer(3)),
        item("4", "Rückerstattung bitte 😡", thread="d", minutes=30, who=customer(4)),
    ]
    store.run_sync(lambda s: ingest(s, account.id, batch))
    return store


def _texts(store: Store, query: str) -> list[str]:
    with store.reader() as s:
        return [h.snippet for h in search(s, query)]


def test_prefix_words_newest_first_with_highlight(seeded: Store) -> None:
    hits = _texts(seeded, "refund")
    assert hits == ["[Refunds] take too long", "I want a [refund], the parcel never arrived"]


def test_phrase_is_exact(seeded: Store) -> None:
    assert len(_texts(seeded, '"never arrived"')) == 1
    assert len(_texts(seeded, "never arrived")) == 2


def test_from_and_platform_filters(seeded: Store) -> None:
    assert len(_texts(seeded, "parcel from:user3")) == 1
    assert _texts(seeded, "parcel platform:bluesky") == []
    assert len(_texts(seeded, "parcel platform:mastodon is:unread")) == 2


def test_diacritics_fold(seeded: Store) -> None:
    assert len(_texts(seeded, "ruckerstattung")) == 1


def test_bad_queries_say_why() -> None:
    with pytest.raises(UserError, match="platform"):
        parse("platform:myspace")
    with pytest.raises(UserError):
        parse('"unclosed')
    assert parse('a "b c" from:x').phrases == ("b c",)


def _hits(store: Store, query: str) -> list[tuple[str, str]]:
    with store.reader() as s:
        return [(h.kind, h.snippet) for h in search(s, query)]


def test_customer_handle_and_name_find_their_conversations(seeded: Store) -> None:
    # user4's only message never says their handle; the customer index finds it
    assert _hits(seeded, "user4") == [("customer", "Customer: User 4 (@[user4])")]
    with seeded.reader() as s:
        (hit,) = search(s, "user4")
    assert hit.created_at is not None and hit.message_id > 0


def test_notes_find_conversations_and_customer_notes_reach_every_conversation(
    seeded: Store,
) -> None:
    def add_notes(s):  # type: ignore[no-untyped-def]
        me = accounts.ensure_me(s)
        conv_a, conv_b = (
            s.execute(
                text("SELECT id FROM conversations WHERE platform_root_id LIKE :k"), {"k": f"%{k}"}
            ).scalar_one()
            for k in ("a", "b")
        )
        notes.add(s, author_id=me.id, body="Promised a voucher by Friday", conversation_id=conv_a)
        cust_b = s.execute(
            text("SELECT customer_id FROM conversations WHERE id = :c"), {"c": conv_b}
        ).scalar_one()
        notes.add(s, author_id=me.id, body="Prefers German, VIP voucher holder", customer_id=cust_b)

    seeded.run_sync(add_notes)
    found = _hits(seeded, "voucher")
    assert sorted(found) == [
        ("note", "Note: Prefers German, VIP [voucher] holder"),
        ("note", "Note: Promised a [voucher] by Friday"),
    ]
    assert _hits(seeded, "voucher platform:bluesky") == []
    assert _hits(seeded, "voucher from:user2") == [
        ("note", "Note: Prefers German, VIP [voucher] holder")
    ]


def test_a_conversation_whose_message_matches_is_not_listed_again_for_its_customer(
    store: Store, account: Account
) -> None:
    jane = ProfileInfo(Platform.MASTODON, "u-9", "janedoe", "Jane Doe")
    store.run_sync(lambda s: ingest(s, account.id, [item("9", "Jane here, hello", who=jane)]))
    assert _hits(store, "jane") == [("message", "[Jane] here, hello")]


def test_deleting_people_and_notes_removes_their_index_entries(seeded: Store) -> None:
    def erase_all(s):  # type: ignore[no-untyped-def]
        for (cid,) in s.execute(text("SELECT id FROM customers")).all():
            customers.erase(s, cid)

    seeded.run_sync(erase_all)
    with seeded.reader() as s:
        for fts in ("customers_fts", "identities_fts", "notes_fts", "messages_fts"):
            n = s.execute(text(f"SELECT count(*) FROM {fts} WHERE {fts} MATCH 'user*'")).scalar()
            assert n == 0, fts
    assert _hits(seeded, "user4") == []


def test_upgrading_indexes_people_already_stored(tmp_path: Path) -> None:
    """A profile from before the people index (schema 0002) gets its customers indexed."""
    path = tmp_path / "old.sqlite3"
    engine = _make_engine(path, writer=True)
    with engine.begin() as conn:
        cfg = _alembic_config()
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0002_triage")
        conn.exec_driver_sql(
            "INSERT INTO customers (id, name, created_at) VALUES (7, 'Zoë Old', '2026-01-01')"
        )
    engine.dispose()
    reopened = Store.open(path)
    try:
        with reopened.reader() as s:
            n = s.execute(text("SELECT rowid FROM customers_fts WHERE customers_fts MATCH 'zoe'"))
            assert n.scalars().all() == [7]
    finally:
        reopened.close()
