"""The X connector against the real sandbox over HTTP (no mocks)."""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import httpx
import pytest

from desktop.domain.enums import ConversationKind, Direction, Platform, StreamKind
from desktop.domain.errors import SyncError, SyncErrorKind
from desktop.domain.models import Account
from desktop.platforms.base import Credentials
from desktop.platforms.x import connect_sandbox, create_client
from desktop.platforms.x.client import DUPLICATE, XClient
from desktop.sandbox.admin_client import AdminClient
from desktop.sandbox.server import SandboxServer

T = TypeVar("T")
CUSTOMER = {"handle": "dana_s", "display_name": "Dana Scully", "followers": 4321}


class CountingTransport(httpx.AsyncHTTPTransport):
    """The real transport, counting requests by path (X bills every read)."""

    def __init__(self) -> None:
        super().__init__()
        self.paths: list[str] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.paths.append(request.url.path)
        return await super().handle_async_request(request)


def run(factory: Callable[[XClient], Awaitable[T]], sandbox: SandboxServer,
        saved: list[Credentials] | None = None,
        tweak: Callable[[Credentials], Credentials] | None = None,
        transport: httpx.AsyncBaseTransport | None = None, **settings: Any) -> T:
    """Sign in with OAuth 2.0 + PKCE, run `factory(client)`, close the client."""

    async def main() -> T:
        connection = await connect_sandbox(sandbox.base_url, "acme")
        account = Account(id=1, brand_id=1, platform=Platform.X, handle=connection.handle,
                          display_name=connection.display_name, base_url=connection.base_url,
                          platform_user_id=connection.platform_user_id, settings=settings)

        async def save(credentials: Credentials) -> None:
            (saved if saved is not None else []).append(credentials)

        credentials = tweak(connection.credentials) if tweak else connection.credentials
        client = create_client(account, credentials, save, transport)
        assert isinstance(client, XClient)
        try:
            return await factory(client)
        finally:
            await client.aclose()

    return asyncio.run(main())


def test_connect_sandbox_runs_pkce_and_gets_offline_access(sandbox: SandboxServer,
                                                          admin: AdminClient) -> None:
    connection = asyncio.run(connect_sandbox(sandbox.base_url, "globex"))
    row = next(a for a in admin.accounts("x") if a["handle"] == "globex")
    assert (connection.handle, connection.platform_user_id) == ("globex", row["id"])
    assert connection.base_url == f"{sandbox.base_url}/x"
    credentials = connection.credentials
    assert credentials.access_token and credentials.refresh_token
    assert credentials.client_id == row["client_id"]
    assert credentials.expires_at and 7000 < credentials.expires_at - time.time() <= 7200


def test_mentions_with_authors_metrics_and_context(sandbox: SandboxServer,
                                                   admin: AdminClient) -> None:
    mention = admin.inbound("x", "mention", "is the Anvil in stock? &amp; <b>", CUSTOMER,
                            account="acme")
    reply = admin.inbound("x", "reply", "same question", CUSTOMER, account="acme")

    async def go(client: XClient) -> Any:
        page = await client.fetch(StreamKind.MENTIONS, None)
        again = await client.fetch(StreamKind.MENTIONS, page.next_cursor)
        return page, again

    page, again = run(go, sandbox)
    by_id = {i.platform_id: i for i in page.items}
    ids = [i.platform_id for i in page.items]
    assert ids == sorted(ids, key=int), "oldest first"
    item = by_id[mention["id"]]
    assert item.author.handle == "dana_s" and item.author.followers == 4321
    assert item.text == "@acme is the Anvil in stock? & <b>"  # unescaped once, never markup
    assert item.thread_key == mention["id"]
    answer = by_id[reply["id"]]
    assert answer.thread_key == reply["thread_id"] and answer.in_reply_to == reply["thread_id"]
    assert answer.context_text == "Our spring collection is live! What do you think?"
    assert answer.metrics["reply_count"] == 0
    assert again.items == ()


def test_mentions_page_back_to_since_id(sandbox: SandboxServer, admin: AdminClient) -> None:
    async def go(client: XClient) -> Any:
        first = await client.fetch(StreamKind.MENTIONS, None)
        injected = [admin.inbound("x", "mention", f"question {n}", CUSTOMER,
                                  account="acme")["id"] for n in range(12)]
        later = await client.fetch(StreamKind.MENTIONS, first.next_cursor)
        return injected, later

    injected, later = run(go, sandbox, page_size=5)
    assert [i.platform_id for i in later.items] == injected


