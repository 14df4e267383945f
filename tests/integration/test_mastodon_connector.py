"""The Mastodon connector against the real sandbox over HTTP (no mocks)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import httpx
import pytest

from desktop.domain.enums import ConversationKind, Direction, Platform, StreamKind
from desktop.domain.errors import SyncError, SyncErrorKind
from desktop.domain.models import Account
from desktop.platforms.base import Credentials
from desktop.platforms.mastodon import connect_sandbox, create_client
from desktop.platforms.mastodon.client import MastodonClient
from desktop.sandbox.admin_client import AdminClient
from desktop.sandbox.server import SandboxServer

T = TypeVar("T")
CUSTOMER = {"handle": "dana", "display_name": "Dana Scully", "followers": 4321}


def run(factory: Callable[[MastodonClient], Awaitable[T]], sandbox: SandboxServer,
        handle: str = "acme", **settings: Any) -> T:
    """Connect through the sandbox's OAuth flow, run `factory(client)`, close the client."""

    async def main() -> T:
        connection = await connect_sandbox(sandbox.base_url, handle)
        account = Account(id=1, brand_id=1, platform=Platform.MASTODON,
                          handle=connection.handle, display_name=connection.display_name,
                          base_url=connection.base_url,
                          platform_user_id=connection.platform_user_id, settings=settings)

        async def save(credentials: Credentials) -> None:
            raise AssertionError("Mastodon tokens never rotate")

        client = create_client(account, connection.credentials, save)
        assert isinstance(client, MastodonClient)
        try:
            return await factory(client)
        finally:
            await client.aclose()

    return asyncio.run(main())


def test_connect_sandbox_signs_in_with_oauth(sandbox: SandboxServer, admin: AdminClient) -> None:
    async def go() -> tuple[str, str, str]:
        connection = await connect_sandbox(sandbox.base_url, "globex")
        return connection.handle, connection.base_url, str(connection.credentials.access_token)

    handle, base_url, token = asyncio.run(go())
    seeded = {a["handle"]: a["access_token"] for a in admin.accounts("mastodon")}
    assert handle == "globex"
    assert base_url == f"{sandbox.base_url}/mastodon"
    assert token and token != seeded["globex"]  # a fresh token from /oauth/token


def test_mentions_arrive_oldest_first_then_incrementally(sandbox: SandboxServer,
                                                         admin: AdminClient) -> None:
    first = admin.inbound("mastodon", "mention", "Is the <b>Anvil</b> in stock? https://shop.example/anvil",
                          CUSTOMER, account="acme")

    async def go(client: MastodonClient) -> Any:
        page = await client.fetch(StreamKind.MENTIONS, None)
        again = await client.fetch(StreamKind.MENTIONS, page.next_cursor)
        second = admin.inbound("mastodon", "mention", "hello?", CUSTOMER, account="acme")
        later = await client.fetch(StreamKind.MENTIONS, again.next_cursor)
        return page, again, later, second

    page, again, later, second = run(go, sandbox)
    ids = [i.platform_id for i in page.items]
    assert ids == sorted(ids, key=int), "oldest first"
    mine = next(i for i in page.items if i.platform_id == first["id"])
    assert mine.author.handle == "dana"
    assert mine.author.display_name == "Dana Scully"
    assert mine.author.followers == 4321
    assert mine.kind is ConversationKind.PUBLIC_THREAD
    assert mine.direction is Direction.INBOUND
    assert mine.thread_key == first["id"]
    assert mine.text == "@acme Is the <b>Anvil</b> in stock? https://shop.example/anvil"
    assert again.items == ()
    assert [i.platform_id for i in later.items] == [second["id"]]


