"""The Instagram connector against the real sandbox over HTTP (no mocks)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import httpx
import pytest

from desktop.domain.enums import ConversationKind, Direction, Platform, StreamKind
from desktop.domain.errors import SyncError, SyncErrorKind
from desktop.domain.models import Account
from desktop.platforms.base import Capability, Credentials, PlatformClient
from desktop.platforms.http import make_http_client
from desktop.platforms.instagram import client as ig_client
from desktop.platforms.instagram import connect_sandbox, create_client
from desktop.platforms.instagram.client import InstagramClient
from desktop.sandbox.admin_client import AdminClient
from desktop.sandbox.server import SandboxServer

T = TypeVar("T")
CUSTOMER = {"handle": "ana.design", "display_name": "Ana", "followers": 999}


def run(factory: Callable[[InstagramClient], Awaitable[T]], sandbox: SandboxServer,
        timeout: float | None = None) -> T:
    async def main() -> T:
        connection = await connect_sandbox(sandbox.base_url, "acme")
        account = Account(id=2, brand_id=1, platform=Platform.INSTAGRAM,
                          handle=connection.handle, display_name=connection.display_name,
                          base_url=connection.base_url,
                          platform_user_id=connection.platform_user_id,
                          settings=connection.settings)

        async def save(credentials: Credentials) -> None:
            raise AssertionError("Page tokens never rotate")

        client: PlatformClient
        if timeout is None:
            client = create_client(account, connection.credentials, save)
        else:
            extra = connection.credentials.extra or {}
            client = InstagramClient(
                make_http_client(account.base_url, timeout=httpx.Timeout(timeout)),
                ig_user_id=account.platform_user_id, username=account.handle,
                page_id=extra["page_id"], access_token=str(connection.credentials.access_token),
                app_secret=connection.credentials.client_secret)
        assert isinstance(client, InstagramClient)
        try:
            return await factory(client)
        finally:
            await client.aclose()

    return asyncio.run(main())


def test_connect_sandbox_finds_the_linked_instagram_account(sandbox: SandboxServer,
                                                           admin: AdminClient) -> None:
    row = admin.accounts("instagram")[0]
    connection = asyncio.run(connect_sandbox(sandbox.base_url))
    assert connection.platform is Platform.INSTAGRAM
    assert connection.handle == "acme"
    assert connection.platform_user_id == row["ig_user_id"]
    assert connection.base_url == f"{sandbox.base_url}/instagram"
    extra = connection.credentials.extra or {}
    assert extra["page_id"] == row["page_id"]
    assert connection.credentials.access_token != row["user_access_token"]


def test_capabilities_say_there_are_no_mentions() -> None:
    assert Capability.LIST_MENTIONS not in InstagramClient.capabilities
    assert StreamKind.MENTIONS not in InstagramClient.streams(None)  # type: ignore[arg-type]


def test_every_inbound_kind_arrives_then_incrementally(sandbox: SandboxServer,
                                                       admin: AdminClient) -> None:
    comment = admin.inbound("instagram", "comment", "Love it 😍 price?", CUSTOMER)
    reply = admin.inbound("instagram", "reply", "hello?", CUSTOMER, in_reply_to=comment["id"])
    mention = admin.inbound("instagram", "mention", "look at this", CUSTOMER)
    dm = admin.inbound("instagram", "dm", "Is my order shipped?", CUSTOMER)

    async def go(client: InstagramClient) -> Any:
        comments = await client.fetch(StreamKind.COMMENTS, None)
        dms = await client.fetch(StreamKind.DIRECT_MESSAGES, None)
        again = await client.fetch(StreamKind.COMMENTS, comments.next_cursor)
        later = admin.inbound("instagram", "reply", "still waiting", CUSTOMER,
                              in_reply_to=comment["id"])
        newer = await client.fetch(StreamKind.COMMENTS, again.next_cursor)
        return comments, dms, again, newer, later

    comments, dms, again, newer, later = run(go, sandbox)
    times = [i.created_at for i in comments.items]
    assert times == sorted(times)
    got = {i.platform_id: i for i in comments.items}
    assert {comment["id"], reply["id"], mention["id"]} <= set(got)
    assert got[comment["id"]].thread_key == comment["thread_id"]
    assert got[reply["id"]].in_reply_to == comment["id"]
    assert got[reply["id"]].author.handle == "ana.design"
    assert got[reply["id"]].author.followers is None
    assert got[mention["id"]].text.startswith("@acme")
    assert got[comment["id"]].context_text == "Thank you for 10k followers! 🙏"
    mine = next(i for i in dms.items if i.platform_id == dm["id"])
    assert mine.kind is ConversationKind.DIRECT_MESSAGE and mine.thread_key == dm["thread_id"]
    assert again.items == ()
    assert [i.platform_id for i in newer.items] == [later["id"]]


def test_replies_comments_and_dms_land_in_the_right_thread(sandbox: SandboxServer,
                                                           admin: AdminClient) -> None:
    comment = admin.inbound("instagram", "comment", "Do you ship to Porto?", CUSTOMER)
    dm = admin.inbound("instagram", "dm", "Hi!", CUSTOMER)

    async def go(client: InstagramClient) -> Any:
        reply = await client.reply(text="We do! 📦", in_reply_to=comment["id"],
                                   thread_key=comment["thread_id"], idempotency_key="a")
        top = await client.reply(text="Thanks everyone!", in_reply_to=comment["thread_id"],
                                 thread_key=comment["thread_id"], idempotency_key="b")
        message = await client.send_direct_message(text="Hello Ana", thread_key=dm["thread_id"],
                                                   idempotency_key="c")
        comments = await client.fetch(StreamKind.COMMENTS, None)
        brand = await client.find_brand_replies(thread_key=comment["thread_id"],
                                                since_platform_id=comment["id"])
        brand_dm = await client.find_brand_replies(thread_key=dm["thread_id"],
                                                   since_platform_id=None)
        return reply, top, message, comments, brand, brand_dm

    reply, top, message, comments, brand, brand_dm = run(go, sandbox)
    created = {r["id"]: r for r in admin.created("instagram", "acme")}
    assert created[reply.platform_id]["in_reply_to"] == comment["id"]
    assert created[reply.platform_id]["thread_id"] == comment["thread_id"]
    assert created[top.platform_id]["in_reply_to"] == comment["thread_id"]
    assert created[message.platform_id]["thread_id"] == dm["thread_id"]
    assert created[message.platform_id]["kind"] == "dm"
    ours = {i.platform_id: i for i in comments.items}
    assert ours[reply.platform_id].direction is Direction.OUTBOUND
    assert ours[reply.platform_id].in_reply_to == comment["id"]
    assert ours[top.platform_id].in_reply_to == comment["thread_id"]
    assert {i.platform_id for i in brand} == {reply.platform_id, top.platform_id}
    assert [i.platform_id for i in brand_dm] == [message.platform_id]


def test_own_media_with_like_and_comment_counts(sandbox: SandboxServer) -> None:
    page = run(lambda c: c.fetch(StreamKind.OWN_POSTS, None), sandbox)
    assert [i.metrics for i in page.items] == [
        {"likes": 480, "replies": 0}, {"likes": 120, "replies": 2}, {"likes": 40, "replies": 0}]


def test_has_more_pages_through_new_comments(sandbox: SandboxServer, admin: AdminClient,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ig_client, "PAGE_LIMIT", 4)
    injected = [admin.inbound("instagram", "comment", f"c{n}", CUSTOMER)["id"]
                for n in range(60)]  # more than one Graph page of 50 comments

    async def go(client: InstagramClient) -> list[Any]:
        pages, cursor = [], None
        while True:
            page = await client.fetch(StreamKind.COMMENTS, cursor)
            pages.append(page)
            cursor = page.next_cursor
            if not page.has_more:
                return pages

    pages = run(go, sandbox)
    ids = [i.platform_id for p in pages for i in p.items]
    assert len(ids) == len(set(ids)) == 62  # 2 seeded + 60
    assert set(injected) <= set(ids)
    assert all(len(p.items) == 4 for p in pages[:-1])


def test_throttling_and_expired_token(sandbox: SandboxServer, admin: AdminClient) -> None:
    async def go(client: InstagramClient) -> list[SyncError]:
        errors = []
        admin.set_ratelimit("instagram", limit=1, window_s=90, account="acme")
        with pytest.raises(SyncError) as caught:
            await client.fetch(StreamKind.DIRECT_MESSAGES, None)
            await client.fetch(StreamKind.DIRECT_MESSAGES, None)
        errors.append(caught.value)
        admin.clear_ratelimits()
        admin.tokens("instagram", "acme", "revoke")
        with pytest.raises(SyncError) as caught:
            await client.fetch(StreamKind.COMMENTS, None)
        errors.append(caught.value)
        return errors

    before = datetime.now(UTC)
    throttled, revoked = run(go, sandbox)
    assert throttled.kind is SyncErrorKind.RATE_LIMITED and throttled.platform_code == "80002"
    assert throttled.retry_at is not None
    assert before + timedelta(seconds=60) <= throttled.retry_at <= before + timedelta(minutes=3)
    assert revoked.kind is SyncErrorKind.AUTH and revoked.platform_code == "190/458"


def test_dm_window_uses_human_agent_after_24_hours(sandbox: SandboxServer,
                                                   admin: AdminClient) -> None:
    """Seeded: kai.r wrote 3 h ago, sofia_v 40 h ago (HUMAN_AGENT tag, 7 days)."""

    async def go(client: InstagramClient) -> Any:
        dms = await client.fetch(StreamKind.DIRECT_MESSAGES, None)
        threads = {i.author.handle: i.thread_key for i in dms.items}
        return [await client.send_direct_message(text=f"Hi {h}", thread_key=threads[h],
                                                 idempotency_key=h)
                for h in ("kai.r", "sofia_v")]

    sent = run(go, sandbox)
    assert {s.platform_id for s in sent} == {r["id"] for r in admin.created("instagram")}


def test_dm_outside_seven_days_is_refused_with_the_reason(sandbox: SandboxServer,
                                                          admin: AdminClient) -> None:
    dm = admin.inbound("instagram", "dm", "old question", {"handle": "old.timer"})
    sim = sandbox.sandbox.sims["instagram"]
    with sandbox.sandbox.world.lock:  # move the customer's message 8 days into the past
        conversation = next(c for c in sim.brands["acme"].conversations  # type: ignore[attr-defined]
                            if c.id == dm["thread_id"])
        for message in conversation.messages:
            message.created -= timedelta(days=8)

    async def go(client: InstagramClient) -> SyncError:
        with pytest.raises(SyncError) as caught:
            await client.send_direct_message(text="Sorry!", thread_key=dm["thread_id"],
                                             idempotency_key="x")
        return caught.value

    error = run(go, sandbox)
    assert error.kind is SyncErrorKind.PERMANENT and error.platform_code == "10/2018278"
    assert admin.created("instagram") == []


def test_malformed_comment_is_skipped(sandbox: SandboxServer, admin: AdminClient) -> None:
    bad = admin.inbound("instagram", "comment", "broken", CUSTOMER)
    good = admin.inbound("instagram", "comment", "fine", CUSTOMER)
    sandbox.sandbox.sims["instagram"].break_item("acme", bad["id"])  # type: ignore[attr-defined]
    page = run(lambda c: c.fetch(StreamKind.COMMENTS, None), sandbox)
    ids = {i.platform_id for i in page.items}
    assert page.skipped == 1 and bad["id"] not in ids and good["id"] in ids


def test_find_sent_after_timeout_after_commit(sandbox: SandboxServer,
                                              admin: AdminClient) -> None:
    comment = admin.inbound("instagram", "comment", "Refund?", CUSTOMER)
    dm = admin.inbound("instagram", "dm", "Refund??", CUSTOMER)

    async def go(client: InstagramClient) -> Any:
        admin.set_faults({"rules": [{"match": {"platform": "instagram", "method": "POST"},
                                     "fault": "timeout_after_commit"}]})
        kinds = []
        for call in (client.reply(text="Done ✅", in_reply_to=comment["id"],
                                  thread_key=comment["thread_id"], idempotency_key="a"),
                     client.send_direct_message(text="Done by DM ✅", thread_key=dm["thread_id"],
                                                idempotency_key="b")):
            with pytest.raises(SyncError) as caught:
                await call
            kinds.append(caught.value.kind)
        admin.clear_faults()
        found = await client.find_sent(idempotency_key="a", thread_key=comment["thread_id"],
                                       in_reply_to=comment["id"], text="Done ✅")
        found_dm = await client.find_sent(idempotency_key="b", thread_key=dm["thread_id"],
                                          in_reply_to=None, text="Done by DM ✅")
        missing = await client.find_sent(idempotency_key="c", thread_key=dm["thread_id"],
                                         in_reply_to=None, text="never sent")
        return kinds, found, found_dm, missing

    kinds, found, found_dm, missing = run(go, sandbox, timeout=1.5)
    assert kinds == [SyncErrorKind.UNCERTAIN, SyncErrorKind.UNCERTAIN]
    by_text = {r["text"]: r["id"] for r in admin.created("instagram")}
    assert len(by_text) == 2
    assert found is not None and found.platform_id == by_text["Done ✅"]
    assert found_dm is not None and found_dm.platform_id == by_text["Done by DM ✅"]
    assert missing is None


def test_lookup_profiles_gives_usernames(sandbox: SandboxServer, admin: AdminClient) -> None:
    admin.inbound("instagram", "dm", "hey", CUSTOMER)

    async def go(client: InstagramClient) -> Any:
        dms = await client.fetch(StreamKind.DIRECT_MESSAGES, None)
        author = next(i.author for i in dms.items if i.author.handle == "ana.design")
        return author, await client.lookup_profiles([author.platform_user_id])

    author, profiles = run(go, sandbox)
    assert [(p.platform_user_id, p.handle, p.followers) for p in profiles] == [
        (author.platform_user_id, "ana.design", None)]


def test_unchanged_older_media_are_not_re_read(sandbox: SandboxServer, admin: AdminClient) -> None:
    """Seeded: one media 3 days old with 2 comments, two without comments."""
    counter = {"rules": [{"match": {"platform": "instagram", "method": "GET",
                                    "path": r"/\d+/comments$"},
                          "fault": "latency", "latency_ms": 0}]}

    async def go(client: InstagramClient) -> Any:
        first = await client.fetch(StreamKind.COMMENTS, None)
        admin.set_faults(counter)  # counts the comment reads from here on
        quiet = await client.fetch(StreamKind.COMMENTS, first.next_cursor)
        reads_when_quiet = admin.faults()["applied"].get("latency", 0)
        media_id = first.items[0].thread_key
        new = admin.inbound("instagram", "comment", "still available?", CUSTOMER,
                            in_reply_to=media_id)
        busy = await client.fetch(StreamKind.COMMENTS, quiet.next_cursor)
        reads_when_busy = admin.faults()["applied"].get("latency", 0)
        return first, quiet, reads_when_quiet, busy, reads_when_busy, new

    first, quiet, reads_when_quiet, busy, reads_when_busy, new = run(go, sandbox)
    assert len(first.items) == 2
    assert quiet.items == () and reads_when_quiet == 0
    assert [i.platform_id for i in busy.items] == [new["id"]] and reads_when_busy == 1