def test_direct_messages_both_ways(sandbox: SandboxServer, admin: AdminClient) -> None:
    dm = admin.inbound("x", "dm", "my order is late", CUSTOMER, account="acme")

    async def go(client: XClient) -> Any:
        page = await client.fetch(StreamKind.DIRECT_MESSAGES, None)
        sent = await client.send_direct_message(text="sorry, checking",
                                                thread_key=dm["thread_id"], idempotency_key="k")
        later = await client.fetch(StreamKind.DIRECT_MESSAGES, page.next_cursor)
        ours = await client.find_brand_replies(thread_key=dm["thread_id"],
                                               since_platform_id=dm["id"])
        return page, sent, later, ours

    page, sent, later, ours = run(go, sandbox)
    item = next(i for i in page.items if i.platform_id == dm["id"])
    assert item.kind is ConversationKind.DIRECT_MESSAGE and item.thread_key == dm["thread_id"]
    assert item.author.handle == "dana_s" and item.author.followers == 4321
    assert [(i.platform_id, i.direction) for i in later.items] == [
        (sent.platform_id, Direction.OUTBOUND)]
    assert [i.platform_id for i in ours] == [sent.platform_id]
    created = admin.created("x")
    assert [(c["kind"], c["thread_id"], c["text"]) for c in created] == [
        ("dm", dm["thread_id"], "sorry, checking")]


def test_reply_lands_in_the_thread_and_a_retry_is_recognised(sandbox: SandboxServer,
                                                             admin: AdminClient) -> None:
    reply = admin.inbound("x", "reply", "when does it ship?", CUSTOMER, account="acme")

    async def go(client: XClient) -> Any:
        first = await client.reply(text="next week!", in_reply_to=reply["id"],
                                   thread_key=reply["thread_id"], idempotency_key="a")
        retried = await client.reply(text="next week!", in_reply_to=reply["id"],
                                     thread_key=reply["thread_id"], idempotency_key="a")
        ours = await client.find_brand_replies(thread_key=reply["thread_id"],
                                               since_platform_id=None)
        return first, retried, ours

    first, retried, ours = run(go, sandbox)
    assert retried.platform_id == first.platform_id  # 403 duplicate -> found on the timeline
    created = admin.created("x")
    assert [(c["id"], c["in_reply_to"], c["thread_id"]) for c in created] == [
        (first.platform_id, reply["id"], reply["thread_id"])]
    assert [i.platform_id for i in ours] == [first.platform_id]


def test_duplicate_text_elsewhere_stays_a_permanent_error(sandbox: SandboxServer,
                                                          admin: AdminClient) -> None:
    one = admin.inbound("x", "mention", "first", CUSTOMER, account="acme")
    two = admin.inbound("x", "mention", "second", CUSTOMER, account="acme")

    async def go(client: XClient) -> SyncError:
        await client.reply(text="thanks!", in_reply_to=one["id"], thread_key=one["thread_id"],
                           idempotency_key="a")
        with pytest.raises(SyncError) as info:
            await client.reply(text="thanks!", in_reply_to=two["id"],
                               thread_key=two["thread_id"], idempotency_key="b")
        return info.value

    error = run(go, sandbox)
    assert error.kind is SyncErrorKind.PERMANENT and error.platform_code == DUPLICATE
    assert error.status == 403


def test_too_long_reply_is_permanent(sandbox: SandboxServer, admin: AdminClient) -> None:
    one = admin.inbound("x", "mention", "hm", CUSTOMER, account="acme")

    async def go(client: XClient) -> SyncError:
        with pytest.raises(SyncError) as info:
            await client.reply(text="字" * 141, in_reply_to=one["id"],
                               thread_key=one["thread_id"], idempotency_key="a")
        return info.value

    assert run(go, sandbox).kind is SyncErrorKind.PERMANENT
    assert admin.created("x") == []


def test_find_sent_after_timeout_after_commit(sandbox: SandboxServer,
                                              admin: AdminClient) -> None:
    reply = admin.inbound("x", "reply", "hello?", CUSTOMER, account="acme")
    admin.set_faults({"seed": 1, "rules": [{
        "match": {"platform": "x", "method": "POST", "path": "/2/tweets$"},
        "probability": 1.0, "fault": "timeout_after_commit"}]})

    async def go(client: XClient) -> Any:
        with pytest.raises(SyncError) as info:
            await client.reply(text="hi!", in_reply_to=reply["id"],
                               thread_key=reply["thread_id"], idempotency_key="k")
        admin.clear_faults()
        found = await client.find_sent(idempotency_key="k", thread_key=reply["thread_id"],
                                       in_reply_to=reply["id"], text="hi!")
        other = await client.find_sent(idempotency_key="j", thread_key=reply["thread_id"],
                                       in_reply_to=reply["id"], text="something else")
        return info.value, found, other

    error, found, other = run(go, sandbox, timeout_s=1.0)
    assert error.kind is SyncErrorKind.UNCERTAIN
    assert found is not None and found.platform_id == admin.created("x")[0]["id"]
    assert other is None


