"""The Bluesky connector against the real sandbox over HTTP (no mocks)."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import httpx
import pytest

from desktop.domain.enums import ConversationKind, Direction, Platform, StreamKind
from desktop.domain.errors import SyncError, SyncErrorKind
from desktop.domain.models import Account
from desktop.platforms.base import Credentials
from desktop.platforms.bluesky import connect_sandbox, create_client, new_tid
from desktop.platforms.bluesky.client import BlueskyClient
from desktop.sandbox.admin_client import AdminClient
from desktop.sandbox.server import SandboxServer

T = TypeVar("T")
CUSTOMER = {"handle": "dana.bsky.social", "display_name": "Dana Scully", "followers": 4321}
BRAND = "acme.bsky.social"


def run(factory: Callable[[BlueskyClient], Awaitable[T]], sandbox: SandboxServer,
        saved: list[Credentials] | None = None, **settings: Any) -> T:
    """Connect with the app password (createSession), run `factory(client)`, close it."""

    async def main() -> T:
        connection = await connect_sandbox(sandbox.base_url, BRAND)
        account = Account(id=1, brand_id=1, platform=Platform.BLUESKY,
                          handle=connection.handle, display_name=connection.display_name,
                          base_url=connection.base_url,
                          platform_user_id=connection.platform_user_id, settings=settings)

        async def save(credentials: Credentials) -> None:
            (saved if saved is not None else []).append(credentials)

        client = create_client(account, connection.credentials, save)
        assert isinstance(client, BlueskyClient)
        try:
            return await factory(client)
        finally:
            await client.aclose()

    return asyncio.run(main())


def test_connect_sandbox_creates_a_session(sandbox: SandboxServer, admin: AdminClient) -> None:
    connection = asyncio.run(connect_sandbox(sandbox.base_url, "globex.bsky.social"))
    row = next(a for a in admin.accounts("bluesky") if a["handle"] == "globex.bsky.social")
    assert connection.platform_user_id == row["did"]
    assert connection.base_url == f"{sandbox.base_url}/bluesky"
    assert connection.credentials.app_password == row["app_password"]
    assert connection.credentials.access_token and connection.credentials.refresh_token


def test_mentions_replies_and_quotes_arrive_with_followers(sandbox: SandboxServer,
                                                           admin: AdminClient) -> None:
    mention = admin.inbound("bluesky", "mention", "is the Anvil in stock?", CUSTOMER,
                            account=BRAND)
    reply = admin.inbound("bluesky", "reply", "same question", CUSTOMER, account=BRAND)
    quote = admin.inbound("bluesky", "mention", "look at this", CUSTOMER, account=BRAND,
                          in_reply_to=reply["thread_id"])

    async def go(client: BlueskyClient) -> Any:
        page = await client.fetch(StreamKind.MENTIONS, None)
        again = await client.fetch(StreamKind.MENTIONS, page.next_cursor)
        return page, again

    page, again = run(go, sandbox)
    by_id = {i.platform_id: i for i in page.items}
    assert {mention["id"], reply["id"], quote["id"]} <= set(by_id)
    times = [i.created_at for i in page.items]
    assert times == sorted(times), "oldest first"
    item = by_id[mention["id"]]
    assert item.author.handle == "dana.bsky.social"
    assert item.author.followers == 4321  # from getProfiles, not the notification
    assert item.text == "@acme.bsky.social is the Anvil in stock?"
    assert item.kind is ConversationKind.PUBLIC_THREAD and item.thread_key == mention["id"]
    assert by_id[reply["id"]].thread_key == reply["thread_id"]
    assert by_id[reply["id"]].in_reply_to == reply["thread_id"]
    assert by_id[reply["id"]].context_text == "Our spring collection is live! What do you think?"
    assert by_id[quote["id"]].context_text == by_id[reply["id"]].context_text  # quoted
    assert again.items == () and again.next_cursor == page.next_cursor


def test_notifications_page_back_to_the_high_water_mark(sandbox: SandboxServer,
                                                        admin: AdminClient) -> None:
    async def go(client: BlueskyClient) -> Any:
        first = await client.fetch(StreamKind.MENTIONS, None)
        injected = [admin.inbound("bluesky", "mention", f"question {n}", CUSTOMER,
                                  account=BRAND)["id"] for n in range(12)]
        later = await client.fetch(StreamKind.MENTIONS, first.next_cursor)
        return first, injected, later

    first, injected, later = run(go, sandbox, page_size=5)
    assert len(first.items) <= 5  # a first sync reads one page of recent history
    assert [i.platform_id for i in later.items] == injected  # three pages back, in order


def test_direct_messages_both_ways(sandbox: SandboxServer, admin: AdminClient) -> None:
    dm = admin.inbound("bluesky", "dm", "my order is late", CUSTOMER, account=BRAND)

    async def go(client: BlueskyClient) -> Any:
        page = await client.fetch(StreamKind.DIRECT_MESSAGES, None)
        sent = await client.send_direct_message(text="sorry, checking", thread_key=dm["thread_id"],
                                                idempotency_key=new_tid())
        later = await client.fetch(StreamKind.DIRECT_MESSAGES, page.next_cursor)
        return page, sent, later

    page, sent, later = run(go, sandbox)
    item = next(i for i in page.items if i.platform_id == dm["id"])
    assert item.kind is ConversationKind.DIRECT_MESSAGE and item.thread_key == dm["thread_id"]
    assert item.author.handle == "dana.bsky.social" and item.text == "my order is late"
    assert [(i.platform_id, i.direction) for i in later.items] == [
        (sent.platform_id, Direction.OUTBOUND)]
    created = admin.created("bluesky")
    assert [(c["kind"], c["thread_id"], c["text"]) for c in created] == [
        ("dm", dm["thread_id"], "sorry, checking")]


def test_reply_lands_in_the_thread_once_even_when_retried(sandbox: SandboxServer,
                                                          admin: AdminClient) -> None:
    reply = admin.inbound("bluesky", "reply", "when does it ship?", CUSTOMER, account=BRAND)
    key = new_tid()

    async def go(client: BlueskyClient) -> Any:
        first = await client.reply(text="next week!", in_reply_to=reply["id"],
                                   thread_key=reply["thread_id"], idempotency_key=key)
        retried = await client.reply(text="next week!", in_reply_to=reply["id"],
                                     thread_key=reply["thread_id"], idempotency_key=key)
        ours = await client.find_brand_replies(thread_key=reply["thread_id"],
                                               since_platform_id=None)
        return first, retried, ours

    first, retried, ours = run(go, sandbox)
    assert retried.platform_id == first.platform_id
    created = admin.created("bluesky")
    assert len(created) == 1
    assert created[0]["in_reply_to"] == reply["id"]
    assert created[0]["thread_id"] == reply["thread_id"]
    assert created[0]["idempotency_key"] == key
    assert [i.platform_id for i in ours] == [first.platform_id]


def test_too_long_reply_is_a_permanent_failure(sandbox: SandboxServer,
                                               admin: AdminClient) -> None:
    reply = admin.inbound("bluesky", "reply", "hm", CUSTOMER, account=BRAND)

    async def go(client: BlueskyClient) -> SyncError:
        with pytest.raises(SyncError) as info:
            await client.reply(text="é" * 301, in_reply_to=reply["id"],
                               thread_key=reply["thread_id"], idempotency_key=new_tid())
        return info.value

    error = run(go, sandbox)
    assert error.kind is SyncErrorKind.PERMANENT and "300 graphemes" in str(error)
    assert admin.created("bluesky") == []


def test_find_sent_after_timeout_after_commit(sandbox: SandboxServer,
                                              admin: AdminClient) -> None:
    reply = admin.inbound("bluesky", "reply", "hello?", CUSTOMER, account=BRAND)
    key, other = new_tid(), new_tid()
    admin.set_faults({"seed": 1, "rules": [{
        "match": {"platform": "bluesky", "method": "POST", "path": "createRecord"},
        "probability": 1.0, "fault": "timeout_after_commit"}]})

    async def go(client: BlueskyClient) -> Any:
        with pytest.raises(SyncError) as info:
            await client.reply(text="hi!", in_reply_to=reply["id"],
                               thread_key=reply["thread_id"], idempotency_key=key)
        admin.clear_faults()
        found = await client.find_sent(idempotency_key=key, thread_key=reply["thread_id"],
                                       in_reply_to=reply["id"], text="hi!")
        missing = await client.find_sent(idempotency_key=other, thread_key=reply["thread_id"],
                                         in_reply_to=reply["id"], text="hi!")
        return info.value, found, missing

    error, found, missing = run(go, sandbox, timeout_s=1.0)
    assert error.kind is SyncErrorKind.UNCERTAIN
    created = admin.created("bluesky")
    assert found is not None and found.platform_id == created[0]["id"]
    assert missing is None


def test_rate_limit_reports_reset(sandbox: SandboxServer, admin: AdminClient) -> None:
    admin.set_ratelimit("bluesky", 3, 60, account=BRAND)

    async def go(client: BlueskyClient) -> SyncError:
        with pytest.raises(SyncError) as info:
            for _ in range(5):
                await client.fetch(StreamKind.DIRECT_MESSAGES, None)
        return info.value

    error = run(go, sandbox)
    assert error.kind is SyncErrorKind.RATE_LIMITED
    assert error.retry_at is not None
    assert 0 < error.retry_at.timestamp() - time.time() <= 61


def test_expired_session_is_refreshed_and_saved_before_use(sandbox: SandboxServer,
                                                           admin: AdminClient) -> None:
    saved: list[Credentials] = []

    async def go(client: BlueskyClient) -> Any:
        old = client.credentials
        admin.tokens("bluesky", BRAND, "expire")
        page = await client.fetch(StreamKind.MENTIONS, None)
        return old, client.credentials, page

    old, new, page = run(go, sandbox, saved=saved)
    assert page.items  # the seeded reply, read with the refreshed session
    assert saved == [new]
    assert new.access_token != old.access_token and new.refresh_token != old.refresh_token
    assert new.app_password == old.app_password


def test_malformed_notification_is_skipped(sandbox: SandboxServer, admin: AdminClient) -> None:
    admin.inbound("bluesky", "mention", "one", CUSTOMER, account=BRAND)
    admin.inbound("bluesky", "mention", "two", CUSTOMER, account=BRAND)
    admin.set_faults({"seed": 1, "rules": [{
        "match": {"platform": "bluesky", "method": "GET", "path": "listNotifications"},
        "probability": 1.0, "fault": "malformed_item"}]})

    page = run(lambda client: client.fetch(StreamKind.MENTIONS, None), sandbox)
    assert page.skipped == 1
    assert [i.text for i in page.items][-1:] == ["@acme.bsky.social one"]


def test_chat_routes_require_the_proxy_header(sandbox: SandboxServer) -> None:
    connection = asyncio.run(connect_sandbox(sandbox.base_url, BRAND))
    response = httpx.get(f"{connection.base_url}/xrpc/chat.bsky.convo.listConvos",
                         headers={"Authorization": f"Bearer {connection.credentials.access_token}"})
    assert response.status_code == 501
    assert json.loads(response.text)["error"] == "MethodNotImplemented"


def test_revoked_session_signs_in_again_with_the_app_password(sandbox: SandboxServer,
                                                              admin: AdminClient) -> None:
    saved: list[Credentials] = []

    async def go(client: BlueskyClient) -> Any:
        old = client.credentials
        admin.tokens("bluesky", BRAND, "revoke")  # access and refresh JWTs both dead
        page = await client.fetch(StreamKind.DIRECT_MESSAGES, None)
        return old, client.credentials, page

    old, new, page = run(go, sandbox, saved=saved)
    assert page.items
    assert saved == [new] and new.refresh_token != old.refresh_token


@pytest.mark.parametrize(("fault", "expected"), [
    ("unknown_fields", None), ("malformed", SyncErrorKind.TRANSIENT)])
def test_unknown_fields_are_ignored_and_truncated_json_is_transient(
        sandbox: SandboxServer, admin: AdminClient, fault: str,
        expected: SyncErrorKind | None) -> None:
    admin.inbound("bluesky", "mention", "hello", CUSTOMER, account=BRAND)
    admin.set_faults({"seed": 1, "rules": [{
        "match": {"platform": "bluesky", "method": "GET", "path": "listNotifications"},
        "probability": 1.0, "fault": fault}]})

    async def go(client: BlueskyClient) -> Any:
        try:
            return await client.fetch(StreamKind.MENTIONS, None)
        except SyncError as exc:
            return exc

    result = run(go, sandbox)
    if expected is None:
        assert result.skipped == 0 and result.items[-1].text == "@acme.bsky.social hello"
    else:
        assert isinstance(result, SyncError) and result.kind is expected


def test_brand_replies_since_a_post_go_by_time_not_by_record_key(
        sandbox: SandboxServer, admin: AdminClient) -> None:
    ask = admin.inbound("bluesky", "reply", "when?", CUSTOMER, account=BRAND)

    async def go(client: BlueskyClient) -> Any:
        # A non-TID key: its derived rkey has a meaningless time part.
        ours = await client.reply(text="soon", in_reply_to=ask["id"],
                                  thread_key=ask["thread_id"], idempotency_key="outbox-17")
        later = admin.inbound("bluesky", "reply", "thanks", CUSTOMER, account=BRAND,
                              in_reply_to=ours.platform_id)
        after_ask = await client.find_brand_replies(thread_key=ask["thread_id"],
                                                    since_platform_id=ask["id"])
        after_later = await client.find_brand_replies(thread_key=ask["thread_id"],
                                                      since_platform_id=later["id"])
        return ours, after_ask, after_later

    ours, after_ask, after_later = run(go, sandbox)
    assert [i.platform_id for i in after_ask] == [ours.platform_id]
    assert after_later == []


def test_history_backfill_walks_back_then_resumes_at_the_mark(sandbox: SandboxServer,
                                                              admin: AdminClient) -> None:
    old = [admin.inbound("bluesky", "mention", f"old {n}", CUSTOMER, account=BRAND)["id"]
           for n in range(12)]

    async def go(client: BlueskyClient) -> Any:
        pages = [await client.fetch(StreamKind.MENTIONS, None)]
        while pages[-1].has_more:
            pages.append(await client.fetch(StreamKind.MENTIONS, pages[-1].next_cursor))
        new = admin.inbound("bluesky", "mention", "new", CUSTOMER, account=BRAND)["id"]
        after = await client.fetch(StreamKind.MENTIONS, pages[-1].next_cursor)
        return pages, new, after

    pages, new, after = run(go, sandbox, page_size=5, history_pages=10)
    assert [len(p.items) for p in pages] == [5, 5, 3]  # 12 mentions + the seeded reply
    seen = [i.platform_id for p in pages for i in p.items]
    assert len(seen) == len(set(seen)) and set(old) <= set(seen)
    assert [i.platform_id for i in after.items] == [new] and not after.has_more


def test_concurrent_requests_renew_the_session_once(sandbox: SandboxServer,
                                                    admin: AdminClient) -> None:
    saved: list[Credentials] = []

    async def go(client: BlueskyClient) -> Any:
        admin.tokens("bluesky", BRAND, "expire")
        return await asyncio.gather(client.fetch(StreamKind.MENTIONS, None),
                                    client.fetch(StreamKind.DIRECT_MESSAGES, None))

    mentions, dms = run(go, sandbox, saved=saved)
    assert mentions.items and dms.items
    assert len(saved) == 1
