"""The Mastodon connector: notifications, conversations, context and statuses over REST.

Works with any instance (and Mastodon-API servers such as snac2, GoToSocial, Pleroma):
- mentions: `GET /api/v1/notifications?types[]=mention`, paged forward with `min_id` (the
  server's `Link` rel="prev" when it sends one); replies to the brand's posts arrive as mentions;
- direct messages: `GET /api/v1/conversations`, each conversation read via its last status'
  context so the whole exchange (ours too) arrives;
- thread key: the root status of the thread (from `/context`), the same for both streams, so a
  DM seen as a mention and in conversations lands in one conversation;
- replies: `POST /api/v1/statuses` with `in_reply_to_id`, the parent's visibility, a mention of
  the person answered and our `Idempotency-Key` (Mastodon keeps it 1 h);
- rate limits: `X-RateLimit-*` (Reset is ISO 8601) remembered; at 0 remaining we do not call.
A GET on a dropped kept-alive connection is retried once: some servers (snac2) close idle
connections without notice. A POST never is: not every server honours `Idempotency-Key`
(snac2 ignores it), so a failed write is UNCERTAIN and `find_sent` reads the thread; writes
use a fresh connection each so a stale kept-alive socket cannot make them fail.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import httpx

from desktop.domain.enums import ConversationKind, Platform, StreamKind
from desktop.domain.errors import SyncError, SyncErrorKind
from desktop.domain.inbound import InboundItem, Page, ProfileInfo, SendResult
from desktop.domain.models import Account
from desktop.platforms.base import Capability, Credentials, CredentialsSaver
from desktop.platforms.http import (
    DEFAULT_TIMEOUT,
    default_classify,
    json_body,
    make_http_client,
    send,
)
from desktop.platforms.mastodon.html_text import html_to_text
from desktop.platforms.mastodon.mapping import (
    MappingError,
    is_direct,
    item_from_status,
    parse_time,
    profile_from_account,
)

log = logging.getLogger(__name__)

PAGE_SIZE = 40
CONVERSATION_PAGE = 20
MAX_CONVERSATION_PAGES = 50  # listing pages read to find what changed since the cursor
CONVERSATIONS_PER_FETCH = 50  # threads read (one context call each) per fetch
PROFILE_BATCH = 40
ROOT_CACHE_LIMIT = 20_000
RETRIED_TRANSPORT_ERRORS = (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError)


def classify(response: httpx.Response) -> SyncError:
    """Mastodon's `{"error": "..."}` body and `X-RateLimit-Reset` (ISO 8601) read into kinds."""
    base = default_classify(response, retry_at=reset_time(response.headers))
    try:
        body = response.json()
    except ValueError:
        body = None
    detail = body.get("error") if isinstance(body, dict) else None
    if not isinstance(detail, str):
        return base
    message = f"{base}: {detail}"
    kind = base.kind
    if response.status_code == 403 and "token" in detail.lower():
        kind = SyncErrorKind.AUTH
    return SyncError(kind, message, retry_at=base.retry_at, status=base.status,
                     platform_code=detail[:80])


def reset_time(headers: httpx.Headers) -> datetime | None:
    value = headers.get("X-RateLimit-Reset")
    if not value:
        return None
    try:
        return parse_time(value)
    except MappingError:
        return None


def newer(a: str, b: str | None) -> bool:
    """Is status/notification id `a` after `b`? Snowflake ids compare as numbers."""
    if b is None:
        return True
    if a.isdigit() and b.isdigit():
        return int(a) > int(b)
    return (len(a), a) > (len(b), b)


def link_param(response: httpx.Response, rel: str, *names: str) -> str | None:
    """A query parameter of the `Link` header's `rel` target (httpx parses the header)."""
    link = response.links.get(rel)
    if not link or "url" not in link:
        return None
    query = httpx.URL(link["url"]).params
    for name in names:
        if query.get(name):
            return query.get(name)
    return None