def test_reply_to_brand_post_is_threaded_and_reply_lands_in_thread(
        sandbox: SandboxServer, admin: AdminClient) -> None:
    injected = admin.inbound("mastodon", "reply", "love it", CUSTOMER, account="acme")

    async def go(client: MastodonClient) -> Any:
        page = await client.fetch(StreamKind.MENTIONS, None)
        item = next(i for i in page.items if i.platform_id == injected["id"])
        sent = await client.reply(text="Thanks Dana!", in_reply_to=item.platform_id,
                                  thread_key=item.thread_key, idempotency_key="key-1")
        again = await client.reply(text="Thanks Dana!", in_reply_to=item.platform_id,
                                   thread_key=item.thread_key, idempotency_key="key-1")
        replies = await client.find_brand_replies(thread_key=item.thread_key,
                                                  since_platform_id=item.platform_id)
        return item, sent, again, replies

    item, sent, again, replies = run(go, sandbox)
    assert item.thread_key == injected["thread_id"] != item.platform_id
    assert item.in_reply_to == item.thread_key
    assert item.context_text  # the brand post being answered
    assert again.platform_id == sent.platform_id, "same Idempotency-Key, same status"
    created = admin.created(platform="mastodon", account="acme")
    assert len(created) == 1
    assert created[0]["id"] == sent.platform_id
    assert created[0]["in_reply_to"] == item.platform_id
    assert created[0]["thread_id"] == item.thread_key
    assert created[0]["idempotency_key"] == "key-1"
    assert created[0]["text"] == "@dana Thanks Dana!"
    assert [r.platform_id for r in replies] == [sent.platform_id]
    assert replies[0].direction is Direction.OUTBOUND


def test_direct_messages_both_ways(sandbox: SandboxServer, admin: AdminClient) -> None:
    dm = admin.inbound("mastodon", "dm", "my order #77 is late", CUSTOMER, account="acme")

    async def go(client: MastodonClient) -> Any:
        page = await client.fetch(StreamKind.DIRECT_MESSAGES, None)
        item = next(i for i in page.items if i.platform_id == dm["id"])
        sent = await client.send_direct_message(text="Sorry! Checking now.",
                                                thread_key=item.thread_key,
                                                idempotency_key="dm-1")
        after = await client.fetch(StreamKind.DIRECT_MESSAGES, page.next_cursor)
        mentions = await client.fetch(StreamKind.MENTIONS, None)
        return item, sent, after, mentions

    item, sent, after, mentions = run(go, sandbox)
    assert item.kind is ConversationKind.DIRECT_MESSAGE
    assert item.author.handle == "dana"
    assert [i.platform_id for i in after.items] == [sent.platform_id]
    assert after.items[0].direction is Direction.OUTBOUND
    assert after.items[0].thread_key == item.thread_key
    # the same DM seen through notifications lands in the same conversation
    via_mentions = next(i for i in mentions.items if i.platform_id == dm["id"])
    assert (via_mentions.kind, via_mentions.thread_key) == (item.kind, item.thread_key)
    created = admin.created(platform="mastodon")
    assert [(c["kind"], c["in_reply_to"], c["thread_id"]) for c in created] == [
        ("dm", dm["id"], item.thread_key)]


def test_pagination_forward_with_min_id(sandbox: SandboxServer, admin: AdminClient) -> None:
    async def go(client: MastodonClient) -> Any:
        start = await client.fetch(StreamKind.MENTIONS, None)
        injected = [admin.inbound("mastodon", "mention", f"question {n}", CUSTOMER,
                                  account="acme")["id"] for n in range(95)]
        pages = []
        cursor = start.next_cursor
        while True:
            page = await client.fetch(StreamKind.MENTIONS, cursor)
            pages.append(page)
            cursor = page.next_cursor
            if not page.has_more:
                break
        return injected, pages

    injected, pages = run(go, sandbox)
    assert [len(p.items) for p in pages] == [40, 40, 15]
    assert [p.has_more for p in pages] == [True, True, False]
    assert [i.platform_id for p in pages for i in p.items] == injected


def test_many_changed_conversations_arrive_oldest_first_in_bounded_calls(
        sandbox: SandboxServer, admin: AdminClient) -> None:
    async def go(client: MastodonClient) -> Any:
        start = await client.fetch(StreamKind.DIRECT_MESSAGES, None)
        injected = [c["id"] for c in admin.inbound_batch([
            {"platform": "mastodon", "account": "acme", "kind": "dm", "text": f"dm {n}",
             "customer": {"handle": f"person{n}"}} for n in range(60)])]
        first = await client.fetch(StreamKind.DIRECT_MESSAGES, start.next_cursor)
        second = await client.fetch(StreamKind.DIRECT_MESSAGES, first.next_cursor)
        return injected, first, second

    injected, first, second = run(go, sandbox)
    assert (len(first.items), first.has_more) == (50, True)
    assert (len(second.items), second.has_more) == (10, False)
    assert [i.platform_id for i in (*first.items, *second.items)] == injected