def test_rate_limit_reports_reset(sandbox: SandboxServer, admin: AdminClient) -> None:
    admin.set_ratelimit("x", 2, 900, account="acme")

    async def use_up(client: XClient) -> SyncError:
        for _ in range(2):
            await client.fetch(StreamKind.MENTIONS, None)
        with pytest.raises(SyncError) as info:  # remaining 0 is known: no request is made
            await client.fetch(StreamKind.MENTIONS, None)
        return info.value

    async def fresh(client: XClient) -> SyncError:
        with pytest.raises(SyncError) as info:
            await client.fetch(StreamKind.MENTIONS, None)
        return info.value

    known = run(use_up, sandbox)
    refused = run(fresh, sandbox)  # a new client does not know: X answers 429
    assert known.kind is SyncErrorKind.RATE_LIMITED and known.status is None
    assert refused.kind is SyncErrorKind.RATE_LIMITED and refused.status == 429
    for error in (known, refused):
        assert error.retry_at is not None
        assert 0 < error.retry_at.timestamp() - time.time() <= 901


def test_expired_token_is_refreshed_and_the_rotated_token_saved_first(
        sandbox: SandboxServer, admin: AdminClient) -> None:
    saved: list[Credentials] = []

    async def go(client: XClient) -> Any:
        old = client.credentials
        admin.tokens("x", "acme", "expire")
        page = await client.fetch(StreamKind.MENTIONS, None)
        return old, client.credentials, page

    old, new, page = run(go, sandbox, saved=saved)
    assert page.items
    assert saved == [new]
    assert new.refresh_token != old.refresh_token and new.access_token != old.access_token
    reused = httpx.post(f"{sandbox.base_url}/x/2/oauth2/token", data={
        "grant_type": "refresh_token", "refresh_token": old.refresh_token,
        "client_id": old.client_id})
    assert reused.status_code == 400  # rotated: the old refresh token is used up


def test_token_near_expiry_is_refreshed_before_the_call(sandbox: SandboxServer) -> None:
    saved: list[Credentials] = []

    def nearly_expired(credentials: Credentials) -> Credentials:
        return dataclasses.replace(credentials, expires_at=time.time() + 30)

    run(lambda client: client.fetch(StreamKind.DIRECT_MESSAGES, None), sandbox, saved=saved,
        tweak=nearly_expired)
    assert len(saved) == 1 and saved[0].expires_at and saved[0].expires_at > time.time() + 7000


def test_malformed_item_is_skipped(sandbox: SandboxServer, admin: AdminClient) -> None:
    admin.inbound("x", "mention", "one", CUSTOMER, account="acme")
    admin.inbound("x", "mention", "two", CUSTOMER, account="acme")
    admin.set_faults({"seed": 1, "rules": [{
        "match": {"platform": "x", "method": "GET", "path": "mentions"},
        "probability": 1.0, "fault": "malformed_item"}]})

    page = run(lambda client: client.fetch(StreamKind.MENTIONS, None), sandbox)
    assert page.skipped == 1
    assert page.items[-1].text == "@acme one"


def test_lookup_profiles(sandbox: SandboxServer, admin: AdminClient) -> None:
    dm = admin.inbound("x", "dm", "hi", CUSTOMER, account="acme")
    profiles = run(lambda client: client.lookup_profiles([dm["account_id"], "1"]), sandbox)
    assert [(p.handle, p.followers) for p in profiles] == [("dana_s", 4321)]


