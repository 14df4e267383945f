"""A sync process for inbound kill tests: pull every stream into a SQLite file, then exit 0.

`python -m tests.desktop.sync.pull_process DB SANDBOX_URL`. Each page and its cursor commit in
one transaction (items keyed by (account, platform id)), as the store's ingest will; a SIGKILL
at any moment leaves either both or neither. Stands in for `python -m desktop sync --once`
until the store lands.
"""

from __future__ import annotations

import asyncio
import sqlite3
import sys
from pathlib import Path

from desktop.domain.enums import Platform, StreamKind
from desktop.domain.inbound import Page
from desktop.sync.account_state import AccountStates
from desktop.sync.memory_outbox import MemoryOutbox
from desktop.sync.worker import AccountWorker
from tests.desktop.sync.drain_process import _client, account_id

DDL = (
    "CREATE TABLE IF NOT EXISTS items (account INTEGER, pid TEXT, text TEXT,"
    " PRIMARY KEY (account, pid));"
    "CREATE TABLE IF NOT EXISTS cursors (account INTEGER, stream TEXT, cursor TEXT,"
    " PRIMARY KEY (account, stream));"
)


class SqliteInbound:
    def __init__(self, path: Path) -> None:
        self.db = sqlite3.connect(path, check_same_thread=False)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=FULL")
        self.db.executescript(DDL)

    async def load_cursor(self, account: int, stream: StreamKind) -> str | None:
        row = self.db.execute(
            "SELECT cursor FROM cursors WHERE account = ? AND stream = ?", (account, stream.value)
        ).fetchone()
        return row[0] if row else None

    async def store_page(self, account: int, stream: StreamKind, page: Page) -> None:
        def write() -> None:
            with self.db:
                self.db.executemany(
                    "INSERT OR IGNORE INTO items VALUES (?, ?, ?)",
                    [(account, i.platform_id, i.text) for i in page.items],
                )
                self.db.execute(
                    "INSERT OR REPLACE INTO cursors VALUES (?, ?, ?)",
                    (account, stream.value, page.next_cursor),
                )

        await asyncio.to_thread(write)


async def main(db: Path, base_url: str) -> int:
    inbound = SqliteInbound(db)
    for platform in Platform:
        client = await _client(base_url, platform)
        try:
            worker = AccountWorker(
                account_id(platform), client, inbound, MemoryOutbox(), AccountStates()
            )
            while await worker.run_once() is not None:
                await asyncio.sleep(0.05)
        finally:
            await client.aclose()
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main(Path(sys.argv[1]), sys.argv[2])))
