"""OutboxPort over the store: each call is one job on the store's single writer thread.

`run` is the store's `Store.run` (or anything with its shape: run a function with a Session in
one transaction, off the event loop). Brand replies already in the store since the draft began
are asked of `brand_replies`, given by whoever knows the message tables (the store's message
repository); without it only the platform is asked.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from desktop.domain.enums import OutboxState
from desktop.domain.outbox import OutboxItem
from desktop.store import changes
from desktop.store import outbox as repo

T = TypeVar("T")
Runner = Callable[[Callable[[Session], Any]], Awaitable[Any]]
BrandReplies = Callable[[Session, OutboxItem], Sequence[str]]
# Called in the same transaction as the move to SENT: records our reply in the thread.
OnSent = Callable[[Session, OutboxItem], None]


class StoreOutbox:
    def __init__(
        self,
        run: Runner,
        brand_replies: BrandReplies | None = None,
        on_sent: OnSent | None = None,
    ) -> None:
        self._run = run
        self._brand_replies = brand_replies
        self._on_sent = on_sent

    async def next_due(self, account_id: int, now: datetime) -> OutboxItem | None:
        item: OutboxItem | None = await self._run(lambda s: repo.next_due(s, account_id, now))
        return item

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
        on_sent = self._on_sent

        def job(s: Session) -> OutboxItem:
            moved = repo.transition(
                s,
                item_id,
                new,
                error=error,
                platform_id=platform_id,
                url=url,
                not_before=not_before,
                count_attempt=count_attempt,
            )
            if on_sent is not None and new is OutboxState.SENT:
                on_sent(s, moved)
            # the thread shows each reply's outbox state: announce every move after commit
            changes.record(s, "outbox", [moved.id], "sync")
            changes.record(s, "conversation", [moved.conversation_id], "outbox")
            return moved

        item: OutboxItem = await self._run(job)
        return item

    async def brand_replies_since(self, item: OutboxItem) -> Sequence[str]:
        if self._brand_replies is None:
            return ()
        finder = self._brand_replies
        found: Sequence[str] = await self._run(lambda s: finder(s, item))
        return found

    async def recover_in_flight(self, account_id: int) -> int:
        count: int = await self._run(lambda s: repo.recover_in_flight(s, account_id))
        return count

    async def next_wake(self, account_id: int) -> datetime | None:
        wake: datetime | None = await self._run(lambda s: repo.next_wake(s, account_id))
        return wake
