"""A sync process for kill tests: drain a SQLite outbox file to the sandbox until nothing is open.

`python -m tests.desktop.sync.drain_process DB SANDBOX_URL` signs every platform's sandbox brand
in (account id = position in desktop.domain.enums.Platform, 1-based), recovers items left
`sending` by a killed predecessor, and drains. Exit 0 once every item is sent, held or failed.
A minimal driver over a bare outbox table; tests/integration/test_cli_kill.py kills the
product's own `python -m desktop sync --once` instead.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event
from sqlalchemy.orm import Session

from desktop.domain.enums import Platform
from desktop.domain.errors import SyncError
from desktop.domain.models import Account
from desktop.platforms.base import Credentials
from desktop.platforms.registry import platform_module
from desktop.store import outbox as repo
from desktop.sync.backoff import Backoff
from desktop.sync.remote_send import drain
from desktop.sync.store_outbox import StoreOutbox

PLATFORMS = list(Platform)


def account_id(platform: Platform) -> int:
    return PLATFORMS.index(platform) + 1


async def _client(base_url: str, platform: Platform) -> Any:
    module = platform_module(platform)
    backoff = Backoff()
    while True:  # sign-in goes through the same fault plan: retry it like any request
        try:
            connection = await module.connect_sandbox(base_url, None)
            break
        except SyncError:
            await asyncio.sleep(backoff.next_delay())
    account = Account(
        id=account_id(platform),
        brand_id=1,
        platform=platform,
        handle=connection.handle,
        display_name=connection.display_name,
        base_url=connection.base_url,
        platform_user_id=connection.platform_user_id,
        settings={**connection.settings, "timeout_s": 1.0},
    )

    async def save(_: Credentials) -> None:
        return None

    return module.create_client(account, connection.credentials, save)


async def main(db: Path, base_url: str) -> int:
    engine = create_engine(f"sqlite:///{db}")

    @event.listens_for(engine, "connect")
    def _pragmas(conn: Any, _: Any) -> None:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")  # a sent mark must survive SIGKILL
        conn.execute("PRAGMA busy_timeout=5000")

    async def run(fn: Callable[[Session], Any]) -> Any:
        def job() -> Any:
            with Session(engine) as session, session.begin():
                return fn(session)

        return await asyncio.to_thread(job)

    outbox = StoreOutbox(run)
    clients = {p: await _client(base_url, p) for p in PLATFORMS}
    try:
        while True:
            for platform, client in clients.items():
                await outbox.recover_in_flight(account_id(platform))
                await drain(client, outbox, account_id(platform))
            open_items = await run(
                lambda s: [i for i in repo.list_items(s, limit=100_000) if i.is_open]
            )
            if not open_items:
                return 0
            await asyncio.sleep(0.05)  # backoff times live in not_before; no spinning
    finally:
        for client in clients.values():
            await client.aclose()


if __name__ == "__main__":
    sys.exit(asyncio.run(main(Path(sys.argv[1]), sys.argv[2])))
