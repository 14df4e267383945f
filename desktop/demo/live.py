"""The live demo: the sandbox plays five platforms and their customers, the real connectors
sync them into a real profile. Used by `make run` until the inbox window lands (issue 5),
and by the window's own demo mode later.

Demo credentials stay in memory: the sandbox's tokens are worthless outside this process,
so the demo works on machines without a keyring.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import text
from sqlalchemy.orm import Session

from desktop.demo.generator import generate
from desktop.domain.enums import AccountStatus, Platform
from desktop.domain.models import Account
from desktop.platforms.base import Credentials
from desktop.platforms.registry import platform_module
from desktop.sandbox.server import SandboxServer
from desktop.store import Store, accounts, changes, inbox
from desktop.store.inbound import StoreInbound
from desktop.store.inbox import InboxFilter, View
from desktop.store.ingest import record_sent
from desktop.store.paths import database_path
from desktop.sync.engine import SyncEngine
from desktop.sync.store_outbox import StoreOutbox

log = logging.getLogger(__name__)


@dataclass
class LiveDemo:
    sandbox: SandboxServer
    store: Store
    engine: SyncEngine
    accounts: list[Account]


async def start(
    profile: Path, *, seed: int = 1, traffic_per_min: float = 30.0, history: int = 0
) -> LiveDemo:
    """Start the sandbox, connect one brand account per platform, start syncing.

    With `history` > 0 the profile first gets a generated past (about that many messages:
    brands, colleagues, customers, notes, a handoff, canned responses, tags), and the
    generated brand accounts the sandbox also serves (acme, globex) are signed in to it
    through the real connectors, so the old conversations and the live traffic are the same
    accounts' inbox. Generated accounts the sandbox does not serve stay, paused, with their
    history.
    """
    if history > 0:
        demo = await prepare(profile, seed=seed, traffic_per_min=traffic_per_min, history=history)
        await connect(demo)
        return demo
    sandbox = SandboxServer(seed=seed, traffic_rate_per_min=traffic_per_min)
    sandbox.start()
    store = Store.open(database_path(profile))
    engine = SyncEngine(StoreInbound(store), StoreOutbox(store.run, on_sent=record_sent))
    connected: list[Account] = []
    for platform in Platform:
        module = platform_module(platform)
        connection = await module.connect_sandbox(sandbox.base_url, None)

        def save(session, c=connection):  # type: ignore[no-untyped-def]
            brand = accounts.ensure_brand(session, "Acme (demo)")
            accounts.ensure_me(session)
            return accounts.add_account(
                session,
                brand_id=brand.id,
                platform=c.platform,
                handle=c.handle,
                base_url=c.base_url,
                display_name=c.display_name,
                platform_user_id=c.platform_user_id,
                settings=dict(c.settings),
            )

        account = await store.run(save)
        held: dict[str, Credentials] = {"c": connection.credentials}

        async def keep(new: Credentials, held: dict[str, Credentials] = held) -> None:
            held["c"] = new

        engine.add(account, module.create_client(account, connection.credentials, keep))
        connected.append(account)
    engine.start()
    return LiveDemo(sandbox, store, engine, connected)


async def prepare(
    profile: Path, *, seed: int = 1, traffic_per_min: float = 30.0, history: int = 2000
) -> LiveDemo:
    """The first half of `start(history=...)`: the sandbox runs and the profile holds its
    generated past, so a window can show a populated inbox while `connect` signs in."""
    sandbox = SandboxServer(seed=seed, traffic_rate_per_min=traffic_per_min)
    sandbox.start()
    try:
        store = Store.open(database_path(profile))
    except Exception:
        sandbox.stop()
        raise
    engine = SyncEngine(StoreInbound(store), StoreOutbox(store.run, on_sent=record_sent))
    with store.reader() as session:
        empty = not accounts.list_accounts(session)
    if empty:
        # its own short-lived thread, not the loop's default executor (qasync's is QThreads
        # that outlive a test's loop)
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="demo-history") as pool:
            await asyncio.get_running_loop().run_in_executor(
                pool, generate, store, history, seed, None, datetime.now(UTC)
            )
    return LiveDemo(sandbox, store, engine, [])


async def connect(demo: LiveDemo) -> None:
    """The second half: sign the history's accounts in to the sandbox and start syncing."""
    demo.accounts = await _connect_history(demo.store, demo.sandbox.base_url, demo.engine)
    demo.engine.start()


