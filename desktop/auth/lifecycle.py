"""An account's life: connect, re-authenticate, pause, resume, remove — store row, keyring
entry and sync engine kept in step, for the CLI and the accounts dialog alike.

Order matters where a crash could leave things half-done: a new account's row is written,
then its token; if the keyring refuses, the row is taken back. On removal the worker stops
first (nothing may use the token while it goes), then the row, then the keyring entry.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Protocol

from desktop.auth.errors import SignInError
from desktop.auth.flows import same_account
from desktop.domain.enums import AccountStatus
from desktop.domain.errors import UserError
from desktop.domain.models import Account
from desktop.platforms.base import Credentials, PlatformClient
from desktop.platforms.registry import Connection, platform_module
from desktop.store import accounts

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from desktop.store.db import Store
    from desktop.sync.engine import SyncEngine

log = logging.getLogger(__name__)


class CredentialVault(Protocol):
    """Where tokens live: desktop.secrets.SecretStore (the OS keyring), or memory (demo)."""

    async def asave(self, account_id: int, credentials: Credentials) -> None: ...

    async def aload(self, account_id: int) -> Credentials | None: ...

    async def adelete(self, account_id: int) -> None: ...


class MemoryVault:
    """Tokens held for this process only: the demo's sandbox tokens are worthless outside it,
    so the demo needs no keyring."""

    def __init__(self) -> None:
        self.entries: dict[int, Credentials] = {}

    async def asave(self, account_id: int, credentials: Credentials) -> None:
        self.entries[account_id] = credentials

    async def aload(self, account_id: int) -> Credentials | None:
        return self.entries.get(account_id)

    async def adelete(self, account_id: int) -> None:
        self.entries.pop(account_id, None)


def make_client(
    account: Account, credentials: Credentials, vault: CredentialVault
) -> PlatformClient:
    """The platform's client; a rotated refresh token is written to `vault` before use."""

    async def save(new: Credentials) -> None:
        await vault.asave(account.id, new)

    client: PlatformClient = platform_module(account.platform).create_client(
        account, credentials, save
    )
    return client


async def add(
    store: Store,
    vault: CredentialVault,
    connection: Connection,
    *,
    brand: str | None = None,
    engine: SyncEngine | None = None,
) -> Account:
    """Store a newly connected account and its token; start syncing it if an engine runs."""

    reconnected = False

    def save(session: Session) -> Account:
        nonlocal reconnected
        chosen = accounts.ensure_brand(session, (brand or "").strip() or connection.display_name)
        accounts.ensure_me(session)
        reconnected = any(
            a.status is AccountStatus.DISCONNECTED
            and (a.platform, a.base_url, a.handle)
            == (connection.platform, connection.base_url, connection.handle)
            for a in accounts.list_accounts(session)
        )
        return accounts.add_account(
            session,
            brand_id=chosen.id,
            platform=connection.platform,
            handle=connection.handle,
            base_url=connection.base_url,
            display_name=connection.display_name,
            platform_user_id=connection.platform_user_id,
            settings=dict(connection.settings),
        )

    account = await store.run(save)
    try:
        await vault.asave(account.id, connection.credentials)
    except BaseException:  # no token, no account (a reconnected one keeps its history)
        await store.run(lambda s: accounts.remove_account(s, account.id, keep_history=reconnected))
        raise
    if engine is not None:
        engine.attach(account, make_client(account, connection.credentials, vault))
    log.info("connected %s account %s", account.platform.value, account.id)
    return account


async def reauthenticate(
    store: Store,
    vault: CredentialVault,
    account_id: int,
    connection: Connection,
    *,
    engine: SyncEngine | None = None,
) -> Account:
    """New tokens for an existing account, after a sign-in as that same account."""
    account = await store.run(lambda s: accounts.get_account(s, account_id))
    if not same_account(account, connection):
        raise SignInError(
            f"signed in as {connection.handle}, not {account.handle}; sign in to that "
            "account in the browser (or sign out there first) and try again"
        )
    if engine is not None:
        await engine.remove(account_id)  # the old client must not use the old token again
    await vault.asave(account_id, connection.credentials)

    def reactivate(session: Session) -> Account:
        current = accounts.get_account(session, account_id)
        if current.status in (AccountStatus.NEEDS_REAUTH, AccountStatus.DISCONNECTED):
            accounts.set_status(session, account_id, AccountStatus.ACTIVE)
        return accounts.get_account(session, account_id)

    account = await store.run(reactivate)
    if engine is not None:
        engine.attach(account, make_client(account, connection.credentials, vault))
        if account.status is AccountStatus.PAUSED:
            await engine.pause(account_id)
        else:  # not "needs sign-in" any more; the worker reports how its first pass goes
            engine.states.syncing(account_id, None, "signed in again")
    return account


async def pause(store: Store, account_id: int, *, engine: SyncEngine | None = None) -> Account:
    account = await store.run(lambda s: accounts.set_paused(s, account_id, True))
    if engine is not None:
        await engine.pause(account_id)
    return account


async def resume(
    store: Store,
    vault: CredentialVault,
    account_id: int,
    *,
    engine: SyncEngine | None = None,
) -> Account:
    """Sync a paused account again. Without a token (never signed in here, or the keyring
    lost it) it stays paused and the error says to re-authenticate."""
    current = await store.run(lambda s: accounts.get_account(s, account_id))
    if current.status is AccountStatus.DISCONNECTED:
        raise UserError(f"account {account_id} was removed; connect it again to sync it")
    credentials: Credentials | None = None
    if engine is not None and account_id not in engine.workers:
        credentials = await vault.aload(account_id)
        if credentials is None:
            raise UserError(f"account {account_id} has no token in the keyring; re-authenticate it")
    account = await store.run(lambda s: accounts.set_paused(s, account_id, False))
    if engine is not None and not engine.resume(account_id) and credentials is not None:
        engine.attach(account, make_client(account, credentials, vault))
    return account


async def remove(
    store: Store,
    vault: CredentialVault,
    account_id: int,
    *,
    keep_history: bool,
    engine: SyncEngine | None = None,
) -> None:
    """Remove an account and its token. With `keep_history` its conversations stay
    (read-only; connecting the same account again picks them up)."""
    await store.run(lambda s: accounts.get_account(s, account_id))  # UserError if unknown
    if engine is not None:
        await engine.remove(account_id)
    await store.run(lambda s: accounts.remove_account(s, account_id, keep_history=keep_history))
    await vault.adelete(account_id)


__all__ = [
    "CredentialVault",
    "MemoryVault",
    "add",
    "make_client",
    "pause",
    "reauthenticate",
    "remove",
    "resume",
]
