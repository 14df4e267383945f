"""An in-memory OutboxPort with the same transition rules as the SQLite one.

Why it exists: the remote-phase rules are tested against it, and it documents the contract the
store-backed repository must keep. It is not durable and is never used by the app.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from desktop.domain.enums import OpKind, OutboxState
from desktop.domain.outbox import (
    UNDO_GRACE_SECONDS,
    OutboxItem,
    check_transition,
    new_idempotency_key,
)


class MemoryOutbox:
    def __init__(self) -> None:
        self.items: dict[int, OutboxItem] = {}
        self.brand_messages: dict[int, list[str]] = {}  # conversation id -> brand platform ids
        self._ids = itertools.count(1)
        self._seen_at_draft: dict[int, int] = {}

    def enqueue(
        self,
        *,
        account_id: int,
        conversation_id: int,
        text: str,
        thread_key: str,
        in_reply_to: str | None,
        op: OpKind = OpKind.REPLY,
        grace_seconds: float = UNDO_GRACE_SECONDS,
        since_platform_id: str | None = None,
    ) -> OutboxItem:
        now = datetime.now(UTC)
        item = OutboxItem(
            id=next(self._ids),
            account_id=account_id,
            conversation_id=conversation_id,
            op=op,
            text=text,
            thread_key=thread_key,
            in_reply_to=in_reply_to,
            idempotency_key=new_idempotency_key(),
            state=OutboxState.QUEUED,
            created_at=now,
            not_before=now + timedelta(seconds=grace_seconds),
            since_platform_id=since_platform_id,
        )
        self.items[item.id] = item
        # watermark: brand messages already known when the draft began
        self._seen_at_draft[item.id] = len(self.brand_messages.setdefault(conversation_id, []))
        return item

    async def next_due(self, account_id: int, now: datetime) -> OutboxItem | None:
        due = [
            i
            for i in self.items.values()
            if i.account_id == account_id
            and i.state in (OutboxState.QUEUED, OutboxState.UNCERTAIN)
            and i.not_before <= now
        ]
        return min(due, key=lambda i: (i.not_before, i.id)) if due else None

    async def transition(
        self,
        item_id: int,
        new: OutboxState,
        *,
        error: str | None = None,
        platform_id: str | None = None,
        url: str | None = None,
        not_before: datetime | None = None,
        count_attempt: bool = False,
    ) -> OutboxItem:
        item = self.items[item_id]
        check_transition(item.state, new)
        item = replace(
            item,
            state=new,
            error=error,
            platform_id=platform_id or item.platform_id,
            url=url or item.url,
            not_before=not_before or item.not_before,
            attempts=item.attempts + (1 if count_attempt else 0),
        )
        self.items[item_id] = item
        if new is OutboxState.SENT and platform_id:
            self.brand_messages.setdefault(item.conversation_id, []).append(platform_id)
        return item

    async def brand_replies_since(self, item: OutboxItem) -> Sequence[str]:
        known = self.brand_messages.get(item.conversation_id, [])
        return [p for p in known if p != item.platform_id][self._seen_at_draft.get(item.id, 0) :]

    async def recover_in_flight(self, account_id: int) -> int:
        stuck = [
            i
            for i in self.items.values()
            if i.account_id == account_id and i.state is OutboxState.SENDING
        ]
        for i in stuck:
            await self.transition(i.id, OutboxState.UNCERTAIN, error="interrupted while sending")
        return len(stuck)

    async def next_wake(self, account_id: int) -> datetime | None:
        times = [
            i.not_before
            for i in self.items.values()
            if i.account_id == account_id and i.state in (OutboxState.QUEUED, OutboxState.UNCERTAIN)
        ]
        return min(times) if times else None