def test_polling_is_frugal(sandbox: SandboxServer, admin: AdminClient) -> None:
    """X bills every read: a first sync reads one page per stream, an idle poll one request
    per stream, and profiles come with the page (no lookups)."""
    for n in range(30):
        admin.inbound("x", "mention", f"question {n}", CUSTOMER, account="acme")
    counter = CountingTransport()

    async def go(client: XClient) -> Any:
        mentions = await client.fetch(StreamKind.MENTIONS, None)
        dms = await client.fetch(StreamKind.DIRECT_MESSAGES, None)
        first = list(counter.paths)
        await client.fetch(StreamKind.MENTIONS, mentions.next_cursor)
        await client.fetch(StreamKind.DIRECT_MESSAGES, dms.next_cursor)
        return mentions, first

    mentions, first = run(go, sandbox, transport=counter)
    me = admin.accounts("x")[0]["id"]
    assert first == [f"/x/2/users/{me}/mentions", "/x/2/dm_events"]
    assert counter.paths[2:] == first
    assert len(mentions.items) == 20 and all(i.author.followers == 4321
                                             for i in mentions.items)


def test_find_sent_on_a_busy_timeline_asks_the_conversation(sandbox: SandboxServer,
                                                            admin: AdminClient) -> None:
    target = admin.inbound("x", "mention", "first!", CUSTOMER, account="acme")
    others = [admin.inbound("x", "mention", f"q{n}", CUSTOMER, account="acme")
              for n in range(21)]

    async def go(client: XClient) -> Any:
        ours = await client.reply(text="answer to the first", in_reply_to=target["id"],
                                  thread_key=target["thread_id"], idempotency_key="a")
        for n, other in enumerate(others):  # 21 newer brand tweets push ours off page one
            await client.reply(text=f"answer {n}", in_reply_to=other["id"],
                               thread_key=other["thread_id"], idempotency_key=str(n))
        found = await client.find_sent(idempotency_key="a", thread_key=target["thread_id"],
                                       in_reply_to=target["id"], text="answer to the first")
        return ours, found

    ours, found = run(go, sandbox)
    assert found is not None and found.platform_id == ours.platform_id


@pytest.mark.parametrize(("fault", "expected"), [
    ("unknown_fields", None), ("malformed", SyncErrorKind.TRANSIENT)])
def test_unknown_fields_are_ignored_and_truncated_json_is_transient(
        sandbox: SandboxServer, admin: AdminClient, fault: str,
        expected: SyncErrorKind | None) -> None:
    admin.inbound("x", "dm", "hello", CUSTOMER, account="acme")
    admin.set_faults({"seed": 1, "rules": [{
        "match": {"platform": "x", "method": "GET", "path": "dm_events"},
        "probability": 1.0, "fault": fault}]})

    async def go(client: XClient) -> Any:
        try:
            return await client.fetch(StreamKind.DIRECT_MESSAGES, None)
        except SyncError as exc:
            return exc

    result = run(go, sandbox)
    if expected is None:
        assert result.skipped == 0 and result.items[-1].text == "hello"
    else:
        assert isinstance(result, SyncError) and result.kind is expected


@pytest.mark.parametrize("stream", [StreamKind.MENTIONS, StreamKind.DIRECT_MESSAGES])
def test_history_backfill_walks_back_then_resumes_at_the_mark(
        sandbox: SandboxServer, admin: AdminClient, stream: StreamKind) -> None:
    kind = "mention" if stream is StreamKind.MENTIONS else "dm"
    old = [admin.inbound("x", kind, f"old {n}", CUSTOMER, account="acme")["id"]
           for n in range(12)]

    async def go(client: XClient) -> Any:
        pages = [await client.fetch(stream, None)]
        while pages[-1].has_more:
            pages.append(await client.fetch(stream, pages[-1].next_cursor))
        new = admin.inbound("x", kind, "new", CUSTOMER, account="acme")["id"]
        after = await client.fetch(stream, pages[-1].next_cursor)
        return pages, new, after

    pages, new, after = run(go, sandbox, page_size=5, history_pages=10)
    assert [len(p.items) for p in pages] == [5, 5, 3]  # 12 + one seeded item
    seen = [i.platform_id for p in pages for i in p.items]
    assert len(seen) == len(set(seen)) and set(old) <= set(seen)
    assert [i.platform_id for i in after.items] == [new] and not after.has_more


def test_concurrent_requests_refresh_the_rotating_token_once(sandbox: SandboxServer,
                                                              admin: AdminClient) -> None:
    saved: list[Credentials] = []

    async def go(client: XClient) -> Any:
        admin.tokens("x", "acme", "expire")
        return await asyncio.gather(client.fetch(StreamKind.MENTIONS, None),
                                    client.fetch(StreamKind.DIRECT_MESSAGES, None),
                                    client.lookup_profiles([client.user_id]))

    mentions, dms, profiles = run(go, sandbox, saved=saved)
    assert mentions.items and dms.items and profiles
    assert len(saved) == 1  # a second refresh would have used the spent refresh token
