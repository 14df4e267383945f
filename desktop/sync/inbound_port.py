"""What an account worker needs from the store for inbound sync, as a protocol.

`store_page` must write the items and the new cursor in one transaction: a crash then either
keeps both or neither, so a page is never skipped and a re-fetched page dedupes on
(account, platform id).
"""

from __future__ import annotations

from typing import Protocol

from desktop.domain.enums import StreamKind
from desktop.domain.inbound import Page


class InboundPort(Protocol):
    async def load_cursor(self, account_id: int, stream: StreamKind) -> str | None: ...

    async def store_page(self, account_id: int, stream: StreamKind, page: Page) -> None: ...
