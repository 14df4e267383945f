"""The Instagram connector (Instagram Graph API through the linked Facebook Page).

Reads, with the Page access token:
- COMMENTS: `GET /{ig-user-id}/media` (the 50 most recent posts), then
  `GET /{ig-media-id}/comments?fields=...,replies{...}` on each post that has comments.
  Instagram media have no "updated" time and comments no `since`, so every recent post is
  read each poll and the watermark filters what is new.
- DIRECT_MESSAGES: `GET /{page-id}/conversations?platform=instagram` (see facebook/messaging).
- OWN_POSTS: the account's media with like_count and comments_count.
Writes: `POST /{ig-comment-id}/replies`, `POST /{ig-media-id}/comments`, `POST /{page-id}/messages`.
Mentions in other people's posts and comments only reach an app by webhook, which a desktop
app cannot receive: there is no mentions stream.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from desktop.domain.enums import Direction, Platform, StreamKind
from desktop.domain.errors import SyncError, SyncErrorKind
from desktop.domain.inbound import InboundItem, Page, ProfileInfo, SendResult
from desktop.platforms.base import Capability
from desktop.platforms.facebook.mapping import Malformed, map_all, profile
from desktop.platforms.facebook.messaging import Messaging, after_id
from desktop.platforms.facebook.watermark import Watermark, take_newer
from desktop.platforms.instagram.mapping import map_comment, map_media
from desktop.platforms.meta_graph import GraphSession, parse_time, plain_text

log = logging.getLogger(__name__)

REPLY_FIELDS = "id,text,timestamp,username,from,like_count,parent_id"
COMMENT_FIELDS = f"id,text,timestamp,username,from,like_count,replies.limit(50){{{REPLY_FIELDS}}}"
MEDIA_FIELDS = "id,caption,timestamp,permalink,comments_count"
METRIC_FIELDS = "id,caption,timestamp,permalink,media_type,like_count,comments_count"
MAX_MEDIA_PAGES = 2  # 25 media a page
MAX_COMMENT_PAGES = 4  # 50 comments a page
COMMENTS_INITIAL_DAYS = 14.0
POSTS_INITIAL_DAYS = 30.0
METRICS_REFRESH = timedelta(days=3)
RECENT_MEDIA = timedelta(days=2)  # always re-read: a deletion plus a new comment keep the count
PAGE_LIMIT = 200
LOOKUP_BATCH = 50


def is_media_id(thread_key: str) -> bool:
    """Instagram media ids are numeric; conversation ids are opaque base64-like strings."""
    return thread_key.isdigit()


class InstagramClient:
    platform = Platform.INSTAGRAM
    capabilities = frozenset({
        Capability.LIST_COMMENTS, Capability.LIST_DIRECT_MESSAGES, Capability.LIST_OWN_POSTS,
        Capability.REPLY, Capability.DIRECT_MESSAGE, Capability.LOOKUP_PROFILES,
    })

    def __init__(self, http: httpx.AsyncClient, *, ig_user_id: str, username: str,
                 page_id: str, access_token: str, app_secret: str | None) -> None:
        self.http = http
        self.ig_user_id = ig_user_id
        self.session = GraphSession(http, access_token, app_secret)
        self.account_profile = ProfileInfo(
            Platform.INSTAGRAM, ig_user_id, username, username,
            profile_url=f"https://www.instagram.com/{username}/")
        self.messaging = Messaging(self.session, page_id=page_id, self_id=ig_user_id,
                                   platform=Platform.INSTAGRAM)

    def streams(self) -> Sequence[StreamKind]:
        return (StreamKind.COMMENTS, StreamKind.DIRECT_MESSAGES, StreamKind.OWN_POSTS)

    async def fetch(self, stream: StreamKind, cursor: str | None) -> Page:
        if stream is StreamKind.COMMENTS:
            return await self._fetch_comments(cursor)
        if stream is StreamKind.DIRECT_MESSAGES:
            return await self.messaging.fetch(cursor)
        if stream is StreamKind.OWN_POSTS:
            return await self._fetch_media(cursor)
        raise SyncError(SyncErrorKind.PERMANENT,
                        f"Instagram has no {stream.value} stream for a desktop app")

    async def _media_comments(self, media_id: str, context: str | None
                              ) -> tuple[list[InboundItem], int]:
        """Every comment and reply of one media, as the platform orders them."""
        entries = await self.session.pages(
            f"{media_id}/comments", {"fields": COMMENT_FIELDS, "limit": 50},
            max_pages=MAX_COMMENT_PAGES,
        )
        flat: list[tuple[Any, str | None]] = []
        for entry in reversed(entries):  # top-level comments come newest first
            flat.append((entry, None))
            replies = entry.get("replies") if isinstance(entry, dict) else None
            if isinstance(replies, dict) and isinstance(replies.get("data"), list):
                flat.extend((reply, str(entry.get("id"))) for reply in replies["data"])
        return map_all(
            flat,
            lambda pair: map_comment(pair[0], media_id=media_id, self_id=self.ig_user_id,
                                     context_text=context, parent_id=pair[1]),
            "comment",
        )

    async def _fetch_comments(self, cursor: str | None) -> Page:
        """New comments on recent media. A media whose `comments_count` is what the last
        complete poll saw, and which is older than RECENT_MEDIA, is not re-read: Instagram
        allows about 200 calls an hour, and most polls then cost one call."""
        mark = Watermark.decode(cursor, initial_days=COMMENTS_INITIAL_DAYS)
        known: dict[str, Any] = mark.extra.get("counts") or {}
        recent = datetime.now(UTC) - RECENT_MEDIA
        media = await self.session.pages(
            f"{self.ig_user_id}/media", {"fields": MEDIA_FIELDS, "limit": 25},
            max_pages=MAX_MEDIA_PAGES,
        )
        items: list[InboundItem] = []
        counts: dict[str, int] = {}
        skipped = 0
        for entry in media:
            if not isinstance(entry, dict) or not entry.get("id"):
                skipped += 1
                continue
            media_id, count = str(entry["id"]), entry.get("comments_count")
            if isinstance(count, int):
                counts[media_id] = count
            if count == 0:
                continue
            posted = parse_time(entry.get("timestamp"))
            if known.get(media_id) == count and posted is not None and posted < recent:
                continue  # unchanged since the last complete poll
            mapped, bad = await self._media_comments(
                media_id, plain_text(entry.get("caption")) or None)
            items.extend(mapped)
            skipped += bad
        taken, new_mark, more = take_newer(items, mark, PAGE_LIMIT)
        # With more to deliver, keep the old counts so the next call reads those media again.
        new_mark = replace(new_mark, extra={"counts": known if more else counts})
        return Page(items=taken, next_cursor=new_mark.encode(), has_more=more, skipped=skipped)

    async def _fetch_media(self, cursor: str | None) -> Page:
        """New media since the watermark plus the last few days' media (fresh counts)."""
        mark = Watermark.decode(cursor, initial_days=POSTS_INITIAL_DAYS)
        floor = min(mark.since_datetime, datetime.now(UTC) - METRICS_REFRESH)
        entries = await self.session.pages(
            f"{self.ig_user_id}/media", {"fields": METRIC_FIELDS, "limit": 25}, max_pages=8,
            stop_when=lambda m: _created_before(m, floor),
        )
        entries.reverse()  # newest first from Graph; chronological for the stable sort below
        posts, skipped = map_all(entries, lambda m: map_media(m, account=self.account_profile),
                                 "media")
        taken, new_mark, more = take_newer(posts, mark, PAGE_LIMIT)
        fresh = {p.platform_id for p in taken}
        refreshed = [p for p in posts if p.platform_id not in fresh
                     and p.created_at >= datetime.now(UTC) - METRICS_REFRESH
                     and not mark.is_new(p)]
        ordered = sorted([*refreshed, *taken], key=lambda p: p.created_at)
        return Page(items=tuple(ordered), next_cursor=new_mark.encode(), has_more=more,
                    skipped=skipped)

    async def reply(self, *, text: str, in_reply_to: str, thread_key: str,
                    idempotency_key: str) -> SendResult:
        """A reply under a comment, or a comment on the media itself."""
        if not in_reply_to or in_reply_to == thread_key:
            result = await self.session.post(f"{thread_key}/comments", data={"message": text})
        else:
            result = await self.session.post(f"{in_reply_to}/replies", data={"message": text})
        comment_id = result.get("id")
        if not comment_id:
            raise SyncError(SyncErrorKind.UNCERTAIN, "reply answered without an id")
        return SendResult(platform_id=str(comment_id), thread_key=thread_key)

    async def send_direct_message(self, *, text: str, thread_key: str,
                                  idempotency_key: str) -> SendResult:
        return await self.messaging.send(text=text, conversation_id=thread_key)

    async def _thread(self, media_id: str) -> list[InboundItem]:
        items, _ = await self._media_comments(media_id, None)
        return sorted(items, key=lambda c: c.created_at)

    async def find_sent(self, *, idempotency_key: str, thread_key: str,
                        in_reply_to: str | None, text: str) -> SendResult | None:
        if in_reply_to is None or not is_media_id(thread_key):
            return await self.messaging.find_sent(conversation_id=thread_key, text=text)
        wanted = plain_text(text).strip()
        candidates = [c for c in await self._thread(thread_key)
                      if c.direction is Direction.OUTBOUND and c.text.strip() == wanted]
        for comment in reversed(candidates):
            if comment.in_reply_to == in_reply_to:
                return SendResult(platform_id=comment.platform_id, thread_key=thread_key)
        if candidates:
            return SendResult(platform_id=candidates[-1].platform_id, thread_key=thread_key)
        return None

    async def find_brand_replies(self, *, thread_key: str, since_platform_id: str | None
                                 ) -> Sequence[InboundItem]:
        if not is_media_id(thread_key):
            return await self.messaging.find_brand_replies(
                conversation_id=thread_key, since_platform_id=since_platform_id)
        return after_id(await self._thread(thread_key), since_platform_id)

    async def lookup_profiles(self, user_ids: Sequence[str]) -> Sequence[ProfileInfo]:
        """Usernames and names by IG-scoped id (`GET /?ids=`). People who only commented
        may be refused by Graph; that batch is skipped. No follower counts are available."""
        found: list[ProfileInfo] = []
        ids = [i for i in dict.fromkeys(user_ids) if not i.startswith("username:")]
        for start in range(0, len(ids), LOOKUP_BATCH):
            batch = ids[start:start + LOOKUP_BATCH]
            try:
                body = await self.session.get("", {"ids": ",".join(batch),
                                                   "fields": "id,username,name"})
            except SyncError as exc:
                if exc.kind is not SyncErrorKind.PERMANENT:
                    raise
                log.info("profile lookup refused for %d ids: %s", len(batch), exc.platform_code)
                continue
            for entry in body.values():
                try:
                    found.append(profile(entry, Platform.INSTAGRAM))
                except Malformed:
                    continue
        return found

    async def aclose(self) -> None:
        await self.http.aclose()


def _created_before(entry: Any, floor: datetime) -> bool:
    when = parse_time(entry.get("timestamp")) if isinstance(entry, dict) else None
    return when is not None and when < floor
