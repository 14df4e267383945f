"""Search syntax: words as prefixes, phrases, key:value filters, newest first."""

from __future__ import annotations

import pytest

from desktop.domain.errors import UserError
from desktop.domain.models import Account
from desktop.store import Store
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
