"""The Facebook Pages connector: comments on the Page's posts, Messenger, the Page's posts.

Reads (Graph API, Page access token):
- COMMENTS: `GET /{page-id}/published_posts` (the most recent posts; a post's `updated_time`
  moves when someone comments), then for each post touched since the watermark
  `GET /{post-id}/comments?filter=stream&order=chronological&since=T` (comments and replies).
- DIRECT_MESSAGES: Messenger conversations, see messaging.py.
- OWN_POSTS: the Page's posts with reaction, comment and share counts.
Writes: `POST /{comment-id}/comments` (public reply), `POST /{page-id}/messages`.
No idempotency key exists, so an uncertain send is reconciled by re-reading the thread.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

import httpx

from desktop.domain.enums import Platform, StreamKind
from desktop.domain.errors import SyncError, SyncErrorKind
from desktop.domain.inbound import InboundItem, Page, ProfileInfo, SendResult
from desktop.platforms.base import Capability
from desktop.platforms.facebook.mapping import (
    Malformed,
    map_all,
    map_comment,
    map_post,
    profile,
)
from desktop.platforms.facebook.messaging import Messaging, after_id
from desktop.platforms.facebook.watermark import Watermark, take_newer
from desktop.platforms.meta_graph import GraphSession, parse_time, plain_text

log = logging.getLogger(__name__)

POST_FIELDS = "id,message,created_time,updated_time,permalink_url"
METRIC_FIELDS = (
    "id,message,created_time,permalink_url,shares,"
    "reactions.limit(0).summary(true),comments.limit(0).summary(true)"
)
COMMENT_FIELDS = (
    "id,message,created_time,from,parent{id},permalink_url,like_count,comment_count,attachment"
)
MAX_POST_PAGES = 2  # comments are read on the 50 most recent posts
MAX_COMMENT_PAGES = 10  # 100 comments a page
COMMENTS_INITIAL_DAYS = 14.0
POSTS_INITIAL_DAYS = 30.0
METRICS_REFRESH = timedelta(days=3)  # recent posts are re-read so their counts stay fresh
PAGE_LIMIT = 200
LOOKUP_BATCH = 50  # Graph's `?ids=` takes at most 50 ids


def is_conversation_id(thread_key: str) -> bool:
    """Messenger conversation ids start with `t_`; post ids are `{page-id}_{post-id}`."""
    return thread_key.startswith("t_")


class FacebookClient:
    platform = Platform.FACEBOOK
    capabilities = frozenset({
        Capability.LIST_COMMENTS, Capability.LIST_DIRECT_MESSAGES, Capability.LIST_OWN_POSTS,
        Capability.REPLY, Capability.DIRECT_MESSAGE, Capability.LOOKUP_PROFILES,
    })

    def __init__(self, http: httpx.AsyncClient, *, page_id: str, page_name: str,
                 access_token: str, app_secret: str | None) -> None:
        self.http = http
        self.page_id = page_id
        self.session = GraphSession(http, access_token, app_secret)
        self.page_profile = ProfileInfo(Platform.FACEBOOK, page_id, page_name, page_name)
        self.messaging = Messaging(self.session, page_id=page_id, self_id=page_id,
                                   platform=Platform.FACEBOOK)

    def streams(self) -> Sequence[StreamKind]:
        return (StreamKind.COMMENTS, StreamKind.DIRECT_MESSAGES, StreamKind.OWN_POSTS)

    async def fetch(self, stream: StreamKind, cursor: str | None) -> Page:
        if stream is StreamKind.COMMENTS:
            return await self._fetch_comments(cursor)
        if stream is StreamKind.DIRECT_MESSAGES:
            return await self.messaging.fetch(cursor)
        if stream is StreamKind.OWN_POSTS:
            return await self._fetch_posts(cursor)
        raise SyncError(SyncErrorKind.PERMANENT, f"Facebook Pages has no {stream.value} stream")

    async def _fetch_comments(self, cursor: str | None) -> Page:
        mark = Watermark.decode(cursor, initial_days=COMMENTS_INITIAL_DAYS)
        posts = await self.session.pages(
            f"{self.page_id}/published_posts", {"fields": POST_FIELDS, "limit": 25},
            max_pages=MAX_POST_PAGES,
        )
        items: list[InboundItem] = []
        skipped = 0
        for post in posts:
            if not isinstance(post, dict) or not post.get("id"):
                skipped += 1
                continue
            touched = parse_time(post.get("updated_time")) or parse_time(post.get("created_time"))
            if touched is not None and int(touched.timestamp()) < mark.since:
                continue
            post_id = str(post["id"])
            context = plain_text(post.get("message")) or None
            entries = await self.session.pages(
                f"{post_id}/comments",
                {"filter": "stream", "order": "chronological", "since": mark.since,
                 "fields": COMMENT_FIELDS, "limit": 100},
                max_pages=MAX_COMMENT_PAGES,
            )
            mapper = partial(map_comment, post_id=post_id, page_id=self.page_id,
                             context_text=context)
            mapped, bad = map_all(entries, mapper, "comment")
            items.extend(mapped)
            skipped += bad
        taken, new_mark, more = take_newer(items, mark, PAGE_LIMIT)
        return Page(items=taken, next_cursor=new_mark.encode(), has_more=more, skipped=skipped)

    async def _fetch_posts(self, cursor: str | None) -> Page:
        """New posts since the watermark plus the last few days' posts again (fresh counts)."""
        mark = Watermark.decode(cursor, initial_days=POSTS_INITIAL_DAYS)
        floor = min(mark.since_datetime, datetime.now(UTC) - METRICS_REFRESH)
        entries = await self.session.pages(
            f"{self.page_id}/published_posts", {"fields": METRIC_FIELDS, "limit": 25},
            max_pages=8,
            stop_when=lambda p: _created_before(p, floor),
        )
        entries.reverse()  # newest first from Graph; chronological for the stable sort below
        posts, skipped = map_all(entries, lambda p: map_post(p, page=self.page_profile), "post")
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
        """A public reply under a comment (or a comment on the post itself)."""
        target = in_reply_to or thread_key
        result = await self.session.post(f"{target}/comments", data={"message": text})
        comment_id = result.get("id")
        if not comment_id:
            raise SyncError(SyncErrorKind.UNCERTAIN, "reply answered without an id")
        return SendResult(platform_id=str(comment_id), thread_key=thread_key)

    async def send_direct_message(self, *, text: str, thread_key: str,
                                  idempotency_key: str) -> SendResult:
        return await self.messaging.send(text=text, conversation_id=thread_key)

    async def _thread_comments(self, node_id: str, post_id: str, *, stream: bool = True,
                               max_pages: int = 2) -> list[InboundItem]:
        """The newest comments under a post (`stream`: with replies) or a comment's replies,
        oldest first."""
        params = {"order": "reverse_chronological", "fields": COMMENT_FIELDS, "limit": 100}
        if stream:
            params["filter"] = "stream"
        entries = await self.session.pages(f"{node_id}/comments", params, max_pages=max_pages)
        entries.reverse()  # asked newest first: the newest are the ones that matter
        items, _ = map_all(entries, lambda c: map_comment(c, post_id=post_id,
                                                          page_id=self.page_id), "comment")
        return sorted(items, key=lambda c: c.created_at)

    async def find_sent(self, *, idempotency_key: str, thread_key: str,
                        in_reply_to: str | None, text: str) -> SendResult | None:
        """Our comment with this text: first among the replies of the comment we answered
        (a small, exact place to look), then anywhere in the post's newest 500 comments
        (Facebook re-parents a reply to a reply under the top-level comment)."""
        if in_reply_to is None or is_conversation_id(thread_key):
            return await self.messaging.find_sent(conversation_id=thread_key, text=text)
        wanted = plain_text(text).strip()

        def ours(items: list[InboundItem]) -> InboundItem | None:
            return next((c for c in reversed(items) if c.author.platform_user_id == self.page_id
                         and c.text.strip() == wanted), None)

        found = None
        if in_reply_to != thread_key:
            found = ours(await self._thread_comments(in_reply_to, thread_key, stream=False,
                                                     max_pages=5))
        if found is None:
            found = ours(await self._thread_comments(thread_key, thread_key, max_pages=5))
        return None if found is None else SendResult(platform_id=found.platform_id,
                                                     thread_key=thread_key)

    async def find_brand_replies(self, *, thread_key: str, since_platform_id: str | None
                                 ) -> Sequence[InboundItem]:
        if is_conversation_id(thread_key):
            return await self.messaging.find_brand_replies(
                conversation_id=thread_key, since_platform_id=since_platform_id)
        return after_id(await self._thread_comments(thread_key, thread_key), since_platform_id)

    async def lookup_profiles(self, user_ids: Sequence[str]) -> Sequence[ProfileInfo]:
        """Names and pictures by id (`GET /?ids=...`). Facebook exposes no follower counts
        for people, and ids a Page cannot see make Graph refuse the batch: that batch is
        skipped rather than failing the whole refresh."""
        found: list[ProfileInfo] = []
        ids = list(dict.fromkeys(user_ids))
        for start in range(0, len(ids), LOOKUP_BATCH):
            batch = ids[start:start + LOOKUP_BATCH]
            try:
                body = await self.session.get("", {"ids": ",".join(batch),
                                                   "fields": "id,name,profile_pic"})
            except SyncError as exc:
                if exc.kind is not SyncErrorKind.PERMANENT:
                    raise
                log.info("profile lookup refused for %d ids: %s", len(batch), exc.platform_code)
                continue
            for entry in body.values():
                try:
                    found.append(profile(entry))
                except Malformed:
                    continue
        return found

    async def aclose(self) -> None:
        await self.http.aclose()


def _created_before(entry: Any, floor: datetime) -> bool:
    when = parse_time(entry.get("created_time")) if isinstance(entry, dict) else None
    return when is not None and when < floor