class MastodonClient:
    platform = Platform.MASTODON
    capabilities = frozenset({
        Capability.LIST_MENTIONS, Capability.LIST_DIRECT_MESSAGES, Capability.REPLY,
        Capability.DIRECT_MESSAGE, Capability.LOOKUP_PROFILES, Capability.THREAD_CONTEXT,
        Capability.IDEMPOTENT_SEND,
    })

    def __init__(self, account: Account, credentials: Credentials,
                 save_credentials: CredentialsSaver,
                 transport: httpx.AsyncBaseTransport | None = None) -> None:
        if not credentials.access_token:
            raise SyncError(SyncErrorKind.AUTH, "no Mastodon access token for this account")
        self.account = account
        self._save_credentials = save_credentials  # Mastodon tokens do not expire or rotate
        timeout = account.settings.get("timeout_s")  # tests and slow instances
        self._http = make_http_client(
            account.base_url, transport=transport,
            timeout=float(timeout) if timeout else DEFAULT_TIMEOUT,
            headers={"Authorization": f"Bearer {credentials.access_token}"},
        )
        # Writes go on a fresh connection each: a kept-alive one the server already closed
        # would turn a harmless stale socket into an UNCERTAIN post (snac2 drops them).
        self._write_http = make_http_client(
            account.base_url,
            transport=transport or httpx.AsyncHTTPTransport(
                limits=httpx.Limits(max_connections=2, max_keepalive_connections=0)),
            timeout=float(timeout) if timeout else DEFAULT_TIMEOUT,
            headers={"Authorization": f"Bearer {credentials.access_token}"},
        )
        self._brand_id = account.platform_user_id or None
        self._roots: dict[str, str] = {}  # status id -> thread root id
        self._texts: dict[str, str] = {}  # status id -> plain text (for context_text)
        self.rate_remaining: int | None = None
        self.rate_reset: datetime | None = None
        self.history_pages = max(1, int(account.settings.get("history_pages", 1)))

    # -- plumbing ------------------------------------------------------------------------
    async def _request(self, method: str, path: str, *, write: bool = False,
                       **kwargs: Any) -> httpx.Response:
        now = datetime.now(UTC)
        if self.rate_remaining == 0 and self.rate_reset and self.rate_reset > now:
            raise SyncError(SyncErrorKind.RATE_LIMITED, "Mastodon rate limit used up",
                            retry_at=self.rate_reset)
        for attempt in (1, 2):
            try:
                http = self._write_http if write else self._http
                response = await send(http, method, path, classify=classify,
                                      write=write, **kwargs)
            except SyncError as exc:
                self._note_rate_error(exc)
                if attempt == 1 and not write and isinstance(exc.__cause__,
                                                             RETRIED_TRANSPORT_ERRORS):
                    log.info("mastodon: connection dropped on %s %s, retrying once", method,
                             path)
                    continue
                raise
            self._note_rate(response)
            return response
        raise AssertionError("unreachable")

    def _note_rate(self, response: httpx.Response) -> None:
        remaining = response.headers.get("X-RateLimit-Remaining")
        if remaining is not None and remaining.isdigit():
            self.rate_remaining = int(remaining)
            self.rate_reset = reset_time(response.headers)

    def _note_rate_error(self, exc: SyncError) -> None:
        if exc.kind is SyncErrorKind.RATE_LIMITED:
            self.rate_remaining, self.rate_reset = 0, exc.retry_at

    async def _get_json(self, path: str, **kwargs: Any) -> tuple[Any, httpx.Response]:
        response = await self._request("GET", path, **kwargs)
        return json_body(response), response

    async def brand_id(self) -> str:
        if self._brand_id is None:
            me, _ = await self._get_json("/api/v1/accounts/verify_credentials")
            self._brand_id = profile_from_account(me).platform_user_id
        return self._brand_id

    async def verify_credentials(self) -> ProfileInfo:
        me, _ = await self._get_json("/api/v1/accounts/verify_credentials")
        try:
            profile = profile_from_account(me)
        except MappingError as exc:
            raise SyncError(SyncErrorKind.TRANSIENT, f"unusable verify_credentials: {exc}"
                            ) from exc
        self._brand_id = profile.platform_user_id
        return profile

    def _remember(self, status: dict[str, Any], root: str) -> None:
        if len(self._roots) > ROOT_CACHE_LIMIT:
            self._roots.clear()
            self._texts.clear()
        status_id = status.get("id")
        if isinstance(status_id, str):
            self._roots[status_id] = root
            content = status.get("content")
            if isinstance(content, str):
                self._texts[status_id] = html_to_text(content)

    async def _context(self, status_id: str) -> tuple[list[Any], list[Any]]:
        data, _ = await self._get_json(f"/api/v1/statuses/{status_id}/context")
        if not isinstance(data, dict):
            raise SyncError(SyncErrorKind.TRANSIENT, "context is not an object")
        ancestors = [s for s in data.get("ancestors") or [] if isinstance(s, dict)]
        descendants = [s for s in data.get("descendants") or [] if isinstance(s, dict)]
        return ancestors, descendants

    async def _thread_root(self, status: dict[str, Any]) -> tuple[str, str | None]:
        """(root id, text of the parent) for a status, reading its context when unknown."""
        status_id = str(status["id"])
        parent = status.get("in_reply_to_id")
        if not parent:
            self._remember(status, status_id)
            return status_id, None
        parent = str(parent)
        if parent in self._roots:
            root = self._roots[parent]
            self._remember(status, root)
            return root, self._texts.get(parent)
        try:
            ancestors, descendants = await self._context(status_id)
        except SyncError as exc:
            if exc.status != 404:
                raise
            ancestors, descendants = [], []
        root = str(ancestors[0].get("id")) if ancestors and ancestors[0].get("id") else parent
        for item in (*ancestors, status, *descendants):
            self._remember(item, root)
        return root, self._texts.get(parent)

    # -- streams -------------------------------------------------------------------------
    def streams(self) -> Sequence[StreamKind]:
        return (StreamKind.MENTIONS, StreamKind.DIRECT_MESSAGES)

    async def fetch(self, stream: StreamKind, cursor: str | None) -> Page:
        if stream is StreamKind.MENTIONS:
            return await self._fetch_mentions(cursor)
        if stream is StreamKind.DIRECT_MESSAGES:
            return await self._fetch_conversations(cursor)
        raise SyncError(SyncErrorKind.PERMANENT, f"Mastodon has no {stream} stream")

    async def _fetch_mentions(self, cursor: str | None) -> Page:
        brand = await self.brand_id()
        min_id = _cursor_value(cursor, "min_id")
        params: list[tuple[str, str]] = [("types[]", "mention"), ("limit", str(PAGE_SIZE))]
        if min_id:
            params.append(("min_id", min_id))
        data, response = await self._get_json("/api/v1/notifications", params=params)
        notifications = _as_list(data, "notifications")
        newest = link_param(response, "prev", "min_id", "since_id") if notifications else None
        if notifications and isinstance(notifications[0], dict):
            newest = newest or notifications[0].get("id")
        pages = 1
        while min_id is None and pages < self.history_pages and notifications:
            max_id = link_param(response, "next", "max_id")
            if not max_id:
                break
            data, response = await self._get_json(
                "/api/v1/notifications", params=[*params, ("max_id", max_id)])
            more = _as_list(data, "notifications")
            if not more:
                break
            notifications.extend(more)
            pages += 1
        items: list[InboundItem] = []
        skipped = 0
        for notification in reversed(notifications):  # served newest first
            try:
                if not isinstance(notification, dict):
                    raise MappingError("notification is not an object")
                note_id = str(notification.get("id") or "")
                if min_id and note_id and not newer(note_id, min_id):
                    continue  # a server that ignores min_id: already delivered
                note_type = notification.get("type")
                if not isinstance(note_type, str):
                    raise MappingError("notification without a type")
                if note_type != "mention":
                    continue
                status = notification.get("status")
                if not isinstance(status, dict) or not status.get("id"):
                    raise MappingError("mention without a status")
                root, parent_text = await self._thread_root(status)
                items.append(item_from_status(status, thread_key=root, brand_user_id=brand,
                                              context_text=parent_text))
            except MappingError as exc:
                skipped += 1
                log.warning("mastodon: skipped a notification on account %s: %s",
                            self.account.id, exc)
        next_cursor = json.dumps({"min_id": str(newest)}) if newest else cursor
        has_more = min_id is not None and len(notifications) >= PAGE_SIZE
        return Page(items=tuple(items), next_cursor=next_cursor, has_more=has_more,
                    skipped=skipped)

    async def _fetch_conversations(self, cursor: str | None) -> Page:
        brand = await self.brand_id()
        since = _cursor_value(cursor, "last_status_id")
        params: list[tuple[str, str]] = [("limit", str(CONVERSATION_PAGE))]
        changed: list[Any] = []
        for _ in range(MAX_CONVERSATION_PAGES):  # newest first, down to the cursor
            data, response = await self._get_json("/api/v1/conversations", params=params)
            batch = _as_list(data, "conversations")
            fresh = [c for c in batch if _last_status_id(c) and newer(_last_status_id(c), since)]
            changed.extend(fresh)
            max_id = link_param(response, "next", "max_id")
            if since is None or len(fresh) < len(batch) or not batch or not max_id:
                break
            params = [("limit", str(CONVERSATION_PAGE)), ("max_id", max_id)]
        else:
            log.warning("mastodon: more than %d changed conversations on account %s; older "
                        "changes are skipped", len(changed), self.account.id)
        # Oldest first, a bounded number per call: the cursor only ever passes what was read.
        changed.sort(key=lambda c: (len(_last_status_id(c)), _last_status_id(c)))
        conversations = changed[:CONVERSATIONS_PER_FETCH]
        has_more = len(changed) > len(conversations)
        items: dict[str, InboundItem] = {}
        skipped = 0
        newest = since
        for conversation in conversations:
            last = conversation.get("last_status") if isinstance(conversation, dict) else None
            try:
                if not isinstance(last, dict) or not last.get("id"):
                    raise MappingError("conversation without last_status")
                last_id = str(last["id"])
                ancestors, _ = await self._context(last_id)
                root = str(ancestors[0].get("id") or last_id) if ancestors else last_id
                thread = [*ancestors, last]
                for status in thread:
                    self._remember(status, root)
                    status_id = str(status.get("id") or "")
                    if not status_id or not newer(status_id, since):
                        continue
                    parent_text = self._texts.get(str(status.get("in_reply_to_id")))
                    items[status_id] = item_from_status(
                        status, thread_key=root, brand_user_id=brand,
                        kind=ConversationKind.DIRECT_MESSAGE, context_text=parent_text)
                if newer(last_id, newest):
                    newest = last_id
            except MappingError as exc:
                skipped += 1
                log.warning("mastodon: skipped a conversation on account %s: %s",
                            self.account.id, exc)
        ordered = sorted(items.values(), key=lambda i: (i.created_at, len(i.platform_id),
                                                        i.platform_id))
        next_cursor = json.dumps({"last_status_id": newest}) if newest else cursor
        return Page(items=tuple(ordered), next_cursor=next_cursor, has_more=has_more,
                    skipped=skipped)

    # -- sending -------------------------------------------------------------------------
    async def _status(self, status_id: str) -> dict[str, Any]:
        data, _ = await self._get_json(f"/api/v1/statuses/{status_id}")
        if not isinstance(data, dict) or not data.get("id"):
            raise SyncError(SyncErrorKind.TRANSIENT, "status is not an object")
        return data

    async def _post(self, *, text: str, parent: dict[str, Any], visibility: str,
                    idempotency_key: str, thread_key: str) -> SendResult:
        brand = await self.brand_id()
        mentions: list[str] = []
        for account in [parent.get("account"), *(parent.get("mentions") or [])]:
            if isinstance(account, dict) and account.get("id") != brand and account.get("acct"):
                handle = f"@{account['acct']}"
                if handle not in mentions and handle.lower() not in text.lower():
                    mentions.append(handle)
            if visibility != "direct":
                break  # in public, answer the author only
        body = " ".join([*mentions, text]) if mentions else text
        response = await self._request(
            "POST", "/api/v1/statuses", write=True,
            data={"status": body, "in_reply_to_id": str(parent["id"]), "visibility": visibility},
            headers={"Idempotency-Key": idempotency_key},
        )
        try:
            created = json_body(response)
            status_id = str(created["id"])
        except (SyncError, KeyError, TypeError) as exc:
            raise SyncError(SyncErrorKind.UNCERTAIN,
                            f"unreadable answer to a status we posted: {exc}") from exc
        self._roots[status_id] = thread_key
        url = created.get("url")
        return SendResult(platform_id=status_id, url=url if isinstance(url, str) else None,
                          thread_key=thread_key)

    async def reply(self, *, text: str, in_reply_to: str, thread_key: str,
                    idempotency_key: str) -> SendResult:
        try:
            parent = await self._status(in_reply_to)
        except SyncError as exc:
            if exc.status == 404:
                raise SyncError(SyncErrorKind.PERMANENT, "the post to answer no longer exists",
                                status=404) from exc
            raise
        visibility = str(parent.get("visibility") or "public")
        if visibility not in ("public", "unlisted", "private", "direct"):
            visibility = "public"
        return await self._post(text=text, parent=parent, visibility=visibility,
                                idempotency_key=idempotency_key, thread_key=thread_key)

    async def send_direct_message(self, *, text: str, thread_key: str,
                                  idempotency_key: str) -> SendResult:
        """Answer the newest status of the DM thread `thread_key`, privately."""
        root = await self._status(thread_key)
        _, descendants = await self._context(thread_key)
        latest = root
        for status in descendants:
            if isinstance(status.get("id"), str) and newer(status["id"], str(latest["id"])):
                latest = status
        return await self._post(text=text, parent=latest, visibility="direct",
                                idempotency_key=idempotency_key, thread_key=thread_key)

    async def _thread_statuses(self, thread_key: str) -> list[dict[str, Any]]:
        root = await self._status(thread_key)
        ancestors, descendants = await self._context(thread_key)
        return [*ancestors, root, *descendants]

    async def find_sent(self, *, idempotency_key: str, thread_key: str,
                        in_reply_to: str | None, text: str) -> SendResult | None:
        """Read the thread for our status: by the brand, answering `in_reply_to`, with our
        text. Reading (not re-posting with the key) cannot create a post, even after the
        server forgot the key (1 h)."""
        brand = await self.brand_id()
        anchor = in_reply_to or thread_key
        try:
            _, descendants = await self._context(anchor)
        except SyncError as exc:
            if exc.status == 404:
                return None
            raise
        wanted = " ".join(text.split())
        for status in descendants:
            account = status.get("account")
            if not isinstance(account, dict) or account.get("id") != brand:
                continue
            if in_reply_to and status.get("in_reply_to_id") != in_reply_to:
                continue
            if wanted not in " ".join(html_to_text(str(status.get("content") or "")).split()):
                continue
            url = status.get("url")
            return SendResult(platform_id=str(status["id"]),
                              url=url if isinstance(url, str) else None, thread_key=thread_key)
        return None

    async def find_brand_replies(self, *, thread_key: str, since_platform_id: str | None
                                 ) -> Sequence[InboundItem]:
        brand = await self.brand_id()
        result = []
        for status in await self._thread_statuses(thread_key):
            account = status.get("account")
            status_id = status.get("id")
            if not isinstance(account, dict) or account.get("id") != brand:
                continue
            if not isinstance(status_id, str) or not newer(status_id, since_platform_id):
                continue
            try:
                result.append(item_from_status(status, thread_key=thread_key,
                                               brand_user_id=brand))
            except MappingError as exc:
                log.warning("mastodon: skipped a brand status: %s", exc)
        return result

    async def lookup_profiles(self, user_ids: Sequence[str]) -> Sequence[ProfileInfo]:
        profiles: list[ProfileInfo] = []
        ids = list(dict.fromkeys(user_ids))
        for start in range(0, len(ids), PROFILE_BATCH):
            batch = ids[start:start + PROFILE_BATCH]
            try:
                data, _ = await self._get_json(
                    "/api/v1/accounts", params=[("id[]", i) for i in batch])
                accounts = _as_list(data, "accounts")
            except SyncError as exc:
                if exc.kind is not SyncErrorKind.PERMANENT:
                    raise
                accounts = await self._accounts_one_by_one(batch)  # servers before 4.3
            for account in accounts:
                try:
                    profiles.append(profile_from_account(account))
                except MappingError as exc:
                    log.warning("mastodon: skipped an account: %s", exc)
        return profiles

    async def _accounts_one_by_one(self, ids: list[str]) -> list[Any]:
        found = []
        for account_id in ids:
            try:
                data, _ = await self._get_json(f"/api/v1/accounts/{account_id}")
            except SyncError as exc:
                if exc.status == 404:
                    continue
                raise
            found.append(data)
        return found

    async def aclose(self) -> None:
        await self._http.aclose()
        await self._write_http.aclose()


def _cursor_value(cursor: str | None, key: str) -> str | None:
    if not cursor:
        return None
    try:
        value = json.loads(cursor).get(key)
    except (ValueError, AttributeError):
        log.warning("mastodon: ignoring an unreadable cursor")
        return None
    return str(value) if value else None


def _as_list(data: Any, what: str) -> list[Any]:
    if not isinstance(data, list):
        raise SyncError(SyncErrorKind.TRANSIENT, f"{what}: expected a JSON list")
    return list(data)


def _last_status_id(conversation: Any) -> str:
    if isinstance(conversation, dict) and isinstance(conversation.get("last_status"), dict):
        return str(conversation["last_status"].get("id") or "")
    return ""


__all__ = ["MastodonClient", "classify", "is_direct"]
