"""The X connector: API v2 with a user-context OAuth 2.0 token.

- mentions: `GET /2/users/:id/mentions` with `since_id`, paged with `pagination_token`
  back to it; authors and the tweets replied to come in `includes` (one request a page);
- DMs: `GET /2/dm_events` (MessageCreate), newest first without `since_id`: the cursor
  keeps the newest event id and each fetch pages back until it reaches it;
- replies: `POST /2/tweets` with `reply.in_reply_to_tweet_id`; DMs: `POST
  /2/dm_conversations/:id/messages`. X has no idempotency key: an uncertain send is
  reconciled by reading the brand's own timeline since the tweet answered (`find_sent`),
  and X's 403 "duplicate content" after a retry means the first one went through;
- X bills every read: small `max_results`, only the fields we map, no speculative reads;
- rate limits: `x-rate-limit-*` per endpoint (15-minute windows); at 0 we do not call;
- tokens: refreshed ahead of expiry or on 401; the rotated refresh token is saved first.
"""

from __future__ import annotations

import asyncio
import html
import json
import logging
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import httpx

from desktop.domain.enums import Platform, StreamKind
from desktop.domain.errors import SyncError, SyncErrorKind
from desktop.domain.inbound import InboundItem, Page, ProfileInfo, SendResult
from desktop.domain.models import Account
from desktop.platforms.base import Capability, Credentials, CredentialsSaver
from desktop.platforms.http import (
    DEFAULT_TIMEOUT,
    default_classify,
    epoch_to_datetime,
    json_body,
    make_http_client,
    send,
)
from desktop.platforms.x import oauth
from desktop.platforms.x.mapping import (
    MappingError,
    index_by_id,
    item_from_dm_event,
    item_from_tweet,
    newer,
    profile_from_user,
    replied_to,
)

log = logging.getLogger(__name__)

PAGE_SIZE = 20
MAX_PAGES = 10
USER_BATCH = 100
REFRESH_MARGIN_S = 120
DUPLICATE = "duplicate_content"
USER_FIELDS = "name,username,verified,public_metrics,profile_image_url"
TWEET_FIELDS = ("created_at,author_id,conversation_id,in_reply_to_user_id,public_metrics,"
                "referenced_tweets")
TWEET_PARAMS = {"tweet.fields": TWEET_FIELDS, "expansions": "author_id,referenced_tweets.id",
                "user.fields": USER_FIELDS}
DM_PARAMS = {"dm_event.fields": "id,text,event_type,created_at,dm_conversation_id,sender_id",
             "expansions": "sender_id", "user.fields": USER_FIELDS,
             "event_types": "MessageCreate"}


def classify(response: httpx.Response) -> SyncError:
    """problem+json (`type`, `title`, `detail`) or the v1-style `errors: [{code}]`."""
    retry_at = epoch_to_datetime(response.headers.get("x-rate-limit-reset"))
    base = default_classify(response, retry_at=retry_at)
    try:
        body = response.json()
    except ValueError:
        return base
    if not isinstance(body, dict):
        return base
    title, detail = body.get("title"), body.get("detail")
    if not isinstance(detail, str) and isinstance(body.get("errors"), list) and body["errors"]:
        first = body["errors"][0]
        detail = first.get("message") if isinstance(first, dict) else None
        title = title or (str(first.get("code")) if isinstance(first, dict) else None)
    if not isinstance(detail, str):
        return base
    code = str(body.get("type") or title or "")[:80] or None
    kind = base.kind
    lowered = f"{title} {detail} {body.get('type')}".lower()
    if response.status_code == 403 and "duplicate content" in lowered:
        code = DUPLICATE
    elif response.status_code == 403 and ("unsupported-authentication" in lowered
                                          or "unsupported authentication" in lowered):
        kind = SyncErrorKind.AUTH
    return SyncError(kind, f"{base}: {title}: {detail}", retry_at=base.retry_at,
                     status=base.status, platform_code=code)


