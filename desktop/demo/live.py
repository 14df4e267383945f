"""The live demo: the sandbox plays five platforms and their customers, the real connectors
sync them into a real profile. Used by `make run` until the inbox window lands (issue 5),
and by the window's own demo mode later.

Demo credentials stay in memory: the sandbox's tokens are worthless outside this process,
so the demo works on machines without a keyring.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from desktop.domain.enums import Platform
from desktop.domain.models import Account
from desktop.platforms.base import Credentials
from desktop.platforms.registry import platform_module
from desktop.sandbox.server import SandboxServer
from desktop.store import Store, accounts, inbox
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


async def start(profile: Path, *, seed: int = 1, traffic_per_min: float = 30.0) -> LiveDemo:
    """Start the sandbox, connect one brand account per platform, start syncing."""
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
