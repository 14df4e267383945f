"""A fresh Store on a real SQLite file, with one brand and one Mastodon account."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop.domain.enums import Platform
from desktop.domain.models import Account
from desktop.store import Store, accounts


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store.open(tmp_path / "profile" / "switchboard.sqlite3")
    try:
        yield s
    finally:
        s.close()


@pytest.fixture
def account(store: Store) -> Account:
    def setup(session):  # type: ignore[no-untyped-def]
        brand = accounts.ensure_brand(session, "Acme")
        accounts.ensure_me(session)
        return accounts.add_account(
            session,
            brand_id=brand.id,
            platform=Platform.MASTODON,
            handle="acme",
            base_url="http://127.0.0.1:1/mastodon",
        )

    return store.run_sync(setup)
