"""The SQLite outbox on a real file: durable states, crash recovery after reopening, edits."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.orm import Session

from desktop.domain.enums import OutboxState
from desktop.domain.errors import SyncError, SyncErrorKind, UserError
from desktop.domain.outbox import InvalidTransition
from desktop.store import outbox as repo
from desktop.sync.remote_send import drain
from desktop.sync.store_outbox import StoreOutbox
from tests.desktop.sync.fake_client import FakeClient

# Until store/schema.py lands, the table the repository expects (see desktop/store/outbox.py).
DDL = """CREATE TABLE IF NOT EXISTS outbox (
  id INTEGER PRIMARY KEY, account_id INTEGER NOT NULL, conversation_id INTEGER NOT NULL,
  op TEXT NOT NULL, text TEXT NOT NULL, thread_key TEXT NOT NULL, in_reply_to TEXT,
  idempotency_key TEXT NOT NULL UNIQUE, state TEXT NOT NULL, created_at TEXT NOT NULL,
  not_before TEXT NOT NULL, since_platform_id TEXT, attempts INTEGER NOT NULL DEFAULT 0,
  error TEXT, platform_id TEXT, url TEXT, updated_at TEXT)"""


def _engine(path: Path) -> Engine:
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        conn.execute(text(DDL))
    return engine


def _runner(engine: Engine) -> Callable[[Callable[[Session], Any]], Any]:
    async def run(fn: Callable[[Session], Any]) -> Any:
        def job() -> Any:
            with Session(engine) as session, session.begin():
                return fn(session)

        return await asyncio.to_thread(job)

    return run


def _enqueue(engine: Engine, grace: float = 0.0) -> int:
    with Session(engine) as s, s.begin():
        item = repo.enqueue(
            s,
            account_id=1,
            conversation_id=1,
            text_="hi",
            thread_key="t",
            in_reply_to="m",
            grace_seconds=grace,
        )
    return item.id


def test_sending_found_after_reopen_is_uncertain_and_reconciled(tmp_path: Path) -> None:
    db = tmp_path / "profile.sqlite"
    engine = _engine(db)
    item_id = _enqueue(engine)
    with Session(engine) as s, s.begin():
        key = repo.get(s, item_id).idempotency_key
        repo.transition(s, item_id, OutboxState.SENDING, count_attempt=True)
    engine.dispose()  # the process "dies" with the request in flight

    engine = _engine(db)
    client = FakeClient()
    client.posted.append((key, "t", "hi"))  # the platform had received it
    outbox = StoreOutbox(_runner(engine))

    async def main() -> None:
        assert await outbox.recover_in_flight(1) == 1
        assert await drain(client, outbox, 1) is None

    asyncio.run(main())
    with Session(engine) as s:
        item = repo.get(s, item_id)
    assert item.state is OutboxState.SENT and item.platform_id == "p1"
    assert len(client.posted) == 1


def test_timeout_after_commit_then_reconcile_through_sqlite(tmp_path: Path) -> None:
    engine = _engine(tmp_path / "p.sqlite")
    item_id = _enqueue(engine)
    client = FakeClient(send_faults=[(SyncError(SyncErrorKind.UNCERTAIN, "timeout"), True)])
    outbox = StoreOutbox(_runner(engine))
    asyncio.run(drain(client, outbox, 1))
    with Session(engine) as s, s.begin():
        assert repo.get(s, item_id).state is OutboxState.UNCERTAIN
        s.execute(text("UPDATE outbox SET not_before = '2000-01-01 00:00:00.000000'"))
    asyncio.run(drain(client, outbox, 1))
    with Session(engine) as s:
        assert repo.get(s, item_id).state is OutboxState.SENT
    assert len(client.posted) == 1


def test_grace_period_cancel_edit_and_retry(tmp_path: Path) -> None:
    engine = _engine(tmp_path / "p.sqlite")
    held_back = _enqueue(engine, grace=10.0)
    with Session(engine) as s, s.begin():
        from datetime import UTC, datetime

        assert repo.next_due(s, 1, datetime.now(UTC)) is None
        wake = repo.next_wake(s, 1)
        assert wake is not None and wake > datetime.now(UTC)
        repo.cancel(s, held_back)
        with pytest.raises(InvalidTransition):
            repo.retry(s, held_back)
    failed = _enqueue(engine)
    with Session(engine) as s, s.begin():
        repo.transition(s, failed, OutboxState.SENDING)
        with pytest.raises(UserError):
            repo.transition(s, failed, OutboxState.QUEUED, text_="edited too early")
        repo.transition(s, failed, OutboxState.FAILED, error="text too long")
        item = repo.retry(s, failed, text_="shorter")
        assert (item.state, item.text, item.error) == (OutboxState.QUEUED, "shorter", None)
        listed = repo.list_items(s, account_id=1, states=[OutboxState.CANCELLED])
        assert [i.id for i in listed] == [held_back]
