"""Connecting, pausing, resuming, re-authenticating and removing accounts: the real store,
the real keyring (a private Secret Service), the sandbox over HTTP and a running engine."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from sqlalchemy import text

from desktop.auth import lifecycle
from desktop.auth.errors import SignInError
from desktop.auth.flows import ConnectRequest, connect
from desktop.domain.enums import AccountStatus, Platform, StreamKind
from desktop.domain.errors import SyncError, SyncErrorKind, UserError
from desktop.domain.models import Account
from desktop.platforms.registry import Connection
from desktop.sandbox.admin_client import AdminClient
from desktop.sandbox.server import SandboxServer
from desktop.secrets import SERVICE, SecretStore
from desktop.store import Store, accounts
from desktop.store.inbound import StoreInbound
from desktop.store.ingest import record_sent
from desktop.sync.account_state import Phase
from desktop.sync.engine import SyncEngine
from desktop.sync.store_outbox import StoreOutbox

pytestmark = pytest.mark.keyring


@pytest.fixture(scope="module")
def sandbox() -> Iterator[SandboxServer]:
    with SandboxServer(seed=11) as server:
        yield server


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store.open(tmp_path / "profile" / "switchboard.sqlite3")
    try:
        yield s
    finally:
        s.close()


@pytest.fixture
def vault(secret_service: dict[str, str], store: Store) -> Iterator[SecretStore]:
    secrets = SecretStore(profile=store.profile_id)
    yield secrets
    forget_test_accounts(secrets)


def forget_test_accounts(secrets: SecretStore, up_to: int = 20) -> None:
    """Keyring entries are named by account id only, and the test keyring lives for the whole
    session: without this the next test profile's account 1 would find our token."""
    for account_id in range(1, up_to + 1):
        secrets.delete(account_id)


def sandbox_connection(sandbox: SandboxServer, platform: Platform, n: int = 0) -> Connection:
    handle = AdminClient(sandbox.base_url).accounts(platform.value)[n]["handle"]
    return asyncio.run(
        connect(ConnectRequest(platform, sandbox_url=sandbox.base_url, handle=handle))
    )


def conversations_of(store: Store, account_id: int) -> int:
    with store.reader() as session:
        return int(
            session.execute(
                text("SELECT count(*) FROM conversations WHERE account_id = :a"), {"a": account_id}
            ).scalar_one()
        )


def test_tokens_go_to_the_keyring_never_the_database(
    sandbox: SandboxServer, store: Store, vault: SecretStore
) -> None:
    connection = sandbox_connection(sandbox, Platform.X)
    account = asyncio.run(lifecycle.add(store, vault, connection, brand="Acme"))
    held = vault.load(account.id)
    assert held == connection.credentials
    raw = keyring.get_keyring().get_password(SERVICE, f"{store.profile_id}/account:{account.id}")
    assert raw is not None and str(connection.credentials.refresh_token) in raw
    store.close()
    files = list(Path(store.path).parent.glob("*"))  # the database, its WAL and backups
    assert files
    for secret in (connection.credentials.access_token, connection.credentials.refresh_token):
        assert all(str(secret).encode() not in f.read_bytes() for f in files)


def test_rotated_refresh_token_is_in_the_keyring_before_use(
    sandbox: SandboxServer, store: Store, vault: SecretStore
) -> None:
    connection = sandbox_connection(sandbox, Platform.X, 1)
    account = asyncio.run(lifecycle.add(store, vault, connection))
    old = connection.credentials
    AdminClient(sandbox.base_url).tokens("x", account.handle, "expire")
    client = lifecycle.make_client(account, old, vault)

    async def pull() -> None:
        try:
            await client.fetch(StreamKind.MENTIONS, None)
        finally:
            await client.aclose()

    asyncio.run(pull())
    rotated = vault.load(account.id)
    assert rotated is not None
    assert rotated.refresh_token and rotated.refresh_token != old.refresh_token
    assert rotated.access_token != old.access_token
    assert rotated.expires_at and rotated.expires_at > time.time()


def test_pause_resume_remove_keeping_history_then_reconnect(
    sandbox: SandboxServer, store: Store, vault: SecretStore
) -> None:
    admin = AdminClient(sandbox.base_url)
    connection = sandbox_connection(sandbox, Platform.MASTODON)
    admin.inbound(
        "mastodon", "mention", "where is my order?", {"handle": "kim"}, account=connection.handle
    )

    async def scenario() -> None:
        engine = SyncEngine(StoreInbound(store), StoreOutbox(store.run, on_sent=record_sent))
        engine.start()
        try:
            account = await lifecycle.add(store, vault, connection, engine=engine)
            assert account.id in engine.supervisor.tasks  # syncing at once
            for _ in range(200):
                if conversations_of(store, account.id):
                    break
                await asyncio.sleep(0.05)
            assert conversations_of(store, account.id) >= 1

            paused = await lifecycle.pause(store, account.id, engine=engine)
            assert paused.status is AccountStatus.PAUSED
            assert account.id not in engine.supervisor.tasks
            resumed = await lifecycle.resume(store, vault, account.id, engine=engine)
            assert resumed.status is AccountStatus.ACTIVE
            assert account.id in engine.supervisor.tasks

            kept = conversations_of(store, account.id)
            await lifecycle.remove(store, vault, account.id, keep_history=True, engine=engine)
            assert account.id not in engine.workers
            assert await vault.aload(account.id) is None
            assert conversations_of(store, account.id) == kept
            with store.reader() as session:
                gone = accounts.get_account(session, account.id)
            assert gone.status is AccountStatus.DISCONNECTED
            with pytest.raises(Exception, match="removed"):
                await lifecycle.resume(store, vault, account.id, engine=engine)

            again = await lifecycle.add(store, vault, connection, engine=engine)
            assert again.id == account.id and again.status is AccountStatus.ACTIVE
            assert conversations_of(store, again.id) == kept
            assert await vault.aload(again.id) == connection.credentials
        finally:
            await engine.stop()

    asyncio.run(scenario())


