"""Screenshots of the sync status and panel and of a long conversation (run by screenshot_main).

- sync-status.png: the window with the status bar's sync line while one account syncs
- sync-panel.png: the sync panel: syncing with progress, rate-limited until, needs sign-in
  (its whole error shown), up to date
- thread-long.png: a long conversation with a verified customer's profile line, the post
  replied to, attachments as links, and our replies sent / failed / uncertain / queued
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

from desktop.domain.enums import ConversationKind, Direction, OutboxState, Platform, StreamKind
from desktop.domain.errors import SyncError, SyncErrorKind
from desktop.domain.inbound import InboundItem, ProfileInfo
from desktop.domain.models import Attachment
from desktop.store import Store, accounts
from desktop.store import outbox as repo
from desktop.store.inbound import StoreInbound
from desktop.store.ingest import ingest, record_sent
from desktop.sync.engine import SyncEngine
from desktop.sync.memory_outbox import MemoryOutbox
from ui.context import AppContext
from ui.data_source import StoreSource
from ui.main_window import MainWindow

Settle = Callable[..., None]


class _IdleClient:
    """A client that is never asked for anything: the states below are set by hand."""

    def streams(self) -> Sequence[StreamKind]:
        return [StreamKind.MENTIONS, StreamKind.DIRECT_MESSAGES]

    async def aclose(self) -> None:
        return None


def _window(store: Store, engine: SyncEngine | None, loop: asyncio.AbstractEventLoop) -> MainWindow:
    source = StoreSource(store, loop)
    window = MainWindow()
    window.set_source(source, None, AppContext(store, loop, engine, source.me_id))
    window.resize(1400, 860)
    window.show()
    return window


def shoot_sync(store: Store, out: Path, settle: Settle) -> None:
    loop = asyncio.new_event_loop()
    engine = SyncEngine(StoreInbound(store), MemoryOutbox())
    with store.reader() as s:
        listed = accounts.list_accounts(s)
    for account in listed:
        engine.add(account, _IdleClient())  # type: ignore[arg-type]
    ids = [a.id for a in listed]
    for account_id in ids:
        engine.states.online(account_id)
    engine.states.syncing(
        ids[0], 0.42, "mentions: 12,400 items, 3,100/s, about 20 s left", items=12_400
    )
    engine.states.failed(
        ids[1],
        SyncError(
            SyncErrorKind.RATE_LIMITED,
            "429 Too Many Requests",
            retry_at=datetime.now(UTC) + timedelta(minutes=25),
        ),
    )
    engine.states.failed(
        ids[2],
        SyncError(
            SyncErrorKind.AUTH,
            "401 invalid_grant: the refresh token was revoked by the user <b>(not HTML)</b>",
        ),
    )
    window = _window(store, engine, loop)
    window.select_row(1)
    settle()
    window.grab().save(str(out / "sync-status.png"))
    window.sync_status.open_panel()
    panel = window.sync_status.panel
    assert panel is not None
    panel.table.selectRow(2)
    settle()
    panel.grab().save(str(out / "sync-panel.png"))
    panel.hide()
    window.set_source(None)
    window.close()
    window.deleteLater()
    settle(50)
    loop.close()


def _long_conversation(store: Store) -> int:
    """40 messages between a verified customer and the brand, then our replies in the outbox."""
    t0 = datetime.now(UTC) - timedelta(days=2, hours=3)
    customer = ProfileInfo(
        Platform.MASTODON,
        "u-long-1",
        "maria@social.example",
        "Maria Lindqvist",
        followers=48_200,
        verified=True,
    )
    brand = ProfileInfo(Platform.MASTODON, "b-acme", "acme", "Acme")
    lines = [
        "Hi! My order #48213 was supposed to arrive Monday and the tracking hasn't moved.",
        "Sorry to hear that, Maria. Could you DM us the email on the order?",
        "Sent. Also: the tracking page says <b>label created</b> since last week.",
        "Thanks, found it. The parcel is at the depot; we asked the carrier to prioritise it.",
        "Any news? It's for a birthday on Saturday.",
        "The carrier confirmed delivery for Friday before noon.",
    ]
    items: list[InboundItem] = []
    for n in range(40):
        ours = n % 2 == 1
        text = lines[n % len(lines)] + ("" if n < len(lines) else f" (update {n // 2})")
        items.append(
            InboundItem(
                platform_id=f"long-{n}",
                kind=ConversationKind.PUBLIC_THREAD,
                thread_key="long-root",
                author=brand if ours else customer,
                text=text,
                created_at=t0 + timedelta(minutes=37 * n),
                direction=Direction.OUTBOUND if ours else Direction.INBOUND,
                context_text=(
                    "Autumn sale: 30% off every tent until Sunday!" if n in (0, 2) else None
                ),
                attachments=(
                    (Attachment("image", "https://files.social.example/m/tracking.png", ""),)
                    if n == 2
                    else (
                        (
                            Attachment(
                                "file",
                                "https://files.social.example/m/receipt-48213.pdf",
                                "receipt-48213.pdf",
                            ),
                        )
                        if n == 38
                        else ()
                    )
                ),
                url=f"https://social.example/@maria/long-{n}" if n == 38 else None,
            )
        )
    with store.reader() as s:
        account_id = accounts.list_accounts(s)[0].id
    result = store.run_sync(lambda s: ingest(s, account_id, items))
    conversation_id = result.conversation_ids[0]

    def replies(s):  # type: ignore[no-untyped-def]
        made = [
            repo.enqueue(
                s,
                account_id=account_id,
                conversation_id=conversation_id,
                text_=words,
                thread_key="long-root",
                in_reply_to="long-38",
                grace_seconds=0,
            )
            for words in (
                "Great! Happy birthday to whoever gets the tent!",
                "Here's a 10% code for the wait: SORRY10 (valid 30 days, any order).",
                "We've also refunded the express shipping.",
                "Let us know when it arrives!",
            )
        ]
        sent, failed, uncertain, _queued = (m.id for m in made)
        repo.transition(s, sent, OutboxState.SENDING)
        record_sent(s, repo.transition(s, sent, OutboxState.SENT, platform_id="long-sent"))
        repo.transition(s, failed, OutboxState.SENDING)
        repo.transition(
            s, failed, OutboxState.FAILED, error="422: the text contains a blocked link"
        )
        repo.transition(s, uncertain, OutboxState.SENDING)
        repo.transition(s, uncertain, OutboxState.UNCERTAIN, error="timed out after sending")

    store.run_sync(replies)
    return int(conversation_id)


def shoot_long_thread(store: Store, out: Path, settle: Settle) -> None:
    conversation_id = _long_conversation(store)
    loop = asyncio.new_event_loop()
    window = _window(store, None, loop)
    window.splitter.setSizes([180, 640, 580])
    if not window.select_id(conversation_id):
        window.set_filter(account_id=None)
        window.select_id(conversation_id)
    settle()
    window.thread.scroll_to_bottom()
    settle()
    window.grab().save(str(out / "thread-long.png"))
    window.thread.scroll.verticalScrollBar().setValue(0)  # the top: context and attachments
    settle()
    window.thread.grab().save(str(out / "thread-long-top.png"))
    window.set_source(None)
    window.close()
    window.deleteLater()
    settle(50)
    loop.close()
