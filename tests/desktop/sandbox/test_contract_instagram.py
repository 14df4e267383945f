"""Contract: what the Instagram sim serves to the connector matches Meta's Graph node specs.

Same method as test_contract_facebook: the real connector runs against the sim in process,
every answer is recorded and checked against ../shared/specs/meta-graph-codegen (IGUser,
IGMedia, IGComment, IGCommentFromUser, Page, UnifiedThread) and the documented envelopes.
"""

from __future__ import annotations

import asyncio
import re
from typing import Any

import httpx
import pytest

from desktop.domain.enums import Platform, StreamKind
from desktop.domain.errors import SyncError
from desktop.domain.models import Account
from desktop.platforms.base import Credentials
from desktop.platforms.instagram import connect, create_client
from desktop.sandbox.app import SandboxApp
from desktop.sandbox.world import CustomerSpec
from tests.desktop.platforms.facebook.graph_spec import (
    SPECS,
    GraphSpec,
    RecordingTransport,
    check_error,
)

pytestmark = pytest.mark.skipif(not SPECS.is_dir(),
                                reason=f"Meta Graph codegen specs not found at {SPECS}")

V = r"^/instagram/v[\d.]+"
CONVERSATION = r"aWdf[\w-]+"
ROUTES: list[tuple[str, re.Pattern[str], str, str]] = [
    ("POST", re.compile(V + r"/oauth/access_token$"), "node", "AccessToken"),
    ("GET", re.compile(V + r"/me/accounts$"), "edge", "Page"),
    ("GET", re.compile(V + r"/$"), "map", "IGUser"),
    ("GET", re.compile(V + r"/\d+/media$"), "edge", "IGMedia"),
    ("GET", re.compile(V + r"/\d+/comments$"), "edge", "IGComment"),
    ("GET", re.compile(V + r"/\d+/conversations$"), "edge", "UnifiedThread"),
    ("GET", re.compile(V + rf"/{CONVERSATION}/messages$"), "edge", "UnifiedMessage"),
    ("GET", re.compile(V + r"/\d+$"), "node", "IGUser"),
    ("POST", re.compile(V + r"/\d+/replies$"), "node", "IGComment"),
    ("POST", re.compile(V + r"/\d+/comments$"), "node", "IGComment"),
    ("POST", re.compile(V + r"/\d+/messages$"), "node", "SendResult"),
]


def exercise() -> tuple[RecordingTransport, list[SyncError]]:
    app = SandboxApp(seed=4)
    sim: Any = app.sandbox.sims["instagram"]
    row = sim.brand_accounts()[0]
    recorder = RecordingTransport(httpx.ASGITransport(app=app))
    base = "http://sandbox.invalid/instagram"
    ana = CustomerSpec("ana.design")
    comment = sim.inject("acme", "comment", "Price?", ana, None)
    sim.inject("acme", "reply", "Hello?", ana, comment["id"])
    dm = sim.inject("acme", "dm", "Hi there", ana, None)
    errors: list[SyncError] = []

    async def main() -> None:
        connection = await connect(base, app_id=row["app_id"], app_secret=row["app_secret"],
                                   user_token=row["user_access_token"], transport=recorder)
        account = Account(2, 1, Platform.INSTAGRAM, connection.handle, connection.display_name,
                          base, connection.platform_user_id, settings=connection.settings)

        async def save(credentials: Credentials) -> None:
            return None

        client = create_client(account, connection.credentials, save, transport=recorder)
        try:
            pages = {stream: await client.fetch(stream, None) for stream in client.streams()}
            assert all(page.items for page in pages.values())
            await client.reply(text="29 €", in_reply_to=comment["id"],
                               thread_key=comment["thread_id"], idempotency_key="a")
            await client.reply(text="Thanks all", in_reply_to=comment["thread_id"],
                               thread_key=comment["thread_id"], idempotency_key="b")
            await client.send_direct_message(text="Hello!", thread_key=dm["thread_id"],
                                             idempotency_key="c")
            await client.find_sent(idempotency_key="a", thread_key=comment["thread_id"],
                                   in_reply_to=comment["id"], text="29 €")
            await client.find_brand_replies(thread_key=dm["thread_id"], since_platform_id=None)
            senders = [i.author.platform_user_id for i in pages[StreamKind.DIRECT_MESSAGES].items]
            assert await client.lookup_profiles(senders)
            app.sandbox.world.limits.configure("instagram", 0, 60, account="acme")
            try:
                await client.fetch(StreamKind.OWN_POSTS, None)
            except SyncError as exc:
                errors.append(exc)
            app.sandbox.world.limits.reset()
            app.sandbox.world.tokens.revoke("instagram", "acme")
            try:
                await client.fetch(StreamKind.COMMENTS, None)
            except SyncError as exc:
                errors.append(exc)
        finally:
            await client.aclose()

    asyncio.run(main())
    return recorder, errors


def test_every_answer_the_connector_reads_matches_the_specs() -> None:
    recorder, errors = exercise()
    spec = GraphSpec()
    problems: list[str] = []
    covered: set[str] = set()
    for method, path, status, body in recorder.answers():
        where = f"{method} {path}"
        if status >= 400:
            problems += [f"{where}: {p}" for p in check_error(body)]
            covered.add("error")
            continue
        route = next((r for r in ROUTES if r[0] == method and r[1].search(path)), None)
        if route is None:
            problems.append(f"{where}: no contract for this route")
            continue
        _, pattern, shape, node = route
        covered.add(pattern.pattern)
        if shape == "edge":
            problems += spec.check_edge(body, node, where)
        elif shape == "map":
            for key, value in body.items():
                problems += spec.check_node(value, node, f"{where}[{key}]")
        else:
            problems += spec.check_node(body, node, where)
    assert problems == []
    assert covered >= {r[1].pattern for r in ROUTES} | {"error"}
    assert [e.kind.value for e in errors] == ["rate_limited", "auth"]


def test_nested_replies_and_the_commenter_are_checked_as_their_nodes() -> None:
    spec = GraphSpec()
    comment = {"id": "1", "text": "hi", "from": {"id": "2", "username": "ana", "followers": 3},
               "replies": {"data": [{"id": "3", "txt": "typo"}]}}
    assert spec.check_node(comment, "IGComment") == [
        "$.from.followers: not a field or edge of IGCommentFromUser",
        "$.replies.data[0].txt: not a field or edge of IGComment",
    ]