def test_remove_deleting_history(sandbox: SandboxServer, store: Store, vault: SecretStore) -> None:
    admin = AdminClient(sandbox.base_url)
    connection = sandbox_connection(sandbox, Platform.BLUESKY)
    admin.inbound(
        "bluesky",
        "mention",
        "hello there",
        {"handle": "lee.bsky.social"},
        account=connection.handle,
    )

    async def scenario() -> int:
        engine = SyncEngine(StoreInbound(store), StoreOutbox(store.run, on_sent=record_sent))
        account = await lifecycle.add(store, vault, connection, engine=engine)
        await engine.run_once()
        assert conversations_of(store, account.id) >= 1
        await lifecycle.remove(store, vault, account.id, keep_history=False, engine=engine)
        await engine.stop()
        return account.id

    account_id = asyncio.run(scenario())
    assert conversations_of(store, account_id) == 0
    with store.reader() as session:
        assert account_id not in [a.id for a in accounts.list_accounts(session)]
        assert not session.execute(
            text("SELECT count(*) FROM messages WHERE account_id = :a"), {"a": account_id}
        ).scalar_one()
    assert vault.load(account_id) is None


def test_reauthenticate_replaces_the_token_only_for_the_same_account(
    sandbox: SandboxServer, store: Store, vault: SecretStore
) -> None:
    first = sandbox_connection(sandbox, Platform.MASTODON, 0)
    other = sandbox_connection(sandbox, Platform.MASTODON, 1)
    account = asyncio.run(lifecycle.add(store, vault, first))
    store.run_sync(lambda s: accounts.set_status(s, account.id, AccountStatus.NEEDS_REAUTH))
    with pytest.raises(SignInError, match="signed in as"):
        asyncio.run(lifecycle.reauthenticate(store, vault, account.id, other))
    assert vault.load(account.id) == first.credentials
    fresh = sandbox_connection(sandbox, Platform.MASTODON, 0)
    engine = SyncEngine(StoreInbound(store), StoreOutbox(store.run, on_sent=record_sent))
    engine.states.failed(account.id, SyncError(SyncErrorKind.AUTH, "token revoked"))

    async def reauth() -> Account:
        try:
            return await lifecycle.reauthenticate(store, vault, account.id, fresh, engine=engine)
        finally:
            assert account.id in engine.workers  # a new client with the new token
            await engine.stop()

    updated = asyncio.run(reauth())
    assert engine.states.get(account.id).phase is not Phase.NEEDS_REAUTH
    assert updated.status is AccountStatus.ACTIVE
    held = vault.load(account.id)
    assert held is not None and held.access_token == fresh.credentials.access_token
    assert held.access_token != first.credentials.access_token


def test_resume_without_a_token_stays_paused(store: Store) -> None:
    vault = lifecycle.MemoryVault()  # holds nothing for this account

    def setup(session):  # type: ignore[no-untyped-def]
        brand = accounts.ensure_brand(session, "Acme")
        made = accounts.add_account(
            session,
            brand_id=brand.id,
            platform=Platform.MASTODON,
            handle="quiet",
            base_url="https://example.invalid",
        )
        return accounts.set_paused(session, made.id, True)

    account = store.run_sync(setup)
    engine = SyncEngine(StoreInbound(store), StoreOutbox(store.run, on_sent=record_sent))
    with pytest.raises(UserError, match="re-authenticate"):
        asyncio.run(lifecycle.resume(store, vault, account.id, engine=engine))
    with store.reader() as session:
        assert accounts.get_account(session, account.id).status is AccountStatus.PAUSED
    assert account.id not in engine.workers


def test_keyring_failure_takes_the_new_account_back(sandbox: SandboxServer, store: Store) -> None:
    class Refusing(lifecycle.MemoryVault):
        async def asave(self, account_id: int, credentials: object) -> None:
            raise RuntimeError("keyring locked")

    connection = sandbox_connection(sandbox, Platform.BLUESKY, 1)
    with pytest.raises(RuntimeError):
        asyncio.run(lifecycle.add(store, Refusing(), connection))
    with store.reader() as session:
        assert accounts.list_accounts(session) == []
