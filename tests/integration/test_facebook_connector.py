"""The Facebook Pages connector against the real sandbox over HTTP (no mocks)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import httpx
import pytest

from desktop.domain.enums import ConversationKind, Direction, Platform, StreamKind
from desktop.domain.errors import SyncError, SyncErrorKind
from desktop.domain.inbound import InboundItem
from desktop.domain.models import Account
from desktop.platforms.base import Credentials, PlatformClient
from desktop.platforms.facebook import client as fb_client
from desktop.platforms.facebook import connect_sandbox, create_client
from desktop.platforms.facebook.client import FacebookClient
from desktop.platforms.http import make_http_client
from desktop.sandbox.admin_client import AdminClient
from desktop.sandbox.server import SandboxServer

T = TypeVar("T")
CUSTOMER = {"handle": "dana", "display_name": "Dana Scully", "followers": 4321}


def run(factory: Callable[[FacebookClient], Awaitable[T]], sandbox: SandboxServer,
        handle: str = "acme", timeout: float | None = None) -> T:
    """Connect through the sandbox's token flow, run `factory(client)`, close the client."""

    async def main() -> T:
        connection = await connect_sandbox(sandbox.base_url, handle)
        account = Account(id=1, brand_id=1, platform=Platform.FACEBOOK,
                          handle=connection.handle, display_name=connection.display_name,
                          base_url=connection.base_url,
                          platform_user_id=connection.platform_user_id)

        async def save(credentials: Credentials) -> None:
            raise AssertionError("Page tokens never rotate")

        client: PlatformClient
        if timeout is None:
            client = create_client(account, connection.credentials, save)
        else:  # a short read timeout for the lost-answer tests
            client = FacebookClient(
                make_http_client(account.base_url, timeout=httpx.Timeout(timeout)),
                page_id=account.platform_user_id, page_name=account.display_name,
                access_token=str(connection.credentials.access_token),
                app_secret=connection.credentials.client_secret)
        assert isinstance(client, FacebookClient)
        try:
            return await factory(client)
        finally:
            await client.aclose()

    return asyncio.run(main())


def by_author(items: tuple[InboundItem, ...] | list[InboundItem], name: str) -> InboundItem:
    return next(i for i in items if i.author.display_name == name)


def test_connect_sandbox_exchanges_the_user_token_for_a_page_token(
        sandbox: SandboxServer, admin: AdminClient) -> None:
    row = next(a for a in admin.accounts("facebook") if a["handle"] == "northwind")
    connection = asyncio.run(connect_sandbox(sandbox.base_url, "northwind"))
    assert connection.platform is Platform.FACEBOOK
    assert connection.base_url == f"{sandbox.base_url}/facebook"
    assert connection.platform_user_id == row["page_id"]
    assert connection.display_name == "Northwind Coffee"
    creds = connection.credentials
    assert creds.access_token and creds.access_token != row["user_access_token"]
    assert (creds.client_id, creds.client_secret) == (row["app_id"], row["app_secret"])


def test_every_inbound_kind_arrives_oldest_first_then_incrementally(
        sandbox: SandboxServer, admin: AdminClient) -> None:
    comment = admin.inbound("facebook", "comment", "Do you ship to Lisbon?", CUSTOMER,
                            account="acme")
    reply = admin.inbound("facebook", "reply", "Hello??", CUSTOMER, account="acme",
                          in_reply_to=comment["id"])
    mention = admin.inbound("facebook", "mention", "great service", CUSTOMER, account="acme")
    dm = admin.inbound("facebook", "dm", "Where is order #42?", CUSTOMER, account="acme")

    async def go(client: FacebookClient) -> Any:
        comments = await client.fetch(StreamKind.COMMENTS, None)
        dms = await client.fetch(StreamKind.DIRECT_MESSAGES, None)
        again = await client.fetch(StreamKind.COMMENTS, comments.next_cursor)
        later = admin.inbound("facebook", "comment", "and one more", CUSTOMER, account="acme")
        newer = await client.fetch(StreamKind.COMMENTS, again.next_cursor)
        return comments, dms, again, newer, later

    comments, dms, again, newer, later = run(go, sandbox)
    times = [i.created_at for i in comments.items]
    assert times == sorted(times), "oldest first"
    got = {i.platform_id: i for i in comments.items}
    assert {comment["id"], reply["id"], mention["id"]} <= set(got)
    assert got[comment["id"]].thread_key == comment["thread_id"]
    assert got[comment["id"]].in_reply_to == comment["thread_id"]  # a comment on the post
    assert got[reply["id"]].in_reply_to == comment["id"]
    assert got[reply["id"]].kind is ConversationKind.COMMENT_THREAD
    assert got[comment["id"]].author.display_name == "Dana Scully"
    assert got[comment["id"]].context_text == "We're hiring community managers in Berlin."
    assert "@Acme" in got[mention["id"]].text
    seeded_answer = by_author(comments.items, "Acme")
    assert seeded_answer.direction is Direction.OUTBOUND
    mine = next(i for i in dms.items if i.platform_id == dm["id"])
    assert mine.kind is ConversationKind.DIRECT_MESSAGE
    assert mine.thread_key == dm["thread_id"] and mine.thread_key.startswith("t_")
    assert mine.text == "Where is order #42?"
    assert again.items == ()
    assert [i.platform_id for i in newer.items] == [later["id"]]