async def _connect_history(store: Store, base_url: str, engine: SyncEngine) -> list[Account]:
    """Sign the generated accounts in to the sandbox accounts with the same name."""
    async with httpx.AsyncClient(base_url=base_url, timeout=10) as http:
        listing = (await http.get("/__sandbox__/accounts")).json()
    with store.reader() as session:
        generated = accounts.list_accounts(session)
    served: list[tuple[Account, str]] = []
    unserved: list[int] = []
    for account in generated:
        rows = listing.get(account.platform.value) or []
        row = next((r for r in rows if _slug(str(r.get("handle", ""))) == account.handle), None)
        if row is None:
            unserved.append(account.id)
        else:
            served.append((account, str(row["handle"])))

    def pause(session: Session) -> None:
        for account_id in unserved:
            accounts.set_status(session, account_id, AccountStatus.PAUSED)

    await store.run(pause)
    connected: list[Account] = []
    for account, handle in served:
        connection = await platform_module(account.platform).connect_sandbox(base_url, handle)

        def point(session: Session, a: int = account.id, c: Any = connection) -> Account:
            session.execute(
                text(
                    "UPDATE accounts SET handle = :h, base_url = :u, display_name = :d,"
                    " platform_user_id = :p, settings = :s WHERE id = :a"
                ),
                {
                    "h": c.handle,
                    "u": c.base_url,
                    "d": c.display_name or c.handle,
                    "p": c.platform_user_id,
                    "s": json.dumps(dict(c.settings)),
                    "a": a,
                },
            )
            changes.record(session, "account", [a], "user")
            return accounts.get_account(session, a)

        signed_in = await store.run(point)
        held: dict[str, Credentials] = {"c": connection.credentials}

        async def keep(new: Credentials, held: dict[str, Credentials] = held) -> None:
            held["c"] = new

        module = platform_module(account.platform)
        engine.add(signed_in, module.create_client(signed_in, connection.credentials, keep))
        connected.append(signed_in)
    return connected


def _slug(handle: str) -> str:
    """'acme.bsky.social' and '@acme' -> 'acme' (the generator's account handles)."""
    return handle.lstrip("@").split(".")[0].split("@")[0]


async def stop(demo: LiveDemo) -> None:
    await demo.engine.stop()
    demo.store.close()
    demo.sandbox.stop()


async def run_in_terminal(
    profile: Path, *, seconds: float | None = None, out: Callable[[str], None] = print
) -> None:
    demo = await start(profile)
    out(f"sandbox at {demo.sandbox.base_url}; profile {profile}")
    out("connected: " + ", ".join(f"{a.platform.value}:{a.handle}" for a in demo.accounts))
    seen: set[int] = set()
    loop = asyncio.get_running_loop()
    deadline = None if seconds is None else loop.time() + seconds
    try:
        while deadline is None or loop.time() < deadline:
            await asyncio.sleep(2.0)
            with demo.store.reader() as session:
                ids = inbox.ids(session, InboxFilter(view=View.NEEDS_REPLY), limit=200)
                new = [i for i in ids if i not in seen]
                for row in inbox.rows(session, new[:10]):
                    out(f"[{row.platform.value:<9}] {row.customer_handle:<24} {row.snippet[:70]}")
                seen.update(ids)
                total = inbox.count(session, InboxFilter())
            out(f"-- {total} conversations, {len(seen)} needing a reply")
    finally:
        await stop(demo)
