"""What the inbox window needs from the engine, behind one small interface.

`InboxSource` is the whole contract between the widgets and the data: ordered ids for a
filter, display rows for a window of ids, view counts, a thread's messages, and the triage
actions. `StoreSource` implements it over `desktop.store`; `MemorySource` implements it over
plain lists so models and widgets are testable without SQLite (and so the window can show
an explanatory empty state when no store could be opened).

Reads are synchronous and short (the store's reader connections, WAL beside the writer);
writes are coroutines that run on the store's writer thread. Change notifications arrive as
`ChangeSet`s on the Qt thread.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Protocol

from desktop.domain.enums import ConversationStatus, Direction, OutboxState, Platform
from desktop.store.changes import ChangeRecord, ChangeSet
from desktop.store.inbox import InboxFilter, InboxRow, Sort, View

__all__ = [
    "ChangeRecord",
    "ChangeSet",
    "InboxFilter",
    "InboxRow",
    "InboxSource",
    "MemorySource",
    "Sort",
    "StoreSource",
    "ThreadLink",
    "ThreadMessage",
    "View",
]

Unsubscribe = Callable[[], None]
ChangeCallback = Callable[[ChangeSet], None]


@dataclass(frozen=True, slots=True)
class ThreadLink:
    """An attachment or permalink: shown by name, opened only after showing `url`."""

    name: str
    url: str
    kind: str = "link"  # image, video, link, file


@dataclass(frozen=True, slots=True)
class ThreadMessage:
    """One message of a thread as the thread view shows it. Ids < 0 are our replies still in
    the outbox (queued, sending, uncertain, held, failed): -outbox id."""

    id: int
    direction: Direction
    author: str
    text: str
    created_at: datetime | None
    author_handle: str = ""
    followers: int | None = None
    verified: bool = False
    context_text: str | None = None  # the post being replied to, as the platform gave it
    attachments: tuple[ThreadLink, ...] = ()
    url: str | None = None  # the message on the platform
    outbox_state: OutboxState | None = None  # our replies: where the send stands
    outbox_error: str | None = None  # failed / held / uncertain reason


class InboxSource(Protocol):
    """Everything the inbox window reads and does. Reads are cheap and synchronous."""

    me_id: int | None

    def ids(
        self, f: InboxFilter, sort: Sort = Sort.NEWEST, limit: int | None = None
    ) -> list[int]: ...
    def rows(self, conversation_ids: Sequence[int]) -> list[InboxRow]: ...
    def view_counts(self) -> dict[View, int]: ...
    def thread(self, conversation_id: int) -> list[ThreadMessage]: ...
    def search(self, query: str) -> list[int]: ...
    def outbox_count(self) -> int: ...
    def subscribe(self, callback: ChangeCallback) -> Unsubscribe: ...

    async def set_status(self, conversation_id: int, status: ConversationStatus) -> None: ...
    async def mark_unread(self, conversation_id: int, unread: bool = True) -> None: ...
    async def assign_to_me(self, conversation_id: int) -> None: ...


# -- the store ------------------------------------------------------------------------------


class StoreSource:
    """InboxSource over a `desktop.store.Store` (reads on reader connections)."""

    # its view counts scan the conversations (~0.6 s at 1M): the window counts off-thread
    slow_counts = True

    def __init__(self, store: object, loop: asyncio.AbstractEventLoop | None = None) -> None:
        from desktop.store import Store, accounts

        assert isinstance(store, Store)
        self.store = store
        self._loop = loop
        with store.reader() as session:
            me = [a for a in accounts.list_agents(session) if a.is_me]
        self.me_id: int | None = me[0].id if me else None

    def ids(self, f: InboxFilter, sort: Sort = Sort.NEWEST, limit: int | None = None) -> list[int]:
        from desktop.store import inbox

        if f.me_id is None and self.me_id is not None:
            f = replace(f, me_id=self.me_id)
        with self.store.reader() as session:
            return inbox.ids(session, f, sort, limit=limit)

    def rows(self, conversation_ids: Sequence[int]) -> list[InboxRow]:
        from desktop.store import inbox

        with self.store.reader() as session:
            return inbox.rows(session, conversation_ids)

    def view_counts(self) -> dict[View, int]:
        from desktop.store import inbox

        with self.store.reader() as session:
            return inbox.view_counts(session, self.me_id)

    def thread(self, conversation_id: int) -> list[ThreadMessage]:
        with self.store.reader() as session:
            return thread_messages(session, conversation_id)

    def search(self, query: str) -> list[int]:
        return list(self.search_snippets(query))

    def search_snippets(self, query: str) -> dict[int, str]:
        """Matching conversation ids (best match first) -> what matched, `[` `]` marked."""
        from desktop.store import search

        with self.store.reader() as session:
            hits = search.search(session, query, limit=500)
        seen: dict[int, str] = {}
        for hit in hits:
            seen.setdefault(hit.conversation_id, hit.snippet)
        return seen

    def outbox_count(self) -> int:
        from desktop.store import outbox

        pending = (
            OutboxState.QUEUED,
            OutboxState.SENDING,
            OutboxState.UNCERTAIN,
            OutboxState.HELD,
            OutboxState.FAILED,
        )
        with self.store.reader() as session:
            return len(outbox.list_items(session, states=pending, limit=10_000))

    def subscribe(self, callback: ChangeCallback) -> Unsubscribe:
        loop = self._loop or asyncio.get_event_loop()
        return self.store.changes.subscribe_on_loop(loop, callback)

    async def set_status(self, conversation_id: int, status: ConversationStatus) -> None:
        from desktop.store import conversations

        until = None
        if status is ConversationStatus.SNOOZED:
            until = snooze_until(datetime.now(UTC))
        await self.store.run(lambda s: conversations.set_status(s, conversation_id, status, until))

    async def mark_unread(self, conversation_id: int, unread: bool = True) -> None:
        from desktop.store import conversations

        await self.store.run(lambda s: conversations.mark_read(s, conversation_id, read=not unread))

    async def assign_to_me(self, conversation_id: int) -> None:
        from desktop.store import conversations

        assign = getattr(conversations, "assign", None)
        if assign is None or self.me_id is None:
            raise NotImplementedError("the store cannot assign conversations yet")
        me = self.me_id
        await self.store.run(lambda s: assign(s, conversation_id, me))


THREAD_SQL = """
SELECT m.id, m.direction, m.text, m.created_at, m.context_text, m.attachments, m.url,
       m.platform_id, i.display_name, i.handle, i.followers, i.verified
