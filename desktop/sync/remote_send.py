"""The remote phase of reply and direct-message ops: exactly once, or held, or failed.

Rules (DESIGN.md "Sync and the outbox"):
- the idempotency key was stored with the item at enqueue, before any request;
- `sending` is committed before the request, so a crash mid-flight is found at startup;
- an unknown outcome (timeout, reset, 5xx, any unexpected exception) becomes `uncertain`, and an
  uncertain item is reconciled with `find_sent` before it may be sent again;
- a brand reply that appeared since the draft (on the platform or in the store) holds the item.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from desktop.domain.enums import OpKind, OutboxState
from desktop.domain.errors import SyncError, SyncErrorKind
from desktop.domain.outbox import OutboxItem
from desktop.platforms.base import PlatformClient
from desktop.sync.backoff import delay_for
from desktop.sync.outbox_port import OutboxPort

log = logging.getLogger(__name__)

# Kinds that prove the platform did not act on the request: safe to queue again.
_NOT_DELIVERED = {SyncErrorKind.OFFLINE, SyncErrorKind.RATE_LIMITED, SyncErrorKind.AUTH}


@dataclass(frozen=True, slots=True)
class Outcome:
    item: OutboxItem
    error: SyncError | None = None  # for the worker: back off, go offline, ask for re-auth


def _later(error: SyncError, attempts: int, now: datetime) -> datetime:
    return now + timedelta(seconds=delay_for(error, attempts, now=now))


async def reconcile(client: PlatformClient, outbox: OutboxPort, item: OutboxItem) -> Outcome:
    """Ask the platform whether an uncertain send happened; never sends anything itself."""
    now = datetime.now(UTC)
    try:
        found = await client.find_sent(
            idempotency_key=item.idempotency_key,
            thread_key=item.thread_key,
            in_reply_to=item.in_reply_to,
            text=item.text,
        )
    except SyncError as exc:
        stays = await outbox.transition(
            item.id,
            OutboxState.UNCERTAIN,
            error=str(exc),
            not_before=_later(exc, item.attempts, now),
            count_attempt=True,
        )
        return Outcome(stays, exc)
    if found is not None:
        sent = await outbox.transition(
            item.id, OutboxState.SENT, platform_id=found.platform_id, url=found.url, error=None
        )
        return Outcome(sent)
    log.info("outbox %s: not on the platform after an unknown outcome; queueing again", item.id)
    return Outcome(await outbox.transition(item.id, OutboxState.QUEUED, not_before=now))


async def _collision(client: PlatformClient, outbox: OutboxPort, item: OutboxItem) -> str | None:
    if item.op is not OpKind.REPLY:
        return None
    local = await outbox.brand_replies_since(item)
    if local:
        return f"the brand already replied in this conversation ({local[-1]})"
    remote = await client.find_brand_replies(
        thread_key=item.thread_key, since_platform_id=item.since_platform_id
    )
    # A brand reply to another message of a shared thread (comments under one post) is not a
    # collision; one to the same message, or whose parent the platform does not say, is.
    remote = [r for r in remote if r.in_reply_to in (None, item.in_reply_to)]
    if remote:
        return f"the brand already replied on the platform ({remote[-1].platform_id})"
    return None


async def send(client: PlatformClient, outbox: OutboxPort, item: OutboxItem) -> Outcome:
    """Run one queued item: collision check, then the request, then record what happened."""
    now = datetime.now(UTC)
    try:
        reason = await _collision(client, outbox, item)
    except SyncError as exc:
        requeued = await outbox.transition(
            item.id,
            OutboxState.QUEUED,
            error=str(exc),
            not_before=_later(exc, item.attempts, now),
            count_attempt=True,
        )
        return Outcome(requeued, exc)
    if reason is not None:
        return Outcome(await outbox.transition(item.id, OutboxState.HELD, error=reason))

    sending = await outbox.transition(item.id, OutboxState.SENDING, count_attempt=True)
    try:
        if item.op is OpKind.REPLY:
            if item.in_reply_to is None:
                raise SyncError(SyncErrorKind.PERMANENT, "reply has no message to answer")
            result = await client.reply(
                text=item.text,
                in_reply_to=item.in_reply_to,
                thread_key=item.thread_key,
                idempotency_key=item.idempotency_key,
            )
        elif item.op is OpKind.DIRECT_MESSAGE:
            result = await client.send_direct_message(
                text=item.text, thread_key=item.thread_key, idempotency_key=item.idempotency_key
            )
        else:
            raise SyncError(SyncErrorKind.PERMANENT, f"{item.op.value} is not a send op")
    except SyncError as exc:
        if exc.kind is SyncErrorKind.PERMANENT:
            return Outcome(await outbox.transition(item.id, OutboxState.FAILED, error=str(exc)))
        if exc.kind in _NOT_DELIVERED:
            requeued = await outbox.transition(
                item.id,
                OutboxState.QUEUED,
                error=str(exc),
                not_before=_later(exc, sending.attempts, now),
            )
            return Outcome(requeued, exc)
        # UNCERTAIN and TRANSIENT (a 5xx may come after the write): reconcile before any retry.
        uncertain = await outbox.transition(
            item.id,
            OutboxState.UNCERTAIN,
            error=str(exc),
            not_before=_later(exc, sending.attempts, now),
        )
        return Outcome(uncertain, exc)
    except Exception as exc:  # a bug or an unmapped transport error: the outcome is unknown
        log.exception("outbox %s: unexpected error while sending", item.id)
        uncertain = await outbox.transition(
            item.id,
            OutboxState.UNCERTAIN,
            error=f"{type(exc).__name__}: {exc}",
            not_before=now + timedelta(seconds=delay_for(None, sending.attempts)),
        )
        return Outcome(uncertain, SyncError(SyncErrorKind.TRANSIENT, str(exc)))
    sent = await outbox.transition(
        item.id, OutboxState.SENT, platform_id=result.platform_id, url=result.url, error=None
    )
    return Outcome(sent)


async def run_item(client: PlatformClient, outbox: OutboxPort, item: OutboxItem) -> Outcome:
    if item.state is OutboxState.UNCERTAIN:
        return await reconcile(client, outbox, item)
    return await send(client, outbox, item)


async def drain(client: PlatformClient, outbox: OutboxPort, account_id: int) -> SyncError | None:
    """Send every due item of the account; stop at the first error that concerns the account."""
    while True:
        item = await outbox.next_due(account_id, datetime.now(UTC))
        if item is None:
            return None
        outcome = await run_item(client, outbox, item)
        if outcome.error is not None:
            return outcome.error