def test_history_pages_follow_link_header(sandbox: SandboxServer, admin: AdminClient) -> None:
    for n in range(50):
        admin.inbound("mastodon", "mention", f"old {n}", CUSTOMER, account="acme")

    async def go(client: MastodonClient) -> Any:
        return await client.fetch(StreamKind.MENTIONS, None)

    one = run(go, sandbox)
    two = run(go, sandbox, history_pages=2)
    assert len(one.items) == 40
    assert len(two.items) > 50  # 50 injected + the seeded history, over two pages
    assert two.next_cursor == one.next_cursor


def test_rate_limit_gives_retry_at_from_iso_reset(sandbox: SandboxServer,
                                                  admin: AdminClient) -> None:
    seeded = {a["handle"]: a["access_token"] for a in admin.accounts("mastodon")}

    async def go(client: MastodonClient) -> tuple[SyncError, SyncError]:
        admin.set_ratelimit("mastodon", limit=2, window_s=30, account="acme")
        await client.verify_credentials()  # 1 of 2: the client sees "1 remaining"
        other_app = httpx.get(f"{sandbox.base_url}/mastodon/api/v1/notifications",
                              headers={"Authorization": f"Bearer {seeded['acme']}"})
        assert other_app.status_code == 200  # another app of the account uses the last one
        with pytest.raises(SyncError) as first:
            await client.fetch(StreamKind.MENTIONS, None)
        with pytest.raises(SyncError) as second:  # now known to be used up: no request
            await client.fetch(StreamKind.MENTIONS, None)
        return first.value, second.value

    first, second = run(go, sandbox)
    now = datetime.now(UTC)
    assert first.kind is SyncErrorKind.RATE_LIMITED
    assert first.status == 429
    assert "Too many requests" in str(first)
    assert first.retry_at is not None
    assert now < first.retry_at <= now + timedelta(seconds=31)
    assert second.kind is SyncErrorKind.RATE_LIMITED
    assert second.status is None and second.retry_at == first.retry_at


def test_client_stops_at_zero_remaining(sandbox: SandboxServer, admin: AdminClient) -> None:
    async def go(client: MastodonClient) -> SyncError:
        admin.set_ratelimit("mastodon", limit=2, window_s=30, account="acme")
        await client.fetch(StreamKind.MENTIONS, None)  # verify_credentials + notifications
        with pytest.raises(SyncError) as caught:
            await client.fetch(StreamKind.MENTIONS, None)
        return caught.value

    error = run(go, sandbox)
    assert error.kind is SyncErrorKind.RATE_LIMITED and error.status is None
    assert error.retry_at is not None


def test_expired_and_revoked_tokens_need_reauth(sandbox: SandboxServer,
                                               admin: AdminClient) -> None:
    async def go(client: MastodonClient) -> list[SyncError]:
        await client.brand_id()
        errors = []
        for action in ("expire", "revoke"):
            admin.tokens("mastodon", "acme", action)
            with pytest.raises(SyncError) as caught:
                await client.fetch(StreamKind.MENTIONS, None)
            errors.append(caught.value)
            admin.tokens("mastodon", "acme", "restore")
        await client.fetch(StreamKind.MENTIONS, None)  # restored: works again
        return errors

    expired, revoked = run(go, sandbox)
    assert expired.kind is revoked.kind is SyncErrorKind.AUTH
    assert "expired" in str(expired) and "revoked" in str(revoked)


def test_malformed_item_is_skipped_and_page_continues(sandbox: SandboxServer,
                                                      admin: AdminClient) -> None:
    admin.inbound("mastodon", "mention", "one", CUSTOMER, account="acme")
    good = admin.inbound("mastodon", "mention", "two", CUSTOMER, account="acme")

    async def go(client: MastodonClient) -> Any:
        await client.brand_id()
        admin.set_faults({"seed": 1, "rules": [{"match": {"platform": "mastodon",
                                                          "path": "/api/v1/notifications"},
                                                "fault": "malformed_item"}]})
        broken = await client.fetch(StreamKind.MENTIONS, None)
        admin.set_faults({"rules": [{"match": {"path": "/api/v1/notifications"},
                                     "fault": "unknown_fields"}]})
        extra = await client.fetch(StreamKind.MENTIONS, None)
        return broken, extra

    broken, extra = run(go, sandbox)
    assert broken.skipped == 1
    assert good["id"] not in [i.platform_id for i in broken.items]  # newest is the broken one
    assert len(broken.items) == len(extra.items) - 1
    assert extra.skipped == 0