def test_replies_and_messages_appear_in_the_right_thread(sandbox: SandboxServer,
                                                         admin: AdminClient) -> None:
    comment = admin.inbound("facebook", "comment", "Is it vegan?", CUSTOMER, account="acme")
    dm = admin.inbound("facebook", "dm", "Hi there", CUSTOMER, account="acme")

    async def go(client: FacebookClient) -> Any:
        sent = await client.reply(text="Yes, 100% vegan 🌱", in_reply_to=comment["id"],
                                  thread_key=comment["thread_id"], idempotency_key="k1")
        message = await client.send_direct_message(text="Hello Dana!", thread_key=dm["thread_id"],
                                                   idempotency_key="k2")
        comments = await client.fetch(StreamKind.COMMENTS, None)
        dms = await client.fetch(StreamKind.DIRECT_MESSAGES, None)
        brand = await client.find_brand_replies(thread_key=comment["thread_id"],
                                                since_platform_id=comment["id"])
        brand_dm = await client.find_brand_replies(thread_key=dm["thread_id"],
                                                   since_platform_id=dm["id"])
        return sent, message, comments, dms, brand, brand_dm

    sent, message, comments, dms, brand, brand_dm = run(go, sandbox)
    created = {r["id"]: r for r in admin.created("facebook", "acme")}
    assert created[sent.platform_id]["in_reply_to"] == comment["id"]
    assert created[sent.platform_id]["thread_id"] == comment["thread_id"]
    assert created[sent.platform_id]["text"] == "Yes, 100% vegan 🌱"
    assert created[message.platform_id]["thread_id"] == dm["thread_id"]
    assert created[message.platform_id]["kind"] == "dm"
    ours = next(i for i in comments.items if i.platform_id == sent.platform_id)
    assert ours.direction is Direction.OUTBOUND and ours.in_reply_to == comment["id"]
    assert any(i.platform_id == message.platform_id and i.direction is Direction.OUTBOUND
               for i in dms.items)
    assert [i.platform_id for i in brand] == [sent.platform_id]
    assert [i.platform_id for i in brand_dm] == [message.platform_id]


def test_own_posts_carry_public_metrics(sandbox: SandboxServer) -> None:
    page = run(lambda c: c.fetch(StreamKind.OWN_POSTS, None), sandbox)
    assert len(page.items) == 3
    assert all(i.direction is Direction.OUTBOUND for i in page.items)
    spring = next(i for i in page.items if i.text.startswith("Our spring collection"))
    assert spring.metrics == {"likes": 16, "replies": 1, "reposts": 5}


