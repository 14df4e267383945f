"""The composer's outbox side: queue a reply, follow it, undo or retry it.

Nothing here waits on the network: `queue` commits an outbox item (and removes the draft) in
one transaction on the store's writer thread and wakes the account's worker, which sends it
once the undo grace has passed and the account is online. Each conversation's last send is
re-read from the store while it is under way, and the send bar says where it is:
"Sending in 8 s — Undo", "Queued — will send when online", "Sending…", "Sent", or why it
was held or failed.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Coroutine
from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from desktop.domain.enums import OpKind, OutboxState
from desktop.domain.errors import UserError
from desktop.domain.outbox import InvalidTransition, OutboxItem
from desktop.store import drafts
from desktop.store import outbox as outbox_repo
from desktop.sync import ops
from ui.composer.send_bar import SendBar
from ui.composer.target import ReplyTarget
from ui.context import AppContext
from ui.tasks import TaskSet

log = logging.getLogger(__name__)

SENT_SHOWN_MS = 5000
POLL_MS = 250


class Sending(QObject):
    restored = Signal(object)  # OutboxItem: undone, its text goes back to the editor
    message = Signal(str)

    def __init__(self, bar: SendBar, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.bar = bar
        self.context: AppContext | None = None
        self.online = True
        self.conversation_id: int | None = None
        self.pending: dict[int, OutboxItem] = {}  # conversation id -> its last send
        self._tasks = TaskSet(self._failed)
        # child timers (never a lambda on singleShot: it would outlive a closed composer)
        self._tick = QTimer(self)
        self._tick.setInterval(POLL_MS)
        self._tick.timeout.connect(self.refresh)
        self._settle_timer = QTimer(self)
        self._settle_timer.setSingleShot(True)
        self._settle_timer.setInterval(SENT_SHOWN_MS)
        self._settle_timer.timeout.connect(self._forget_finished)
        bar.undo_button.clicked.connect(self.undo)
        bar.retry_button.clicked.connect(self.retry)

    def set_context(self, context: AppContext | None) -> None:
        self.context = context
        self.pending.clear()
        self.conversation_id = None
        self.refresh()

    def show_conversation(self, conversation_id: int | None) -> None:
        self.conversation_id = conversation_id
        self.refresh()

    def set_online(self, online: bool) -> None:
        was, self.online = self.online, online
        if online and not was:
            for item in self.pending.values():
                self.wake(item.account_id)
        self.refresh()

    # -- queueing ---------------------------------------------------------------------------
    async def queue(
        self, target: ReplyTarget, text: str, mode: OpKind, grace_seconds: float
    ) -> OutboxItem:
        """Commit the reply to the outbox and drop the draft, in one transaction."""
        context = self.context
        if context is None:
            raise UserError("no workspace is open")
        cid = target.conversation_id

        def local(session: Any, _item: OutboxItem | None) -> None:
            if drafts.get(session, cid) is not None:
                drafts.discard(session, cid)

        item = await ops.queue_send(
            context.store.run,
            account_id=target.account_id,
            conversation_id=cid,
            text=text,
            thread_key=target.send_thread_key(mode),
            in_reply_to=target.in_reply_to if mode is OpKind.REPLY else None,
            op=mode,
            since_platform_id=target.since_platform_id,
            grace_seconds=grace_seconds,
            local=local,
            wake=self.wake,
        )
        self.pending[cid] = item
        self.refresh()
        return item

    def wake(self, account_id: int) -> None:
        engine = self.context.engine if self.context else None
        if engine is None:
            return
        try:
            engine.wake(account_id)
        except KeyError:  # no worker for this account (not connected in this session)
            log.info("no sync worker for account %s", account_id)

    def is_offline(self, account_id: int) -> bool:
        if not self.online:
            return True
        engine = self.context.engine if self.context else None
        if engine is None:
            return False  # nothing syncs at all: is_syncing says so
        phase = engine.states.get(account_id).phase
        return str(getattr(phase, "value", phase)) == "offline"

    def is_syncing(self, account_id: int) -> bool:
        """Whether a worker runs for the account (not paused, connected in this session)."""
        engine = self.context.engine if self.context else None
        return engine is not None and account_id in getattr(engine, "workers", {})

    # -- following --------------------------------------------------------------------------
    def current_item(self) -> OutboxItem | None:
        return self.pending.get(self.conversation_id) if self.conversation_id else None

    def refresh(self) -> None:
        """Re-read the current conversation's last send and say where it is."""
        item = self.current_item()
        if item is None or self.context is None:
            self.bar.clear_state()
            if not self.pending:
                self._tick.stop()
            return
        with self.context.store.reader() as session:
            try:
                fresh: OutboxItem | None = outbox_repo.get(session, item.id)
            except UserError:
                fresh = None
        if fresh is None:
            self.pending.pop(item.conversation_id, None)
            self.bar.clear_state()
            return
        self.pending[fresh.conversation_id] = fresh
        self._show(fresh)
        if not self._tick.isActive():
            self._tick.start()

    def _show(self, item: OutboxItem) -> None:
        now = datetime.now(UTC)
        state = item.state
        if state is OutboxState.QUEUED and now < item.not_before and item.attempts == 0:
            left = max(1, math.ceil((item.not_before - now).total_seconds()))
            self.bar.show_state(f"Sending in {left} s", undo=True)
        elif state is OutboxState.QUEUED and self.is_offline(item.account_id):
            self.bar.show_state("Queued — will send when online")
        elif state is OutboxState.QUEUED and not self.is_syncing(item.account_id):
            self.bar.show_state("Queued — will send when this account syncs again")
        elif state in (OutboxState.QUEUED, OutboxState.SENDING, OutboxState.UNCERTAIN):
            self.bar.show_state("Sending…")
        elif state is OutboxState.SENT:
            self.bar.show_state("Sent")
            if not self._settle_timer.isActive():
                self._settle_timer.start()
        elif state is OutboxState.HELD:
            # a colleague answered meanwhile: retrying would be held again; take it back
            self.bar.show_state(f"Held, not sent: {item.error}", undo=True)
        elif state is OutboxState.FAILED:
            self.bar.show_state(f"Not sent: {item.error}", undo=True, retry=True)
        else:  # cancelled elsewhere (the outbox panel)
            self.bar.show_state("Cancelled")

    def _forget_finished(self) -> None:
        """A while after "Sent" (or "Undone"), the bar has said enough."""
        for cid, item in list(self.pending.items()):
            if item.state is OutboxState.SENT:
                del self.pending[cid]
        self.refresh()

    # -- undo and retry ---------------------------------------------------------------------
    def undo(self) -> None:
        item, context = self.current_item(), self.context
        if item is None or context is None:
            return

        async def run() -> None:
            try:
                undone = await ops.undo(context.store.run, item.id)
            except InvalidTransition:
                self.bar.show_state("Too late to undo: it is already being sent")
                return
            self.pending.pop(undone.conversation_id, None)
            if self.conversation_id == undone.conversation_id:
                self.bar.show_state("Undone — the reply is back in the editor")
                self._settle_timer.start()
            self.restored.emit(undone)
            self.message.emit("Send undone")

        self.spawn(run())

    def retry(self) -> None:
        item, context = self.current_item(), self.context
        if item is None or context is None:
            return

        async def run() -> None:
            await ops.retry(context.store.run, item.id, wake=self.wake)
            self.refresh()

        self.spawn(run())

    # -- plumbing ---------------------------------------------------------------------------
    def spawn(self, coro: Coroutine[Any, Any, Any]) -> None:
        self._tasks.spawn(coro, loop=self.context.loop if self.context is not None else None)

    def _failed(self, exc: BaseException) -> None:
        log.error("send action failed", exc_info=exc)
        self.message.emit(f"Failed: {exc}")

    async def settle(self) -> None:
        await self._tasks.settle()