def test_garbled_body_is_transient(sandbox: SandboxServer, admin: AdminClient) -> None:
    async def go(client: MastodonClient) -> SyncError:
        await client.brand_id()
        admin.set_faults({"rules": [{"match": {"path": "notifications"}, "fault": "malformed"}]})
        with pytest.raises(SyncError) as caught:
            await client.fetch(StreamKind.MENTIONS, None)
        return caught.value

    assert run(go, sandbox).kind is SyncErrorKind.TRANSIENT


def test_dropped_connection_is_retried_once(sandbox: SandboxServer, admin: AdminClient) -> None:
    async def go(client: MastodonClient) -> SyncError:
        await client.brand_id()
        admin.set_faults({"rules": [{"match": {"method": "GET", "path": "notifications"},
                                     "fault": "reset"}]})
        with pytest.raises(SyncError) as caught:
            await client.fetch(StreamKind.MENTIONS, None)
        return caught.value

    error = run(go, sandbox)
    assert error.kind is SyncErrorKind.TRANSIENT
    assert admin.faults()["applied"] == {"reset": 2}  # the first try and one retry


def test_find_sent_after_timeout_after_commit(sandbox: SandboxServer, admin: AdminClient) -> None:
    mention = admin.inbound("mastodon", "mention", "help!", CUSTOMER, account="acme")

    async def go(client: MastodonClient) -> Any:
        await client.brand_id()
        absent = await client.find_sent(idempotency_key="k-9", thread_key=mention["id"],
                                        in_reply_to=mention["id"], text="On it")
        admin.set_faults({"rules": [{"match": {"method": "POST", "path": "/api/v1/statuses$"},
                                     "fault": "timeout_after_commit"}]})
        with pytest.raises(SyncError) as caught:
            await client.reply(text="On it", in_reply_to=mention["id"],
                               thread_key=mention["id"], idempotency_key="k-9")
        admin.clear_faults()
        found = await client.find_sent(idempotency_key="k-9", thread_key=mention["id"],
                                       in_reply_to=mention["id"], text="On it")
        retried = await client.reply(text="On it", in_reply_to=mention["id"],
                                     thread_key=mention["id"], idempotency_key="k-9")
        return absent, caught.value, found, retried

    absent, error, found, retried = run(go, sandbox, timeout_s=1.0)
    created = admin.created(platform="mastodon")
    assert absent is None
    assert error.kind is SyncErrorKind.UNCERTAIN
    assert len(created) == 1
    assert found is not None and found.platform_id == created[0]["id"]
    assert retried.platform_id == found.platform_id  # the key dedupes a retry too


def test_permanent_errors_carry_the_platform_reason(sandbox: SandboxServer,
                                                    admin: AdminClient) -> None:
    mention = admin.inbound("mastodon", "mention", "hi", CUSTOMER, account="acme")

    async def go(client: MastodonClient) -> tuple[SyncError, SyncError]:
        with pytest.raises(SyncError) as too_long:
            await client.reply(text="x" * 600, in_reply_to=mention["id"],
                               thread_key=mention["id"], idempotency_key="long")
        with pytest.raises(SyncError) as gone:
            await client.reply(text="hello", in_reply_to="999",
                               thread_key="999", idempotency_key="gone")
        return too_long.value, gone.value

    too_long, gone = run(go, sandbox)
    assert too_long.kind is SyncErrorKind.PERMANENT and too_long.status == 422
    assert "character limit" in str(too_long)
    assert gone.kind is SyncErrorKind.PERMANENT and gone.status == 404
    assert admin.created(platform="mastodon") == []


def test_lookup_profiles(sandbox: SandboxServer, admin: AdminClient) -> None:
    injected = admin.inbound("mastodon", "mention", "hey", CUSTOMER, account="acme")

    async def go(client: MastodonClient) -> Any:
        return await client.lookup_profiles([injected["account_id"], "404404"])

    profiles = run(go, sandbox)
    assert [(p.handle, p.followers) for p in profiles] == [("dana", 4321)]


def test_cursor_is_json_and_survives_garbage(sandbox: SandboxServer) -> None:
    async def go(client: MastodonClient) -> Any:
        page = await client.fetch(StreamKind.MENTIONS, "not json")
        return page

    page = run(go, sandbox)
    assert page.items  # an unreadable cursor starts over instead of failing forever
    assert json.loads(str(page.next_cursor))["min_id"]
