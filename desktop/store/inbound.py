"""The store side of inbound sync: a page, its triage and its cursor commit together or not
at all. Triage (sentiment, priority, due time, report counts) folds in only the page's new
messages, so the list's priority and due columns are right the moment the page lands."""

from __future__ import annotations

from sqlalchemy.orm import Session

from desktop.domain.enums import StreamKind
from desktop.domain.inbound import Page
from desktop.store import accounts, triage
from desktop.store.db import Store
from desktop.store.ingest import ingest


class StoreInbound:
    """Implements desktop.sync.inbound_port.InboundPort over the Store (structurally)."""

    def __init__(self, store: Store) -> None:
        self.store = store

    async def load_cursor(self, account_id: int, stream: StreamKind) -> str | None:
        def read(session: Session) -> str | None:
            cursor = accounts.load_cursor(session, account_id, stream.value)
            return cursor.cursor if cursor else None

        return await self.store.run(read)

    async def store_page(self, account_id: int, stream: StreamKind, page: Page) -> None:
        def write(session: Session) -> None:
            result = ingest(session, account_id, page.items)
            triage.recompute_for_conversations(session, result.conversation_ids)
            if page.next_cursor is not None:
                accounts.save_cursor(session, account_id, stream.value, page.next_cursor)

        await self.store.run(write)
