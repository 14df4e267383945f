"""Sync intervals per platform and per account (issue #4)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from desktop.domain.enums import Platform, StreamKind
from desktop.domain.errors import UserError
from desktop.domain.models import Account
from desktop.store import Store, accounts
from desktop.sync.account_state import AccountStates
from desktop.sync.engine import SyncEngine
from desktop.sync.intervals import SETTINGS_KEY, resolve, save_account_interval
from desktop.sync.memory_outbox import MemoryOutbox
from desktop.sync.worker import AccountWorker
from tests.desktop.sync.aio import run
from tests.desktop.sync.fake_client import FakeClient
from tests.desktop.sync.test_progress import history
from tests.desktop.sync.test_worker import MemoryInbound


def _account(platform: Platform, settings: dict[str, object] | None = None) -> Account:
    return Account(1, 1, platform, "acme", "Acme", "http://x", settings=dict(settings or {}))


def test_precedence_platform_default_user_platform_account_explicit() -> None:
    x = _account(Platform.X)
    assert resolve(x)[StreamKind.MENTIONS] == 900.0  # X bills reads: slow by default
    assert resolve(_account(Platform.MASTODON)) == {}  # the worker's 60 s
    users = {"x": 600, "mastodon": {"mentions": 30}}
    assert resolve(x, users)[StreamKind.DIRECT_MESSAGES] == 600.0
    masto = resolve(_account(Platform.MASTODON), users)
    assert masto == {StreamKind.MENTIONS: 30.0}
    own = _account(Platform.X, {SETTINGS_KEY: 1200})
    assert resolve(own, users)[StreamKind.MENTIONS] == 1200.0
    per_stream = _account(Platform.X, {SETTINGS_KEY: {"mentions": 45}})
    chosen = resolve(per_stream, users, {StreamKind.COMMENTS: 20.0})
    assert chosen[StreamKind.MENTIONS] == 45.0
    assert chosen[StreamKind.DIRECT_MESSAGES] == 600.0
    assert chosen[StreamKind.COMMENTS] == 20.0
    # a corrupt stored value falls back rather than stopping the account
    assert resolve(_account(Platform.X, {SETTINGS_KEY: "often"}))[StreamKind.MENTIONS] == 900.0


def test_engine_builds_workers_with_the_resolved_intervals() -> None:
    engine = SyncEngine(MemoryInbound(), MemoryOutbox(), platform_intervals={"mastodon": 120})
    worker = engine.add(_account(Platform.MASTODON), FakeClient())
    assert worker.interval(StreamKind.MENTIONS) == 120.0
    with pytest.raises(UserError):
        engine.set_interval(1, 1)  # too often: refused with the reason
    engine.set_interval(1, 300)
    assert worker.interval(StreamKind.MENTIONS) == 300.0


def test_account_interval_is_stored_in_the_account_settings(tmp_path: Path) -> None:
    with Store.open(tmp_path / "s.sqlite3") as store:

        def setup(session):  # type: ignore[no-untyped-def]
            brand = accounts.ensure_brand(session, "Acme")
            return accounts.add_account(
                session, brand_id=brand.id, platform=Platform.BLUESKY, handle="a", base_url="x"
            )

        account = store.run_sync(setup)
        store.run_sync(lambda s: save_account_interval(s, account.id, 180))
        with store.reader() as session:
            stored = accounts.get_account(session, account.id)
        assert stored.settings[SETTINGS_KEY] == 180.0
        assert resolve(stored)[StreamKind.MENTIONS] == 180.0
        store.run_sync(lambda s: save_account_interval(s, account.id, None))
        with store.reader() as session:
            assert SETTINGS_KEY not in accounts.get_account(session, account.id).settings
        with pytest.raises(UserError):
            store.run_sync(lambda s: save_account_interval(s, account.id, 2))


@run
async def test_a_shorter_interval_takes_effect_without_waiting_out_the_old_one() -> None:
    client = FakeClient(pages={StreamKind.MENTIONS: history(1, 1, start=_t(), end=_t())})
    worker = AccountWorker(
        1, client, MemoryInbound(), MemoryOutbox(), AccountStates(), {StreamKind.MENTIONS: 3600}
    )
    task = asyncio.create_task(worker.run_forever())
    try:
        await asyncio.sleep(0.2)
        assert client.fetches == 1  # polled once, next poll in an hour
        worker.set_intervals({StreamKind.MENTIONS: 0.05})
        await asyncio.sleep(0.5)
        assert client.fetches >= 4
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


def _t():  # type: ignore[no-untyped-def]
    from datetime import UTC, datetime

    return datetime.now(UTC)


def test_platform_interval_applies_to_its_accounts_unless_they_chose_their_own() -> None:
    engine = SyncEngine(MemoryInbound(), MemoryOutbox())
    plain = Account(1, 1, Platform.MASTODON, "a", "A", "x")
    own = Account(2, 1, Platform.MASTODON, "b", "B", "x", settings={SETTINGS_KEY: 45})
    other = Account(3, 1, Platform.BLUESKY, "c", "C", "x")
    workers = {a.id: engine.add(a, FakeClient()) for a in (plain, own, other)}

    def every(account_id: int) -> float:
        return workers[account_id].interval(StreamKind.MENTIONS)

    engine.set_platform_interval("mastodon", 300)
    assert (every(1), every(2), every(3)) == (300.0, 45.0, 60.0)
    engine.set_interval(2, None)  # back to its platform's
    assert every(2) == 300.0
    engine.set_interval(1, 120)
    engine.set_platform_interval("mastodon", None)
    assert (every(1), every(2), every(3)) == (120.0, 60.0, 60.0)
    with pytest.raises(UserError):
        engine.set_platform_interval("bluesky", 3)
    assert every(3) == 60.0
