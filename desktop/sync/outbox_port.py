"""What the remote phase needs from the outbox storage, as a protocol.

The SQLite implementation is desktop/store/outbox.py; tests may use `MemoryOutbox`. Every method
is one transaction, so a crash between two calls leaves the item in a state the startup recovery
(`recover_in_flight`: sending -> uncertain) knows how to finish.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from desktop.domain.enums import OutboxState
from desktop.domain.outbox import OutboxItem


class OutboxPort(Protocol):
    async def next_due(self, account_id: int, now: datetime) -> OutboxItem | None:
        """The oldest queued or uncertain item of the account whose not_before has passed."""
        ...

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
        """Move the item (checked against outbox_model.ALLOWED) and record the outcome."""
        ...

    async def brand_replies_since(self, item: OutboxItem) -> Sequence[str]:
        """Platform ids of brand messages stored in the item's conversation after it was drafted."""
        ...

    async def recover_in_flight(self, account_id: int) -> int:
        """After a crash: every `sending` item becomes `uncertain`. Returns how many."""
        ...

    async def next_wake(self, account_id: int) -> datetime | None:
        """When the earliest open item becomes due (None: nothing open)."""
        ...
