"""Page-owned conversations: Messenger (Facebook) and Instagram Direct, one code path.

Both live under the Page in the Graph API (`GET /{page-id}/conversations?platform=...`,
`GET /{conversation-id}/messages`, `POST /{page-id}/messages`), so the Instagram connector
uses this class with `platform="instagram"` and its IG user id as `self_id`.

The messaging window: a reply within 24 hours of the customer's last message goes out as
`messaging_type=RESPONSE`; later, as `MESSAGE_TAG` with `tag=HUMAN_AGENT` (allowed for
7 days, needs the Human Agent permission). Past that the platform refuses (code 10,
subcode 2018278) and the refusal reaches the user as a permanent error with its reason.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from desktop.domain.enums import Direction, Platform
from desktop.domain.errors import SyncError, SyncErrorKind
from desktop.domain.inbound import InboundItem, Page, SendResult
from desktop.platforms.facebook.mapping import map_all, map_message
from desktop.platforms.facebook.watermark import Watermark, take_newer
from desktop.platforms.meta_graph import GraphSession, parse_time, plain_text

RESPONSE_WINDOW = timedelta(hours=24)
CONVERSATION_FIELDS = "id,updated_time,link,message_count,unread_count,participants"
MESSAGE_FIELDS = "id,message,created_time,from,to,attachments"
INITIAL_DAYS = 14.0  # first sync: conversations active in the last two weeks
PAGE_LIMIT = 200  # items handed to sync per fetch; has_more asks for the rest
MAX_CONVERSATION_PAGES = 8  # 25 conversations a page
MAX_MESSAGE_PAGES = 8  # 25 messages a page
RECENT_MESSAGES = 100  # how far back find_sent / find_brand_replies look


class Messaging:
    def __init__(self, session: GraphSession, *, page_id: str, self_id: str,
                 platform: Platform) -> None:
        self.session = session
        self.page_id = page_id
        self.self_id = self_id  # the `from.id` of messages the brand sent
        self.platform = platform
        self.graph_platform = "instagram" if platform is Platform.INSTAGRAM else "messenger"

    async def fetch(self, cursor: str | None) -> Page:
        """New messages of every conversation updated since the watermark, oldest first."""
        mark = Watermark.decode(cursor, initial_days=INITIAL_DAYS)
        conversations = await self.session.pages(
            f"{self.page_id}/conversations",
            {"platform": self.graph_platform, "fields": CONVERSATION_FIELDS, "limit": 25},
            max_pages=MAX_CONVERSATION_PAGES,
            stop_when=lambda c: _older(c, "updated_time", mark),
        )
        items: list[InboundItem] = []
        skipped = 0
        for conversation in conversations:
            if not isinstance(conversation, dict) or not conversation.get("id"):
                skipped += 1
                continue
            if _older(conversation, "updated_time", mark):
                continue
            messages, bad = await self._messages(str(conversation["id"]), mark)
            items.extend(messages)
            skipped += bad
        taken, new_mark, more = take_newer(items, mark, PAGE_LIMIT)
        return Page(items=taken, next_cursor=new_mark.encode(), has_more=more, skipped=skipped)

    async def _messages(self, conversation_id: str, mark: Watermark | None,
                        max_pages: int = MAX_MESSAGE_PAGES) -> tuple[list[InboundItem], int]:
        entries = await self.session.pages(
            f"{conversation_id}/messages", {"fields": MESSAGE_FIELDS, "limit": 25},
            max_pages=max_pages,
            stop_when=(lambda m: _older(m, "created_time", mark)) if mark else None,
        )
        entries.reverse()  # Graph lists messages newest first
        return map_all(
            entries,
            lambda m: map_message(m, conversation_id=conversation_id, page_id=self.self_id,
                                  platform=self.platform),
            "message",
        )

    async def send(self, *, text: str, conversation_id: str) -> SendResult:
        recent, _ = await self._messages(conversation_id, None, max_pages=2)
        last_inbound = max((m for m in recent if m.direction is Direction.INBOUND),
                           key=lambda m: m.created_at, default=None)
        if last_inbound is None:
            raise SyncError(SyncErrorKind.PERMANENT,
                            "the customer has not written in this conversation: nothing to answer")
        body: dict[str, Any] = {
            "recipient": {"id": last_inbound.author.platform_user_id},
            "message": {"text": text},
        }
        if datetime.now(UTC) - last_inbound.created_at <= RESPONSE_WINDOW:
            body["messaging_type"] = "RESPONSE"
        else:
            body["messaging_type"] = "MESSAGE_TAG"
            body["tag"] = "HUMAN_AGENT"
        result = await self.session.post(f"{self.page_id}/messages", json_data=body)
        message_id = result.get("message_id")
        if not message_id:
            raise SyncError(SyncErrorKind.UNCERTAIN, "send answered without a message_id")
        return SendResult(platform_id=str(message_id), thread_key=conversation_id)

    async def recent(self, conversation_id: str) -> list[InboundItem]:
        """The last messages of a conversation, oldest first (in the platform's order)."""
        items, _ = await self._messages(conversation_id, None,
                                        max_pages=max(1, RECENT_MESSAGES // 25))
        return sorted(items, key=lambda m: m.created_at)

    async def find_sent(self, *, conversation_id: str, text: str) -> SendResult | None:
        """Our message in the conversation, newest first, matched by its text (the Graph
        API has no idempotency key)."""
        wanted = plain_text(text).strip()
        for item in reversed(await self.recent(conversation_id)):
            if item.direction is Direction.OUTBOUND and item.text.strip() == wanted:
                return SendResult(platform_id=item.platform_id, thread_key=conversation_id)
        return None

    async def find_brand_replies(self, *, conversation_id: str, since_platform_id: str | None
                                 ) -> Sequence[InboundItem]:
        return after_id(await self.recent(conversation_id), since_platform_id)


def after_id(items: Sequence[InboundItem], since_platform_id: str | None) -> list[InboundItem]:
    """Brand-authored items after `since_platform_id` in an oldest-first list. An id that is
    not in the window is older than all of it, so every brand item counts."""
    start = 0
    for index, item in enumerate(items):
        if item.platform_id == since_platform_id:
            start = index + 1
    return [i for i in items[start:] if i.direction is Direction.OUTBOUND]


def _older(entry: Any, key: str, mark: Watermark | None) -> bool:
    """True when an entry's time is before the watermark's second (already delivered)."""
    if mark is None or not isinstance(entry, dict):
        return False
    when = parse_time(entry.get(key))
    return when is not None and int(when.timestamp()) < mark.since