FROM messages m LEFT JOIN identities i ON i.id = m.author_identity_id
WHERE m.conversation_id = :c ORDER BY m.created_at, m.id
"""
OUTBOX_SQL = """
SELECT id, text, state, error, created_at, platform_id, url FROM outbox
WHERE conversation_id = :c AND state != 'cancelled' ORDER BY id
"""


def _when(value: object) -> datetime | None:
    """A stored time (SQLite keeps naive UTC text) as aware UTC."""
    if value is None:
        return None
    when = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _links(raw: object) -> tuple[ThreadLink, ...]:
    import json

    if isinstance(raw, str):
        raw = json.loads(raw or "[]")
    links: list[ThreadLink] = []
    for a in raw if isinstance(raw, list) else []:
        if not isinstance(a, dict) or not a.get("url"):
            continue
        url = str(a["url"])
        name = str(a.get("name") or url.rstrip("/").rsplit("/", 1)[-1] or a.get("kind", "file"))
        links.append(ThreadLink(name, url, str(a.get("kind", "file"))))
    return tuple(links)


def thread_messages(session: object, conversation_id: int) -> list[ThreadMessage]:
    """A thread's messages with author profiles, context and attachments, then our replies
    still in the outbox; a sent reply carries its outbox state on its message (two queries)."""
    from sqlalchemy import text

    execute = session.execute  # type: ignore[attr-defined]
    sent: dict[str, tuple[OutboxState | None, str | None]] = {}
    pending: list[ThreadMessage] = []
    for r in execute(text(OUTBOX_SQL), {"c": conversation_id}):
        state = OutboxState(r.state)
        if state is OutboxState.SENT and r.platform_id:
            sent[str(r.platform_id)] = (state, r.error)
            continue
        pending.append(
            ThreadMessage(
                id=-int(r.id),
                direction=Direction.OUTBOUND,
                author="You",
                text=str(r.text),
                created_at=_when(r.created_at),
                url=r.url,
                outbox_state=state,
                outbox_error=r.error,
            )
        )
    messages: list[ThreadMessage] = []
    for r in execute(text(THREAD_SQL), {"c": conversation_id}):
        direction = Direction(r.direction)
        outbound = direction is Direction.OUTBOUND
        sent_state, sent_error = sent.get(str(r.platform_id), (None, None))
        messages.append(
            ThreadMessage(
                id=int(r.id),
                direction=direction,
                author="You" if outbound else str(r.display_name or r.handle or ""),
                text=str(r.text or ""),
                created_at=_when(r.created_at),
                author_handle="" if outbound else str(r.handle or ""),
                followers=None if outbound or r.followers is None else int(r.followers),
                verified=bool(r.verified) and not outbound,
                context_text=r.context_text,
                attachments=_links(r.attachments),
                url=r.url,
                outbox_state=sent_state,
                outbox_error=sent_error,
            )
        )
    return messages + pending


def snooze_until(now: datetime) -> datetime:
    """Snooze wakes the conversation at 09:00 UTC the next day (a preset; a picker later)."""
    from datetime import timedelta

    tomorrow = (now + timedelta(days=1)).replace(hour=9, minute=0, second=0, microsecond=0)
    return tomorrow


# -- in memory ------------------------------------------------------------------------------


class MemorySource:
    """InboxSource over plain Python data: for tests and the no-store empty state."""

    def __init__(self, rows: Sequence[InboxRow] = (), me_id: int | None = 1) -> None:
        self.me_id = me_id
        self._rows: dict[int, InboxRow] = {r.id: r for r in rows}
        self._assignee: dict[int, int | None] = {r.id: None for r in rows}
        self._threads: dict[int, list[ThreadMessage]] = {}
        self._subscribers: list[ChangeCallback] = []
        self.outbox = 0
        self.row_fetches = 0  # how many rows() calls: tests check the model fetches lazily
        self.id_queries: list[int | None] = []  # the limit of each ids() call, for tests

    # -- test helpers -----------------------------------------------------------------------
    def put(self, row: InboxRow, assignee_id: int | None = None) -> None:
        """Insert or replace a conversation and announce it like a commit would."""
        self._rows[row.id] = row
        self._assignee[row.id] = assignee_id
        self._publish([row.id])

    def remove(self, conversation_id: int) -> None:
        self._rows.pop(conversation_id, None)
        self._publish([conversation_id])

    def set_thread(self, conversation_id: int, messages: Sequence[ThreadMessage]) -> None:
        self._threads[conversation_id] = list(messages)

    def _publish(self, ids: Sequence[int]) -> None:
        changes = ChangeSet((ChangeRecord("conversation", tuple(ids), "memory"),))
        for callback in list(self._subscribers):
            callback(changes)

    # -- InboxSource ------------------------------------------------------------------------
    def _matches(self, row: InboxRow, f: InboxFilter) -> bool:
        me = f.me_id if f.me_id is not None else self.me_id
        assignee = self._assignee.get(row.id)
        resolved = row.status is ConversationStatus.RESOLVED
        open_ = row.status in (ConversationStatus.OPEN, ConversationStatus.PENDING)
        view_ok = {
            View.ALL: True,
            View.NEEDS_REPLY: row.needs_reply and open_,
            View.MINE: assignee == me and not resolved,
            View.UNASSIGNED: assignee is None and open_,
            View.HANDED_TO_ME: False,
            View.SNOOZED: row.status is ConversationStatus.SNOOZED,
            View.RESOLVED: resolved,
        }[f.view]
        if not view_ok:
            return False
        if f.platform is not None and row.platform is not f.platform:
            return False
        if f.status is not None and row.status is not f.status:
            return False
        if f.unread is not None and row.unread != f.unread:
            return False
        return f.conversation_ids is None or row.id in set(f.conversation_ids)

    def ids(self, f: InboxFilter, sort: Sort = Sort.NEWEST, limit: int | None = None) -> list[int]:
        self.id_queries.append(limit)
        chosen = [r for r in self._rows.values() if self._matches(r, f)]
        epoch = datetime(1970, 1, 1)
        if sort is Sort.OLDEST_WAITING:
            chosen.sort(key=lambda r: (_naive(r.last_inbound_at) or epoch, r.id))
        elif sort is Sort.PRIORITY:
            chosen.sort(key=lambda r: (-r.priority, _neg_time(r.last_message_at), -r.id))
        elif sort is Sort.DUE:  # like the store: soonest due first, nothing owed last
            chosen.sort(
                key=lambda r: (
                    r.due_at is None,
                    _naive(r.due_at) or epoch,
                    _neg_time(r.last_message_at),
                    -r.id,
                )
            )
        else:
            chosen.sort(key=lambda r: (_naive(r.last_message_at) or epoch, r.id), reverse=True)
        return [r.id for r in chosen][:limit]

    def rows(self, conversation_ids: Sequence[int]) -> list[InboxRow]:
        self.row_fetches += 1
        return [self._rows[i] for i in conversation_ids if i in self._rows]

    def view_counts(self) -> dict[View, int]:
        return {v: len(self.ids(InboxFilter(view=v))) for v in View}

    def thread(self, conversation_id: int) -> list[ThreadMessage]:
        return list(self._threads.get(conversation_id, []))

    def search(self, query: str) -> list[int]:
        words = query.lower().split()
        return [
            r.id
            for r in self._rows.values()
            if all(w in f"{r.snippet} {r.customer_name} {r.customer_handle}".lower() for w in words)
        ]

    def outbox_count(self) -> int:
        return self.outbox

    def subscribe(self, callback: ChangeCallback) -> Unsubscribe:
        self._subscribers.append(callback)

        def unsubscribe() -> None:
            if callback in self._subscribers:
                self._subscribers.remove(callback)

        return unsubscribe

    async def set_status(self, conversation_id: int, status: ConversationStatus) -> None:
        row = self._rows[conversation_id]
        open_ = status in (ConversationStatus.OPEN, ConversationStatus.PENDING)
        self.put(
            replace(row, status=status, needs_reply=row.needs_reply and open_),
            self._assignee.get(conversation_id),
        )

    async def mark_unread(self, conversation_id: int, unread: bool = True) -> None:
        self.put(
            replace(self._rows[conversation_id], unread=unread), self._assignee.get(conversation_id)
        )

    async def assign_to_me(self, conversation_id: int) -> None:
        row = self._rows[conversation_id]
        self.put(replace(row, assignee_name="Me"), self.me_id)


def _naive(value: datetime | None) -> datetime | None:
    return value.replace(tzinfo=None) if value is not None and value.tzinfo else value


def _neg_time(value: datetime | None) -> float:
    v = _naive(value)
    return -(v - datetime(1970, 1, 1)).total_seconds() if v else 0.0


def sample_row(
    conversation_id: int,
    *,
    minutes_ago: float = 0.0,
    now: datetime | None = None,
    platform: Platform = Platform.MASTODON,
    customer: str = "",
    snippet: str = "",
    status: ConversationStatus = ConversationStatus.OPEN,
    unread: bool = True,
    needs_reply: bool = True,
) -> InboxRow:
    """A display row with sensible defaults (tests, the screenshot script)."""
    from datetime import timedelta

    now = now or datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
    at = now - timedelta(minutes=minutes_ago)
    name = customer or f"Customer {conversation_id}"
    return InboxRow(
        id=conversation_id,
        platform=platform,
        customer_name=name,
        customer_handle="@" + name.lower().replace(" ", "") + "@example.social",
        snippet=snippet or f"Message number {conversation_id}",
        brand_name="Acme",
        account_handle="@acme",
        last_inbound_at=at,
        last_message_at=at,
        status=status,
        assignee_name=None,
        unread=unread,
        priority=0.0,
        needs_reply=needs_reply,
    )
