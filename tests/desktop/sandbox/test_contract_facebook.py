"""Contract: what the Facebook sim serves to the connector matches Meta's Graph node specs.

The real connector runs against the sim in process (ASGI transport, recorded); every answer
it received is then checked: nodes against ../shared/specs/meta-graph-codegen (every field
must be a known field of that node, with a compatible type), envelopes, paging and errors
against the shapes documented in ../shared/specs/README.md.
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
from desktop.platforms.facebook import connect, create_client
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

V = r"^/facebook/v[\d.]+"
# (method, path pattern) -> how to check the answer: ("node"|"edge"|"map", node type)
ROUTES: list[tuple[str, re.Pattern[str], str, str]] = [
    ("POST", re.compile(V + r"/oauth/access_token$"), "node", "AccessToken"),
    ("GET", re.compile(V + r"/me/accounts$"), "edge", "Page"),
    ("GET", re.compile(V + r"/$"), "map", "User"),
    ("GET", re.compile(V + r"/\d+/published_posts$"), "edge", "PagePost"),
    ("GET", re.compile(V + r"/\d+/conversations$"), "edge", "UnifiedThread"),
    ("GET", re.compile(V + r"/t_\d+/messages$"), "edge", "UnifiedMessage"),
    ("GET", re.compile(V + r"/\d+_\d+/comments$"), "edge", "Comment"),
    ("GET", re.compile(V + r"/\d+$"), "node", "Page"),
    ("POST", re.compile(V + r"/\d+_\d+/comments$"), "node", "Comment"),
    ("POST", re.compile(V + r"/\d+/messages$"), "node", "SendResult"),
]


def exercise() -> tuple[RecordingTransport, list[SyncError]]:
    """Every call the connector makes, including a token error and a throttled answer."""
    app = SandboxApp(seed=3)
    sim: Any = app.sandbox.sims["facebook"]
    row = sim.brand_accounts()[0]
    recorder = RecordingTransport(httpx.ASGITransport(app=app))
    base = "http://sandbox.invalid/facebook"
    dana = CustomerSpec("dana", "Dana Scully", 10)
    comment = sim.inject("acme", "comment", "Is it in stock?", dana, None)
    sim.inject("acme", "reply", "Hello?", dana, comment["id"])
    dm = sim.inject("acme", "dm", "Where is my order?", dana, None)
    errors: list[SyncError] = []

    async def main() -> None:
        connection = await connect(base, app_id=row["app_id"], app_secret=row["app_secret"],
                                   user_token=row["user_access_token"], page=row["page_id"],
                                   transport=recorder)
        account = Account(1, 1, Platform.FACEBOOK, connection.handle, connection.display_name,
                          base, connection.platform_user_id)

        async def save(credentials: Credentials) -> None:
            return None

        client = create_client(account, connection.credentials, save, transport=recorder)
        try:
            pages = {stream: await client.fetch(stream, None) for stream in client.streams()}
            assert all(page.items for page in pages.values())
            sent = await client.reply(text="Yes!", in_reply_to=comment["id"],
                                      thread_key=comment["thread_id"], idempotency_key="k")
            await client.send_direct_message(text="On its way", thread_key=dm["thread_id"],
                                             idempotency_key="k2")
            await client.find_sent(idempotency_key="k", thread_key=comment["thread_id"],
                                   in_reply_to=comment["id"], text="Yes!")
            await client.find_brand_replies(thread_key=dm["thread_id"], since_platform_id=None)
            customers = [i.author.platform_user_id for i in pages[StreamKind.COMMENTS].items
                         if i.author.platform_user_id != connection.platform_user_id]
            assert await client.lookup_profiles(customers[:3])
            assert sent.platform_id
            await client.lookup_profiles([comment["id"].split("_")[0] + "999"])  # refused
            app.sandbox.world.limits.configure("facebook", 1, 60, account="acme")
            for _ in range(2):
                try:
                    await client.fetch(StreamKind.DIRECT_MESSAGES, None)
                except SyncError as exc:
                    errors.append(exc)
            app.sandbox.world.limits.reset()
            app.sandbox.world.tokens.expire("facebook", "acme")
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
            covered.add(f"error {status}")
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
    assert covered >= {r[1].pattern for r in ROUTES}, "every route was exercised"
    assert {"error 400"} <= covered
    assert errors[0].kind.value == "rate_limited" and errors[-1].kind.value == "auth"


def test_the_checker_catches_unknown_fields_and_wrong_types() -> None:
    spec = GraphSpec()
    assert spec.check_node({"id": "1", "mesage": "typo"}, "Comment") == [
        "$.mesage: not a field or edge of Comment"]
    assert spec.check_node({"id": "1", "created_time": "2026-01-01 10:00"}, "Comment")
    assert spec.check_node({"id": "1", "like_count": -1}, "Comment")
    assert spec.check_node({"id": "1", "parent": {"id": 5}}, "Comment")  # nested node type
    assert spec.check_edge({"data": [], "paging": {"cursors": {"after": "x"}}}, "Comment")
    assert check_error({"error": {"message": "m", "type": "t", "code": "190",
                                  "fbtrace_id": "x"}})


Call = tuple[str, str, dict[str, Any], str | None]  # method, path, params, token (None: Page)


def graph_calls(build: Any) -> tuple[Any, list[httpx.Response]]:
    """Raw Graph calls against a fresh sim: `build(sim)` lists them; returns the answers."""
    app = SandboxApp(seed=5)
    sim: Any = app.sandbox.sims["facebook"]
    calls: list[Call] = build(sim)

    async def main() -> list[httpx.Response]:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                     base_url="http://sandbox.invalid/facebook/v21.0") as http:
            answers = []
            for method, path, params, token in calls:
                headers = {"Authorization": f"Bearer {token or sim.brands['acme'].page_token}"}
                if method == "GET":
                    answers.append(await http.get(path, params=params, headers=headers))
                else:
                    answers.append(await http.post(path, data=params, headers=headers))
            return answers

    return sim, asyncio.run(main())


def test_sim_paging_drops_next_on_the_last_page_and_after_continues() -> None:
    def build(sim: Any) -> list[Call]:
        path = f"/{sim.brands['acme'].page_id}/published_posts"
        return [("GET", path, {"limit": 2}, None)]

    _, (first,) = graph_calls(build)
    body = first.json()
    assert len(body["data"]) == 2 and body["paging"]["next"].startswith("http")

    def build_next(sim: Any) -> list[Call]:
        path = f"/{sim.brands['acme'].page_id}/published_posts"
        return [("GET", path, {"limit": 2, "after": body["paging"]["cursors"]["after"]}, None)]

    _, (second,) = graph_calls(build_next)
    rest = second.json()
    assert len(rest["data"]) == 1 and "next" not in rest["paging"]
    assert rest["data"][0]["id"] not in {p["id"] for p in body["data"]}


def test_sim_refuses_a_bad_proof_a_user_token_and_unknown_fields() -> None:
    def build(sim: Any) -> list[Call]:
        brand = sim.brands["acme"]
        return [("GET", f"/{brand.page_id}", {"appsecret_proof": "0" * 64}, None),
                ("GET", f"/{brand.page_id}", {"fields": "id,nonsense"}, None),
                ("GET", f"/{brand.page_id}/conversations", {}, brand.user_token),
                ("GET", f"/{brand.page_id}", {"fields": "id,name"}, brand.user_token + "x")]

    _, (proof, field, user, invalid) = graph_calls(build)
    assert proof.status_code == 400 and proof.json()["error"]["code"] == 100
    assert "appsecret_proof" in proof.json()["error"]["message"]
    assert "nonexisting field (nonsense)" in field.json()["error"]["message"]
    assert user.json()["error"]["code"] == 190
    assert "Page Access Token" in user.json()["error"]["message"]
    assert invalid.json()["error"]["code"] == 190
    assert "Cannot parse" in invalid.json()["error"]["message"]


def test_sim_nests_a_reply_to_a_reply_under_the_top_level_comment() -> None:
    sim, _ = graph_calls(lambda sim: [])
    dana = CustomerSpec("dana")
    top = sim.inject("acme", "comment", "top", dana, None)
    reply = sim.inject("acme", "reply", "reply", dana, top["id"])
    nested = sim.inject("acme", "reply", "reply to the reply", dana, reply["id"])
    assert nested["in_reply_to"] == top["id"]