def test_paging_across_graph_cursors_and_has_more(sandbox: SandboxServer, admin: AdminClient,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    injected = [admin.inbound("facebook", "dm", f"message {n}", {"handle": f"c{n}"},
                              account="acme")["id"] for n in range(30)]
    monkeypatch.setattr(fb_client, "PAGE_LIMIT", 7)
    for n in range(9):
        admin.inbound("facebook", "comment", f"comment {n}", CUSTOMER, account="acme")

    async def go(client: FacebookClient) -> Any:
        dms = await client.fetch(StreamKind.DIRECT_MESSAGES, None)  # 33 conversations, 2 pages
        pages, cursor = [], None
        while True:
            page = await client.fetch(StreamKind.COMMENTS, cursor)
            pages.append(page)
            cursor = page.next_cursor
            if not page.has_more:
                break
        return dms, pages

    dms, pages = run(go, sandbox)
    assert set(injected) <= {i.platform_id for i in dms.items}
    assert [len(p.items) for p in pages] == [7, 5]  # 3 seeded comments + 9 new
    ids = [i.platform_id for p in pages for i in p.items]
    assert len(ids) == len(set(ids))
    assert [p.has_more for p in pages] == [True, False]


def test_throttling_is_rate_limited_with_retry_at(sandbox: SandboxServer,
                                                  admin: AdminClient) -> None:
    async def go(client: FacebookClient) -> SyncError:
        admin.set_ratelimit("facebook", limit=2, window_s=120, account="acme")
        with pytest.raises(SyncError) as caught:
            for _ in range(3):
                await client.fetch(StreamKind.DIRECT_MESSAGES, None)
        return caught.value

    before = datetime.now(UTC)
    error = run(go, sandbox)
    assert error.kind is SyncErrorKind.RATE_LIMITED
    assert error.platform_code == "80001"
    assert error.retry_at is not None
    assert before + timedelta(seconds=60) <= error.retry_at <= before + timedelta(minutes=3)


def test_expired_token_is_auth(sandbox: SandboxServer, admin: AdminClient) -> None:
    async def go(client: FacebookClient) -> SyncError:
        admin.tokens("facebook", "acme", "expire")
        with pytest.raises(SyncError) as caught:
            await client.fetch(StreamKind.COMMENTS, None)
        return caught.value

    error = run(go, sandbox)
    assert error.kind is SyncErrorKind.AUTH
    assert error.platform_code == "190/463"


def test_messenger_window(sandbox: SandboxServer, admin: AdminClient) -> None:
    """Seeded: Jonas wrote 2 h ago (RESPONSE), Lea 30 h ago (HUMAN_AGENT), Omar 9 days ago."""

    async def go(client: FacebookClient) -> Any:
        dms = await client.fetch(StreamKind.DIRECT_MESSAGES, None)
        threads = {i.author.display_name: i.thread_key for i in dms.items}
        results = {}
        for name in ("Jonas", "Lea M.", "Omar"):
            try:
                results[name] = await client.send_direct_message(
                    text=f"Hi {name}", thread_key=threads[name], idempotency_key=name)
            except SyncError as exc:
                results[name] = exc
        return results

    results = run(go, sandbox)
    created = {r["id"] for r in admin.created("facebook", "acme")}
    assert results["Jonas"].platform_id in created
    assert results["Lea M."].platform_id in created
    refused = results["Omar"]
    assert isinstance(refused, SyncError)
    assert refused.kind is SyncErrorKind.PERMANENT
    assert refused.platform_code == "10/2018278"
    assert "outside of allowed window" in str(refused)
    assert len(created) == 2


def test_malformed_item_is_skipped_and_the_page_continues(sandbox: SandboxServer,
                                                          admin: AdminClient) -> None:
    first = admin.inbound("facebook", "comment", "first", CUSTOMER, account="acme")
    second = admin.inbound("facebook", "comment", "second", CUSTOMER, account="acme")
    baseline = run(lambda c: c.fetch(StreamKind.COMMENTS, None), sandbox)
    # The fault strips the first comment of that post's answer down to its id.
    admin.set_faults({"rules": [{"match": {"platform": "facebook", "method": "GET",
                                           "path": f"/{first['thread_id']}/comments$"},
                                 "fault": "malformed_item"}]})
    page = run(lambda c: c.fetch(StreamKind.COMMENTS, None), sandbox)
    thread = [i for i in baseline.items if i.thread_key == first["thread_id"]]
    assert baseline.skipped == 0 and page.skipped == 1
    assert {i.platform_id for i in baseline.items} - {i.platform_id for i in page.items} == {
        thread[0].platform_id}
    assert {first["id"], second["id"]} <= {i.platform_id for i in page.items}


def test_find_sent_after_timeout_after_commit(sandbox: SandboxServer,
                                              admin: AdminClient) -> None:
    comment = admin.inbound("facebook", "comment", "Refund?", CUSTOMER, account="acme")
    dm = admin.inbound("facebook", "dm", "Refund??", CUSTOMER, account="acme")

    async def go(client: FacebookClient) -> Any:
        admin.set_faults({"rules": [{"match": {"platform": "facebook", "method": "POST"},
                                     "fault": "timeout_after_commit"}]})
        errors = []
        with pytest.raises(SyncError) as caught:
            await client.reply(text="Refund issued.", in_reply_to=comment["id"],
                               thread_key=comment["thread_id"], idempotency_key="k")
        errors.append(caught.value)
        with pytest.raises(SyncError) as caught:
            await client.send_direct_message(text="Refund issued by DM.",
                                             thread_key=dm["thread_id"], idempotency_key="k2")
        errors.append(caught.value)
        admin.clear_faults()
        found = await client.find_sent(idempotency_key="k", thread_key=comment["thread_id"],
                                       in_reply_to=comment["id"], text="Refund issued.")
        found_dm = await client.find_sent(idempotency_key="k2", thread_key=dm["thread_id"],
                                          in_reply_to=None, text="Refund issued by DM.")
        missing = await client.find_sent(idempotency_key="k3", thread_key=comment["thread_id"],
                                         in_reply_to=comment["id"], text="Never sent")
        return errors, found, found_dm, missing

    errors, found, found_dm, missing = run(go, sandbox, timeout=1.5)
    assert [e.kind for e in errors] == [SyncErrorKind.UNCERTAIN, SyncErrorKind.UNCERTAIN]
    created = admin.created("facebook", "acme")
    assert len(created) == 2  # both writes were applied, exactly once
    by_text = {r["text"]: r["id"] for r in created}
    assert found is not None and found.platform_id == by_text["Refund issued."]
    assert found_dm is not None and found_dm.platform_id == by_text["Refund issued by DM."]
    assert missing is None


def test_server_error_on_a_write_is_uncertain(sandbox: SandboxServer,
                                              admin: AdminClient) -> None:
    comment = admin.inbound("facebook", "comment", "Hello", CUSTOMER, account="acme")

    async def go(client: FacebookClient) -> SyncError:
        admin.set_faults({"rules": [{"match": {"platform": "facebook", "method": "POST"},
                                     "fault": "status", "status": 503}]})
        with pytest.raises(SyncError) as caught:
            await client.reply(text="Hi", in_reply_to=comment["id"],
                               thread_key=comment["thread_id"], idempotency_key="k")
        return caught.value

    assert run(go, sandbox).kind is SyncErrorKind.UNCERTAIN


def test_lookup_profiles_by_id(sandbox: SandboxServer, admin: AdminClient) -> None:
    comment = admin.inbound("facebook", "comment", "Hi", CUSTOMER, account="acme")

    async def go(client: FacebookClient) -> Any:
        page = await client.fetch(StreamKind.COMMENTS, None)
        author = next(i.author for i in page.items if i.platform_id == comment["id"])
        return author, await client.lookup_profiles([author.platform_user_id, "0000"])

    author, profiles = run(go, sandbox)
    assert profiles == []  # Graph refuses a batch with an unknown id; the batch is skipped
    single = run(lambda c: c.lookup_profiles([author.platform_user_id]), sandbox)
    assert [(p.platform_user_id, p.display_name) for p in single] == [
        (author.platform_user_id, "Dana Scully")]


def test_unknown_fields_are_ignored_and_a_truncated_body_is_transient(
        sandbox: SandboxServer, admin: AdminClient) -> None:
    admin.inbound("facebook", "dm", "hello", CUSTOMER, account="acme")
    clean = run(lambda c: c.fetch(StreamKind.DIRECT_MESSAGES, None), sandbox)
    admin.set_faults({"rules": [{"match": {"platform": "facebook"}, "fault": "unknown_fields"}]})
    noisy = run(lambda c: c.fetch(StreamKind.DIRECT_MESSAGES, None), sandbox)
    assert [i.platform_id for i in noisy.items] == [i.platform_id for i in clean.items]
    assert noisy.skipped == 0

    async def go(client: FacebookClient) -> SyncError:
        admin.set_faults({"rules": [{"match": {"platform": "facebook",
                                               "path": "/conversations$"},
                                     "fault": "malformed"}]})
        with pytest.raises(SyncError) as caught:
            await client.fetch(StreamKind.DIRECT_MESSAGES, None)
        return caught.value

    assert run(go, sandbox).kind is SyncErrorKind.TRANSIENT


def test_own_posts_refresh_recent_counts_on_later_polls(sandbox: SandboxServer) -> None:
    async def go(client: FacebookClient) -> Any:
        first = await client.fetch(StreamKind.OWN_POSTS, None)
        return first, await client.fetch(StreamKind.OWN_POSTS, first.next_cursor)

    first, second = run(go, sandbox)
    assert len(first.items) == 3
    # Only the post from yesterday is inside the 3-day refresh window; nothing new appeared.
    assert [i.text for i in second.items] == ["We're hiring community managers in Berlin."]
    assert not second.has_more
