"""User intents as ops: a local phase in one store transaction, and a remote phase if needed.

The UI and the CLI call these plain async functions. The local phase runs on the store's writer
thread: the caller's visible change and audit event (store repositories, passed as `local`) and
the outbox row commit together, so a crash keeps all or none. The remote phase is the account
worker's (desktop/sync/remote_send.py); `wake` tells it there is work.

Local-only ops (resolve, snooze, assign, tag, note, handoff) are just `local` with no outbox row:
`run_local`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy.orm import Session

from desktop.domain.enums import OpKind
from desktop.domain.errors import UserError
from desktop.domain.outbox import UNDO_GRACE_SECONDS, OutboxItem
from desktop.store import outbox as outbox_repo

Runner = Callable[[Callable[[Session], Any]], Awaitable[Any]]
LocalChange = Callable[[Session, OutboxItem | None], None]


async def run_local(run: Runner, local: Callable[[Session], None]) -> None:
    """A local-only op: the change and its audit event in one transaction, nothing to send."""
    await run(local)


async def queue_send(
    run: Runner,
    *,
    account_id: int,
    conversation_id: int,
    text: str,
    thread_key: str,
    in_reply_to: str | None,
    op: OpKind = OpKind.REPLY,
    since_platform_id: str | None = None,
    now: bool = False,
    grace_seconds: float = UNDO_GRACE_SECONDS,
    local: LocalChange | None = None,
    wake: Callable[[int], None] | None = None,
) -> OutboxItem:
    """Queue a reply or DM. `now` skips the undo grace period (scripts: `reply --now`).

    `since_platform_id` is the newest brand message of the conversation when the draft began;
    the collision check looks for brand replies after it.
    """
    if not text.strip():
        raise UserError("the reply is empty")
    if op is OpKind.REPLY and not in_reply_to:
        raise UserError("a reply needs the message it answers")

    def job(session: Session) -> OutboxItem:
        item = outbox_repo.enqueue(
            session,
            account_id=account_id,
            conversation_id=conversation_id,
            text_=text,
            thread_key=thread_key,
            in_reply_to=in_reply_to,
            op=op,
            grace_seconds=0.0 if now else grace_seconds,
            since_platform_id=since_platform_id,
        )
        if local is not None:
            local(session, item)  # e.g. status -> pending, audit "reply queued"
        return item

    item: OutboxItem = await run(job)
    if wake is not None:
        wake(account_id)
    return item


async def undo(run: Runner, item_id: int) -> OutboxItem:
    """Undo send: cancel a queued item (the grace period is what makes this safe)."""
    item: OutboxItem = await run(lambda s: outbox_repo.cancel(s, item_id))
    return item


async def retry(
    run: Runner, item_id: int, *, text: str | None = None, wake: Callable[[int], None] | None = None
) -> OutboxItem:
    """Re-queue a failed or held item, optionally edited."""
    item: OutboxItem = await run(lambda s: outbox_repo.retry(s, item_id, text_=text))
    if wake is not None:
        wake(item.account_id)
    return item