class XClient:
    platform = Platform.X
    capabilities = frozenset({
        Capability.LIST_MENTIONS, Capability.LIST_DIRECT_MESSAGES, Capability.REPLY,
        Capability.DIRECT_MESSAGE, Capability.LOOKUP_PROFILES,
    })

    def __init__(self, account: Account, credentials: Credentials,
                 save_credentials: CredentialsSaver,
                 transport: httpx.AsyncBaseTransport | None = None) -> None:
        if not credentials.access_token:
            raise SyncError(SyncErrorKind.AUTH, "no X access token for this account")
        if not account.platform_user_id:
            raise SyncError(SyncErrorKind.PERMANENT, "X account without its user id")
        self.account = account
        self.credentials = credentials
        self._save = save_credentials
        self.user_id = account.platform_user_id
        timeout = account.settings.get("timeout_s")
        self._http = make_http_client(account.base_url, transport=transport,
                                      timeout=float(timeout) if timeout else DEFAULT_TIMEOUT)
        self.page_size = int(account.settings.get("page_size", PAGE_SIZE))
        # Pages of history a first sync reads (one per fetch, has_more=True); X bills reads.
        self.history_pages = max(1, int(account.settings.get("history_pages", 1)))
        self._limits: dict[str, tuple[int, datetime | None]] = {}  # endpoint -> remaining
        self._refresh_lock = asyncio.Lock()

    # -- plumbing ------------------------------------------------------------------------
    async def _refresh(self, stale_token: str | None) -> None:
        """Rotate the tokens once, even when several requests find them stale at once: a
        second refresh with the used-up refresh token would lock the account out."""
        async with self._refresh_lock:
            if self.credentials.access_token != stale_token:
                return  # another request refreshed while we waited
            fresh = await oauth.refresh(self._http, self.credentials)
            await self._save(fresh)  # the old refresh token is used up: persist before use
            self.credentials = fresh

    async def _request(self, method: str, path: str, endpoint: str, *, write: bool = False,
                       **kwargs: Any) -> httpx.Response:
        remaining, reset = self._limits.get(endpoint, (1, None))
        if remaining == 0 and reset and reset > datetime.now(UTC):
            raise SyncError(SyncErrorKind.RATE_LIMITED, f"X rate limit used up for {endpoint}",
                            retry_at=reset)
        expires = self.credentials.expires_at
        if expires is not None and expires - REFRESH_MARGIN_S <= time.time():
            await self._refresh(self.credentials.access_token)
        for attempt in (1, 2):
            used = self.credentials.access_token
            headers = {"Authorization": f"Bearer {used}"}
            try:
                response = await send(self._http, method, path, classify=classify,
                                      write=write, headers=headers, **kwargs)
            except SyncError as exc:
                if exc.kind is SyncErrorKind.RATE_LIMITED:
                    self._limits[endpoint] = (0, exc.retry_at)
                if attempt == 1 and exc.status == 401 and self.credentials.refresh_token:
                    await self._refresh(used)
                    continue
                raise
            left = response.headers.get("x-rate-limit-remaining")
            if left is not None and left.isdigit():
                self._limits[endpoint] = (
                    int(left), epoch_to_datetime(response.headers.get("x-rate-limit-reset")))
            return response
        raise AssertionError("unreachable")

    async def _get(self, path: str, endpoint: str, params: dict[str, Any]) -> dict[str, Any]:
        data = json_body(await self._request("GET", path, endpoint, params=params))
        if not isinstance(data, dict):
            raise SyncError(SyncErrorKind.TRANSIENT, f"{endpoint} answered with a non-object")
        return data

    # -- streams -------------------------------------------------------------------------
    def streams(self) -> Sequence[StreamKind]:
        return (StreamKind.MENTIONS, StreamKind.DIRECT_MESSAGES)

    async def fetch(self, stream: StreamKind, cursor: str | None) -> Page:
        if stream is StreamKind.MENTIONS:
            return await self._fetch_mentions(cursor)
        if stream is StreamKind.DIRECT_MESSAGES:
            return await self._fetch_dm_events(cursor)
        raise SyncError(SyncErrorKind.PERMANENT, f"X has no {stream} stream")

    async def _pages(self, path: str, endpoint: str, params: dict[str, Any],
                     stop_at: str | None, max_pages: int, token: str | None = None
                     ) -> tuple[list[Any], dict[str, dict[str, Any]], dict[str, dict[str, Any]],
                                str | None]:
        """Newest-first pages until an id <= `stop_at`, the end, or `max_pages`; also the
        token of the next older page when `max_pages` stopped it."""
        rows: list[Any] = []
        users: dict[str, dict[str, Any]] = {}
        tweets: dict[str, dict[str, Any]] = {}
        for _ in range(max_pages):
            query = {**params, **({"pagination_token": token} if token else {})}
            data = await self._get(path, endpoint, query)
            batch = data.get("data") or []
            if not isinstance(batch, list):
                raise SyncError(SyncErrorKind.TRANSIENT, f"{endpoint}: data is not a list")
            includes = _obj(data.get("includes"))
            users.update(index_by_id(includes.get("users")))
            tweets.update(index_by_id(includes.get("tweets")))
            for row in batch:
                row_id = row.get("id") if isinstance(row, dict) else None
                if stop_at and isinstance(row_id, str) and not newer(row_id, stop_at):
                    return rows, users, tweets, None
                rows.append(row)
            meta = _obj(data.get("meta"))
            token = meta.get("next_token") if isinstance(meta.get("next_token"), str) else None
            if not token or not batch:
                return rows, users, tweets, None
        return rows, users, tweets, token

    async def _fetch_mentions(self, cursor: str | None) -> Page:
        params: dict[str, Any] = {**TWEET_PARAMS, "max_results": max(5, self.page_size)}
        return await self._fetch_stream(
            cursor, "since_id", f"/2/users/{self.user_id}/mentions", "mentions", params,
            lambda users, tweets: lambda r: item_from_tweet(r, users, tweets, self.user_id))

    async def _fetch_dm_events(self, cursor: str | None) -> Page:
        params: dict[str, Any] = {**DM_PARAMS, "max_results": max(1, self.page_size)}
        return await self._fetch_stream(
            cursor, "newest_id", "/2/dm_events", "dm_events", params,
            lambda users, _: lambda r: item_from_dm_event(r, users, self.user_id))

    async def _fetch_stream(self, cursor: str | None, mark_key: str, path: str,
                            endpoint: str, params: dict[str, Any], mapper: Any) -> Page:
        """New rows back to the mark (`since_id` where the endpoint has it); a first sync
        reads one page, then with `history_pages` > 1 one older page per call
        (has_more=True) while the mark stays put."""
        state = _load(cursor)
        since = state.get(mark_key)
        backfill = state.get("backfill")
        if isinstance(backfill, dict) and isinstance(backfill.get("token"), str):
            rows, users, tweets, older = await self._pages(path, endpoint, params, None, 1,
                                                           backfill["token"])
            pages_left = int(backfill.get("pages_left") or 0) - 1
            new_state = {k: v for k, v in state.items() if k != "backfill"}
            if older and pages_left > 0:
                new_state["backfill"] = {"token": older, "pages_left": pages_left}
        else:
            query = {**params, "since_id": since} if since and mark_key == "since_id" \
                else params
            rows, users, tweets, older = await self._pages(
                path, endpoint, query, since, MAX_PAGES if since else 1)
            newest = _newest(rows, since)
            new_state = {mark_key: newest} if newest else {}
            if since is None and older and self.history_pages > 1:
                new_state["backfill"] = {"token": older, "pages_left": self.history_pages - 1}
            elif older:
                log.warning("x: more than %d pages on %s since the last sync on account %s; "
                            "older ones are not fetched", MAX_PAGES, endpoint, self.account.id)
        items, skipped = self._map(rows, mapper(users, tweets))
        return Page(items=tuple(items), skipped=skipped,
                    next_cursor=json.dumps(new_state) if new_state else cursor,
                    has_more="backfill" in new_state)

    def _map(self, rows: list[Any], mapper: Any) -> tuple[list[InboundItem], int]:
        """Map newest-first rows to items oldest first, skipping (and logging) bad ones."""
        items: list[InboundItem] = []
        skipped = 0
        for row in reversed(rows):
            try:
                item = mapper(row)
            except MappingError as exc:
                skipped += 1
                log.warning("x: skipped an item on account %s: %s", self.account.id, exc)
                continue
            if item is not None:
                items.append(item)
        return items, skipped

    # -- sending -------------------------------------------------------------------------
    async def reply(self, *, text: str, in_reply_to: str, thread_key: str,
                    idempotency_key: str) -> SendResult:
        try:
            response = await self._request(
                "POST", "/2/tweets", "create_tweet", write=True,
                json={"text": text, "reply": {"in_reply_to_tweet_id": in_reply_to}})
        except SyncError as exc:
            if exc.platform_code == DUPLICATE:
                found = await self.find_sent(idempotency_key=idempotency_key,
                                             thread_key=thread_key, in_reply_to=in_reply_to,
                                             text=text)
                if found is not None:  # an earlier, uncertain attempt went through
                    return found
            raise
        try:
            tweet_id = str(json_body(response)["data"]["id"])
        except (SyncError, KeyError, TypeError) as exc:
            raise SyncError(SyncErrorKind.UNCERTAIN, f"unreadable answer to our tweet: {exc}"
                            ) from exc
        return SendResult(platform_id=tweet_id, thread_key=thread_key,
                          url=f"https://x.com/{self.account.handle}/status/{tweet_id}")

    async def send_direct_message(self, *, text: str, thread_key: str,
                                  idempotency_key: str) -> SendResult:
        path = (f"/2/dm_conversations/with/{thread_key.removeprefix('with:')}/messages"
                if thread_key.startswith("with:") else
                f"/2/dm_conversations/{thread_key}/messages")
        response = await self._request("POST", path, "create_dm", write=True,
                                       json={"text": text})
        try:
            data = json_body(response)["data"]
            event_id = str(data["dm_event_id"])
            conversation = str(data.get("dm_conversation_id") or thread_key)
        except (SyncError, KeyError, TypeError) as exc:
            raise SyncError(SyncErrorKind.UNCERTAIN, f"unreadable answer to our DM: {exc}"
                            ) from exc
        return SendResult(platform_id=event_id, thread_key=conversation)

    async def find_sent(self, *, idempotency_key: str, thread_key: str,
                        in_reply_to: str | None, text: str) -> SendResult | None:
        """Our reply (same parent, same text) on the brand's timeline since the parent was
        posted; or our DM in the conversation. One request either way."""
        if in_reply_to is None:
            for item in await self._dm_events_in(thread_key, None):
                if item.author.platform_user_id == self.user_id and item.text == text:
                    return SendResult(platform_id=item.platform_id, thread_key=thread_key)
            return None
        data = await self._get(f"/2/users/{self.user_id}/tweets", "user_tweets", {
            "since_id": in_reply_to, "max_results": 20, "exclude": "retweets",
            "tweet.fields": "created_at,conversation_id,referenced_tweets,author_id"})
        found = _our_reply(data.get("data"), in_reply_to, text)
        if found is None and _obj(data.get("meta")).get("next_token"):
            # A busy timeline since the parent: ask the conversation instead (7-day index).
            data = await self._get("/2/tweets/search/recent", "search_recent", {
                "query": f"conversation_id:{thread_key} from:{self.account.handle}",
                "max_results": 100, "tweet.fields": "created_at,referenced_tweets,author_id"})
            found = _our_reply(data.get("data"), in_reply_to, text)
        if found is None:
            return None
        return SendResult(platform_id=found, thread_key=thread_key,
                          url=f"https://x.com/{self.account.handle}/status/{found}")

    async def _dm_events_in(self, conversation: str, since: str | None) -> list[InboundItem]:
        rows, users, _, _ = await self._pages(
            f"/2/dm_conversations/{conversation}/dm_events", "conversation_dm_events",
            {**DM_PARAMS, "max_results": 20}, since, 1)
        items, _ = self._map(rows, lambda r: item_from_dm_event(r, users, self.user_id))
        return items

    async def find_brand_replies(self, *, thread_key: str,
                                 since_platform_id: str | None) -> Sequence[InboundItem]:
        if thread_key.startswith("with:") or "-" in thread_key:  # DM conversation ids: a-b
            items = await self._dm_events_in(thread_key, since_platform_id)
            return [i for i in items if i.author.platform_user_id == self.user_id]
        params: dict[str, Any] = {
            **TWEET_PARAMS, "max_results": 10,
            "query": f"conversation_id:{thread_key} from:{self.account.handle}"}
        if since_platform_id:
            params["since_id"] = since_platform_id
        rows, users, tweets, _ = await self._pages("/2/tweets/search/recent",
                                                   "search_recent", params, since_platform_id, 1)
        items, _ = self._map(rows, lambda r: item_from_tweet(r, users, tweets, self.user_id))
        return [i for i in items if i.author.platform_user_id == self.user_id
                and i.platform_id != thread_key]  # the brand's own root post is no reply

    async def lookup_profiles(self, user_ids: Sequence[str]) -> Sequence[ProfileInfo]:
        profiles: list[ProfileInfo] = []
        ids = list(dict.fromkeys(user_ids))
        for start in range(0, len(ids), USER_BATCH):
            data = await self._get("/2/users", "users", {
                "ids": ",".join(ids[start:start + USER_BATCH]), "user.fields": USER_FIELDS})
            for user in data.get("data") or []:
                try:
                    profiles.append(profile_from_user(user))
                except MappingError as exc:
                    log.warning("x: skipped a user: %s", exc)
        return profiles

    async def aclose(self) -> None:
        await self._http.aclose()


def _our_reply(tweets: Any, in_reply_to: str, text: str) -> str | None:
    for tweet in tweets if isinstance(tweets, list) else []:
        if isinstance(tweet, dict) and replied_to(tweet) == in_reply_to \
                and _same_text(tweet.get("text"), text):
            return str(tweet["id"])
    return None


def _same_text(served: Any, sent: str) -> bool:
    """X may prefix a reply with the @mentions it auto-populates; compare what we wrote."""
    if not isinstance(served, str):
        return False
    served = html.unescape(served)
    return served == sent or served.endswith(f" {sent}")


def _newest(rows: list[Any], since: str | None) -> str | None:
    newest = since
    for row in rows:
        row_id = row.get("id") if isinstance(row, dict) else None
        if isinstance(row_id, str) and newer(row_id, newest):
            newest = row_id
    return newest


def _obj(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _load(cursor: str | None) -> dict[str, Any]:
    if not cursor:
        return {}
    try:
        data = json.loads(cursor)
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}
