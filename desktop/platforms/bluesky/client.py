"""The Bluesky connector: XRPC against the account's PDS, app-password session.

- session: `createSession` with the app password; the access JWT is refreshed with
  `refreshSession` on `ExpiredToken` (or a new session when the refresh JWT is gone too);
  the new session is saved (awaited) before it is used;
- mentions: `listNotifications` (mention, reply, quote), which pages backwards only: the
  cursor keeps a high-water mark (newest indexedAt and the uris seen at that instant) and
  each fetch pages back until it reaches it (bounded: MAX_PAGES);
- followers: `getProfiles` in batches of 25 (notification authors carry no counts);
- replies: `createRecord` with rkey = TID derived from the idempotency key, so a retry
  collides and `find_sent` is `getRecord` on that rkey;
- DMs: `chat.bsky.convo.*` via the PDS with the `atproto-proxy` header; the cursor holds the
  newest message id seen per conversation;
- rate limits: `RateLimit-Remaining/-Reset` (epoch seconds) remembered; at 0 we do not call.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import httpx

from desktop.domain.enums import Platform, StreamKind
from desktop.domain.errors import SyncError, SyncErrorKind
from desktop.domain.inbound import InboundItem, Page, ProfileInfo, SendResult
from desktop.domain.models import Account
from desktop.platforms.base import Capability, Credentials, CredentialsSaver
from desktop.platforms.bluesky.mapping import (
    MappingError,
    item_from_message,
    item_from_notification,
    item_from_post_view,
    members_of,
    plain_text,
    post_url,
    profile_from_view,
    quoted_uri,
)
from desktop.platforms.bluesky.tid import record_key_for
from desktop.platforms.http import (
    DEFAULT_TIMEOUT,
    default_classify,
    epoch_to_datetime,
    json_body,
    make_http_client,
    send,
)

log = logging.getLogger(__name__)

CHAT_PROXY = {"atproto-proxy": "did:web:api.bsky.chat#bsky_chat"}
PAGE_SIZE = 50
MAX_PAGES = 20
PROFILE_BATCH = 25
CONVO_PAGE = 50
MESSAGE_PAGE = 50
AUTH_ERRORS = ("ExpiredToken", "InvalidToken", "AuthenticationRequired", "AccountTakedown",
               "AuthMissing")
POST = "app.bsky.feed.post"
TEXT_CACHE_LIMIT = 5000


def classify(response: httpx.Response) -> SyncError:
    """The XRPC error body `{"error", "message"}` and `RateLimit-Reset` read into kinds."""
    retry_at = epoch_to_datetime(response.headers.get("RateLimit-Reset"))
    base = default_classify(response, retry_at=retry_at)
    try:
        body = response.json()
    except ValueError:
        body = None
    name = body.get("error") if isinstance(body, dict) else None
    if not isinstance(name, str):
        return base
    detail = body.get("message") if isinstance(body, dict) else None
    message = f"{base}: {name}" + (f": {detail}" if isinstance(detail, str) else "")
    kind = base.kind
    if name in AUTH_ERRORS:
        kind = SyncErrorKind.AUTH
    elif name == "RateLimitExceeded":
        kind = SyncErrorKind.RATE_LIMITED
    return SyncError(kind, message, retry_at=base.retry_at, status=base.status,
                     platform_code=name)


async def create_session(http: httpx.AsyncClient, identifier: str,
                         app_password: str) -> dict[str, Any]:
    """`com.atproto.server.createSession`: {accessJwt, refreshJwt, did, handle, ...}."""
    response = await send(http, "POST", "/xrpc/com.atproto.server.createSession",
                          classify=classify,
                          json={"identifier": identifier, "password": app_password})
    data = json_body(response)
    if not isinstance(data, dict) or not data.get("accessJwt") or not data.get("did"):
        raise SyncError(SyncErrorKind.AUTH, "createSession answered without a session")
    return data


def credentials_from_session(session: dict[str, Any], app_password: str | None) -> Credentials:
    return Credentials(access_token=str(session["accessJwt"]),
                       refresh_token=str(session.get("refreshJwt") or "") or None,
                       app_password=app_password,
                       extra={"did": str(session["did"]), "handle": str(session.get("handle"))})


class BlueskyClient:
    platform = Platform.BLUESKY
    capabilities = frozenset({
        Capability.LIST_MENTIONS, Capability.LIST_DIRECT_MESSAGES, Capability.REPLY,
        Capability.DIRECT_MESSAGE, Capability.LOOKUP_PROFILES, Capability.THREAD_CONTEXT,
        Capability.IDEMPOTENT_SEND,
    })

    def __init__(self, account: Account, credentials: Credentials,
                 save_credentials: CredentialsSaver,
                 transport: httpx.AsyncBaseTransport | None = None) -> None:
        if not credentials.access_token and not credentials.app_password:
            raise SyncError(SyncErrorKind.AUTH, "no Bluesky session or app password")
        self.account = account
        self.credentials = credentials
        self._save = save_credentials
        timeout = account.settings.get("timeout_s")
        self._http = make_http_client(account.base_url, transport=transport,
                                      timeout=float(timeout) if timeout else DEFAULT_TIMEOUT)
        extra = credentials.extra or {}
        self.did = extra.get("did") or account.platform_user_id
        self.handle = extra.get("handle") or account.handle
        self.rate_remaining: int | None = None
        self.rate_reset: datetime | None = None
        self._renew_lock = asyncio.Lock()
        self.page_size = int(account.settings.get("page_size", PAGE_SIZE))  # tests: small
        self._texts: dict[str, str] = {}  # post uri -> plain text (context of replies)
        # Pages of notification history a first sync reads (one per fetch, has_more=True).
        self.history_pages = max(1, int(account.settings.get("history_pages", 1)))

    # -- session -------------------------------------------------------------------------
    async def _renew_session(self, stale_token: str | None) -> None:
        """Refresh the access JWT (or sign in again with the app password); save first.
        Once, even when several requests find the session stale at the same time."""
        async with self._renew_lock:
            if self.credentials.access_token != stale_token:
                return  # another request renewed it while we waited
            await self._renew_session_now()

    async def _renew_session_now(self) -> None:
        session: dict[str, Any] | None = None
        if self.credentials.refresh_token:
            try:
                response = await send(
                    self._http, "POST", "/xrpc/com.atproto.server.refreshSession",
                    classify=classify,
                    headers={"Authorization": f"Bearer {self.credentials.refresh_token}"})
                session = json_body(response)
            except SyncError as exc:
                if exc.kind is not SyncErrorKind.AUTH:
                    raise
                log.info("bluesky: refresh token refused on account %s", self.account.id)
        if not isinstance(session, dict) or not session.get("accessJwt"):
            if not self.credentials.app_password:
                raise SyncError(SyncErrorKind.AUTH, "Bluesky session expired; sign in again")
            session = await create_session(self._http, self.handle or self.did,
                                           self.credentials.app_password)
        session.setdefault("did", self.did)
        session.setdefault("handle", self.handle)
        fresh = credentials_from_session(session, self.credentials.app_password)
        await self._save(fresh)  # before use: a crash must not lose the rotated refresh JWT
        self.credentials = fresh
        self.did = str(session["did"])

    async def _request(self, method: str, nsid: str, *, write: bool = False,
                       chat: bool = False, **kwargs: Any) -> httpx.Response:
        now = datetime.now(UTC)
        if self.rate_remaining == 0 and self.rate_reset and self.rate_reset > now:
            raise SyncError(SyncErrorKind.RATE_LIMITED, "Bluesky rate limit used up",
                            retry_at=self.rate_reset)
        if not self.credentials.access_token:
            await self._renew_session(None)
        for attempt in (1, 2):
            used = self.credentials.access_token
            headers = {"Authorization": f"Bearer {used}",
                       **(CHAT_PROXY if chat else {})}
            try:
                response = await send(self._http, method, f"/xrpc/{nsid}", classify=classify,
                                      write=write, headers=headers, **kwargs)
            except SyncError as exc:
                if exc.kind is SyncErrorKind.RATE_LIMITED:
                    self.rate_remaining, self.rate_reset = 0, exc.retry_at
                if attempt == 1 and exc.kind is SyncErrorKind.AUTH:
                    await self._renew_session(used)
                    continue
                raise
            remaining = response.headers.get("RateLimit-Remaining")
            if remaining is not None and remaining.isdigit():
                self.rate_remaining = int(remaining)
                self.rate_reset = epoch_to_datetime(response.headers.get("RateLimit-Reset"))
            return response
        raise AssertionError("unreachable")

    async def _get(self, nsid: str, params: Any, *, chat: bool = False) -> dict[str, Any]:
        data = json_body(await self._request("GET", nsid, params=params, chat=chat))
        if not isinstance(data, dict):
            raise SyncError(SyncErrorKind.TRANSIENT, f"{nsid} answered with a non-object")
        return data

    # -- streams -------------------------------------------------------------------------
    def streams(self) -> Sequence[StreamKind]:
        return (StreamKind.MENTIONS, StreamKind.DIRECT_MESSAGES)

    async def fetch(self, stream: StreamKind, cursor: str | None) -> Page:
        if stream is StreamKind.MENTIONS:
            return await self._fetch_notifications(cursor)
        if stream is StreamKind.DIRECT_MESSAGES:
            return await self._fetch_messages(cursor)
        raise SyncError(SyncErrorKind.PERMANENT, f"Bluesky has no {stream} stream")

    async def _fetch_notifications(self, cursor: str | None) -> Page:
        """Page back from the newest notification to the high-water mark in `cursor`.

        A first sync reads one page, then (with the account setting `history_pages` > 1)
        walks further back one page per call with has_more=True; the mark stays put
        meanwhile, so newer notifications are picked up once the backfill ends."""
        state = _load(cursor)
        backfill = state.get("backfill")
        if isinstance(backfill, dict) and isinstance(backfill.get("cursor"), str):
            return await self._backfill_notifications(state, backfill)
        mark: str | None = state.get("indexed_at")
        seen_at_mark = set(state.get("uris") or [])
        collected: list[Any] = []
        page_cursor: str | None = None
        last_next: str | None = None
        reached = False
        max_pages = MAX_PAGES if mark else 1  # a first sync starts from recent history
        for _ in range(max_pages):
            params: dict[str, Any] = {"limit": self.page_size, "reasons": ["mention", "reply",
                                                                      "quote"]}
            if page_cursor:
                params["cursor"] = page_cursor
            data = await self._get("app.bsky.notification.listNotifications", params)
            batch = data.get("notifications")
            if not isinstance(batch, list):
                raise SyncError(SyncErrorKind.TRANSIENT, "listNotifications without a list")
            for notification in batch:
                at = notification.get("indexedAt") if isinstance(notification, dict) else None
                if mark and isinstance(at, str) and (
                        at < mark or (at == mark and notification.get("uri") in seen_at_mark)):
                    reached = True
                    break
                collected.append(notification)
            next_cursor = data.get("cursor")
            last_next = next_cursor if isinstance(next_cursor, str) and batch else None
            if reached or not batch or not isinstance(next_cursor, str):
                break
            page_cursor = next_cursor
        if mark and not reached and page_cursor:
            log.warning("bluesky: more than %d pages of notifications since the last sync on "
                        "account %s; older ones are not fetched", MAX_PAGES, self.account.id)
        items, skipped = await self._notification_items(collected)
        new_mark, uris = mark, seen_at_mark
        for notification in collected:
            at = notification.get("indexedAt") if isinstance(notification, dict) else None
            if not isinstance(at, str):
                continue
            if new_mark is None or at > new_mark:
                new_mark, uris = at, {str(notification.get("uri"))}
            elif at == new_mark:
                uris = uris | {str(notification.get("uri"))}
        if not new_mark:
            return Page(items=tuple(items), next_cursor=cursor, skipped=skipped)
        new_state: dict[str, Any] = {"indexed_at": new_mark, "uris": sorted(uris)}
        if mark is None and last_next and self.history_pages > 1:
            new_state["backfill"] = {"cursor": last_next, "pages_left": self.history_pages - 1}
        return Page(items=tuple(items), next_cursor=json.dumps(new_state), skipped=skipped,
                    has_more="backfill" in new_state)

    async def _backfill_notifications(self, state: dict[str, Any],
                                      backfill: dict[str, Any]) -> Page:
        """One older page of history (all of it is older than the mark)."""
        data = await self._get("app.bsky.notification.listNotifications", {
            "limit": self.page_size, "reasons": ["mention", "reply", "quote"],
            "cursor": backfill["cursor"]})
        batch = data.get("notifications")
        if not isinstance(batch, list):
            raise SyncError(SyncErrorKind.TRANSIENT, "listNotifications without a list")
        items, skipped = await self._notification_items(batch)
        pages_left = int(backfill.get("pages_left") or 0) - 1
        older = data.get("cursor")
        new_state = {k: v for k, v in state.items() if k != "backfill"}
        if batch and isinstance(older, str) and pages_left > 0:
            new_state["backfill"] = {"cursor": older, "pages_left": pages_left}
        return Page(items=tuple(items), next_cursor=json.dumps(new_state), skipped=skipped,
                    has_more="backfill" in new_state)

    async def _notification_items(self, notifications: list[Any]
                                  ) -> tuple[list[InboundItem], int]:
        """Newest-first notifications as items oldest first, with followers and context."""
        items: list[InboundItem] = []
        context: dict[str, str] = {}  # item uri -> uri of the post it answers or quotes
        skipped = 0
        for notification in reversed(notifications):
            try:
                item = item_from_notification(notification, self.did)
            except MappingError as exc:
                skipped += 1
                log.warning("bluesky: skipped a notification on account %s: %s",
                            self.account.id, exc)
                continue
            if item is not None:
                items.append(item)
                about = item.in_reply_to or quoted_uri(notification.get("record"))
                if about:
                    context[item.platform_id] = about
        items = list(await self._with_followers(items))
        return await self._with_context(items, context), skipped

    async def _with_followers(self, items: list[InboundItem]) -> Sequence[InboundItem]:
        """Notification authors are profileViews without counts: add them from getProfiles."""
        dids = list(dict.fromkeys(i.author.platform_user_id for i in items))
        if not dids:
            return items
        profiles = {p.platform_user_id: p for p in await self.lookup_profiles(dids)}
        return [replace(i, author=profiles.get(i.author.platform_user_id, i.author))
                for i in items]

    async def _with_context(self, items: list[InboundItem],
                            context: dict[str, str]) -> list[InboundItem]:
        """The text each reply answers or each quote quotes (usually the brand's own post),
        via getPosts in batches of 25, remembered so a busy thread costs one lookup."""
        wanted = [u for u in dict.fromkeys(context.values()) if u not in self._texts]
        for start in range(0, len(wanted), PROFILE_BATCH):
            data = await self._get("app.bsky.feed.getPosts",
                                   {"uris": wanted[start:start + PROFILE_BATCH]})
            for view in data.get("posts") or []:
                record = view.get("record") if isinstance(view, dict) else None
                if isinstance(record, dict) and isinstance(record.get("text"), str):
                    if len(self._texts) >= TEXT_CACHE_LIMIT:
                        self._texts.clear()
                    self._texts[str(view.get("uri"))] = plain_text(record["text"])
        return [replace(i, context_text=self._texts[context[i.platform_id]])
                if context.get(i.platform_id) in self._texts else i for i in items]

    async def _fetch_messages(self, cursor: str | None) -> Page:
        """Conversations whose newest message changed; their new messages, oldest first."""
        state = _load(cursor)
        known: dict[str, str] = dict(state.get("convos") or {})
        first_sync = cursor is None
        convos: list[dict[str, Any]] = []
        page_cursor: str | None = None
        for _ in range(MAX_PAGES):
            params: dict[str, Any] = {"limit": min(CONVO_PAGE, self.page_size)}
            if page_cursor:
                params["cursor"] = page_cursor
            data = await self._get("chat.bsky.convo.listConvos", params, chat=True)
            batch = [c for c in data.get("convos") or [] if isinstance(c, dict)]
            changed = [c for c in batch if _last_message_id(c) and
                       _last_message_id(c) != known.get(str(c.get("id")))]
            convos.extend(changed)
            page_cursor = data.get("cursor") if isinstance(data.get("cursor"), str) else None
            # listConvos is ordered by latest activity: an unchanged one ends the news.
            if first_sync or len(changed) < len(batch) or not page_cursor:
                break
        items: list[InboundItem] = []
        skipped = 0
        for convo in convos:
            convo_id = str(convo.get("id"))
            members = members_of(convo)
            since = known.get(convo_id)
            messages = await self._messages_since(convo_id, since, first_sync)
            for message in reversed(messages):
                try:
                    item = item_from_message(message, convo_id, members, self.did)
                except MappingError as exc:
                    skipped += 1
                    log.warning("bluesky: skipped a message on account %s: %s",
                                self.account.id, exc)
                    continue
                if item is not None:
                    items.append(item)
            newest = _last_message_id(convo)
            if newest:
                known[convo_id] = newest
        items.sort(key=lambda i: (i.created_at, i.platform_id))
        return Page(items=tuple(items), next_cursor=json.dumps({"convos": known}),
                    skipped=skipped)

    async def _messages_since(self, convo_id: str, since: str | None,
                              first_sync: bool) -> list[Any]:
        """Messages newer than `since` (ids are TIDs: they sort by time), newest first."""
        messages: list[Any] = []
        page_cursor: str | None = None
        for _ in range(1 if first_sync else MAX_PAGES):
            params: dict[str, Any] = {"convoId": convo_id,
                                      "limit": min(MESSAGE_PAGE, self.page_size)}
            if page_cursor:
                params["cursor"] = page_cursor
            data = await self._get("chat.bsky.convo.getMessages", params, chat=True)
            batch = data.get("messages") or []
            for message in batch:
                message_id = message.get("id") if isinstance(message, dict) else None
                if since and isinstance(message_id, str) and message_id <= since:
                    return messages
                messages.append(message)
            page_cursor = data.get("cursor") if isinstance(data.get("cursor"), str) else None
            if not batch or not page_cursor:
                break
        return messages

    # -- sending -------------------------------------------------------------------------
    async def _post_view(self, uri: str) -> dict[str, Any]:
        try:
            data = await self._get("app.bsky.feed.getPostThread",
                                   {"uri": uri, "depth": 0, "parentHeight": 0})
        except SyncError as exc:
            if exc.platform_code == "NotFound" or exc.status == 404:
                raise SyncError(SyncErrorKind.PERMANENT, "the post to answer no longer exists",
                                status=exc.status, platform_code=exc.platform_code) from exc
            raise
        thread = data.get("thread")
        post = thread.get("post") if isinstance(thread, dict) else None
        if not isinstance(post, dict) or not post.get("cid"):
            raise SyncError(SyncErrorKind.PERMANENT, "the post to answer is not available")
        return post

    async def reply(self, *, text: str, in_reply_to: str, thread_key: str,
                    idempotency_key: str) -> SendResult:
        parent = await self._post_view(in_reply_to)
        parent_ref = {"uri": parent["uri"], "cid": parent["cid"]}
        record_reply = (parent.get("record") or {}).get("reply")
        root_ref = record_reply.get("root") if isinstance(record_reply, dict) else None
        if not isinstance(root_ref, dict) or not root_ref.get("cid"):
            root_ref = parent_ref
        rkey = record_key_for(idempotency_key)
        record = {"$type": POST, "text": text,
                  "createdAt": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
                  "reply": {"root": root_ref, "parent": parent_ref}}
        try:
            response = await self._request(
                "POST", "com.atproto.repo.createRecord", write=True,
                json={"repo": self.did, "collection": POST, "rkey": rkey, "record": record})
        except SyncError as exc:
            if exc.status == 400 and "already exists" in str(exc).lower():
                found = await self.find_sent(idempotency_key=idempotency_key,
                                             thread_key=thread_key, in_reply_to=in_reply_to,
                                             text=text)
                if found is not None:  # our earlier attempt went through
                    return found
            raise
        try:
            uri = str(json_body(response)["uri"])
        except (SyncError, KeyError, TypeError) as exc:
            raise SyncError(SyncErrorKind.UNCERTAIN, f"unreadable createRecord answer: {exc}"
                            ) from exc
        return SendResult(platform_id=uri, url=post_url(uri, self.handle),
                          thread_key=str(root_ref["uri"]))

    async def send_direct_message(self, *, text: str, thread_key: str,
                                  idempotency_key: str) -> SendResult:
        response = await self._request(
            "POST", "chat.bsky.convo.sendMessage", write=True, chat=True,
            json={"convoId": thread_key, "message": {"text": text}})
        try:
            message_id = str(json_body(response)["id"])
        except (SyncError, KeyError, TypeError) as exc:
            raise SyncError(SyncErrorKind.UNCERTAIN, f"unreadable sendMessage answer: {exc}"
                            ) from exc
        return SendResult(platform_id=message_id, thread_key=thread_key)

    async def find_sent(self, *, idempotency_key: str, thread_key: str,
                        in_reply_to: str | None, text: str) -> SendResult | None:
        if not thread_key.startswith("at://"):  # a DM: no key, look for our text
            for item in await self.find_brand_replies(thread_key=thread_key,
                                                      since_platform_id=None):
                if item.text == text:
                    return SendResult(platform_id=item.platform_id, thread_key=thread_key)
            return None
        rkey = record_key_for(idempotency_key)
        try:
            data = await self._get("com.atproto.repo.getRecord",
                                   {"repo": self.did, "collection": POST, "rkey": rkey})
        except SyncError as exc:
            if exc.platform_code == "RecordNotFound" or exc.status == 404:
                return None
            raise
        uri = str(data.get("uri") or f"at://{self.did}/{POST}/{rkey}")
        return SendResult(platform_id=uri, url=post_url(uri, self.handle),
                          thread_key=thread_key)

    async def find_brand_replies(self, *, thread_key: str,
                                 since_platform_id: str | None) -> Sequence[InboundItem]:
        if not thread_key.startswith("at://"):
            # Without a mark one page is enough: our send (or a colleague's) is recent.
            messages = await self._messages_since(thread_key, since_platform_id,
                                                  since_platform_id is None)
            items: list[InboundItem] = []
            for message in messages:
                try:
                    item = item_from_message(message, thread_key, {}, self.did)
                except MappingError:
                    continue
                if item is not None and item.author.platform_user_id == self.did:
                    items.append(item)
            return items
        data = await self._get("app.bsky.feed.getPostThread",
                               {"uri": thread_key, "depth": 1000, "parentHeight": 0})
        posts: list[InboundItem] = []
        stack = [data.get("thread")]
        while stack:
            node = stack.pop()
            if not isinstance(node, dict):
                continue
            stack.extend(node.get("replies") or [])
            try:
                posts.append(item_from_post_view(node.get("post"), self.did))
            except MappingError:
                continue
        # "Since" by time, not by rkey: a key-derived rkey has no meaningful time part.
        since = next((p.created_at for p in posts if p.platform_id == since_platform_id),
                     None)
        found = [p for p in posts if p.author.platform_user_id == self.did
                 and p.platform_id != thread_key and (since is None or p.created_at > since)]
        return sorted(found, key=lambda i: i.created_at)

    async def lookup_profiles(self, user_ids: Sequence[str]) -> Sequence[ProfileInfo]:
        profiles: list[ProfileInfo] = []
        ids = list(dict.fromkeys(user_ids))
        for start in range(0, len(ids), PROFILE_BATCH):
            data = await self._get("app.bsky.actor.getProfiles",
                                   {"actors": ids[start:start + PROFILE_BATCH]})
            for view in data.get("profiles") or []:
                try:
                    profiles.append(profile_from_view(view))
                except MappingError as exc:
                    log.warning("bluesky: skipped a profile: %s", exc)
        return profiles

    async def aclose(self) -> None:
        await self._http.aclose()


def _load(cursor: str | None) -> dict[str, Any]:
    if not cursor:
        return {}
    try:
        data = json.loads(cursor)
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _last_message_id(convo: dict[str, Any]) -> str | None:
    last = convo.get("lastMessage")
    value = last.get("id") if isinstance(last, dict) else None
    return value if isinstance(value, str) else None


__all__ = ["BlueskyClient", "classify", "create_session"]
