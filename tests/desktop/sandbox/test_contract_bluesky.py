"""Every Bluesky response the connector relies on, as the sandbox serves it, checked against
the AT Protocol lexicons in ../shared/specs (output schemas and record types: required
fields, types, formats we can check cheaply, unions by `$type`), so the sim cannot drift."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

import httpx
import pytest
import regex

from desktop.sandbox.admin_client import AdminClient
from desktop.sandbox.server import SandboxServer
from tests.desktop.sandbox.spec_helpers import SPECS_DIR

LEXICONS = SPECS_DIR / "atproto-lexicons" / "lexicons"
CHAT = {"atproto-proxy": "did:web:api.bsky.chat#bsky_chat"}


@cache
def lexicon(nsid: str) -> dict[str, Any]:
    path = LEXICONS / Path(*nsid.split(".")).with_suffix(".json")
    if not path.is_file():
        pytest.skip(f"AT lexicons not found at {path} (they live in ../shared/specs)")
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def resolve(ref: str, context: str) -> tuple[dict[str, Any], str]:
    nsid, _, name = ref.partition("#")
    nsid = nsid or context
    definition: dict[str, Any] = lexicon(nsid)["defs"][name or "main"]
    return definition, nsid


class LexiconError(AssertionError):
    pass


def check(schema: dict[str, Any], value: Any, nsid: str, where: str = "") -> None:
    """`value` against a lexicon schema node (subset: what the served shapes use)."""
    kind = schema.get("type")
    if kind == "ref":
        target, target_nsid = resolve(schema["ref"], nsid)
        check(target, value, target_nsid, where)
    elif kind == "union":
        if not isinstance(value, dict) or not isinstance(value.get("$type"), str):
            raise LexiconError(f"{where}: union member without $type")
        full = {(f"{nsid}{r}" if r.startswith("#") else r) for r in schema["refs"]}
        wanted = value["$type"]
        if wanted not in full and f"{wanted}#main" not in full:
            if schema.get("closed"):
                raise LexiconError(f"{where}: $type {wanted} not in closed union")
            return
        target, target_nsid = resolve(wanted, nsid)
        check(target.get("record", target), value, target_nsid, where)
    elif kind in ("object", "params") or (kind is None and "properties" in schema):
        if not isinstance(value, dict):
            raise LexiconError(f"{where}: expected an object, got {type(value).__name__}")
        nullable = set(schema.get("nullable", []))
        for name in schema.get("required", []):
            if name not in value:
                raise LexiconError(f"{where}: required field {name!r} missing")
        for name, prop in schema.get("properties", {}).items():
            if name in value and not (value[name] is None and name in nullable):
                check(prop, value[name], nsid, f"{where}/{name}")
    elif kind == "record":
        check(schema["record"], value, nsid, where)
    elif kind == "array":
        if not isinstance(value, list):
            raise LexiconError(f"{where}: expected an array")
        for index, item in enumerate(value):
            check(schema["items"], item, nsid, f"{where}/{index}")
    elif kind == "string":
        _check_string(schema, value, where)
    elif kind == "integer":
        if not isinstance(value, int) or isinstance(value, bool):
            raise LexiconError(f"{where}: expected an integer")
        if "minimum" in schema and value < schema["minimum"]:
            raise LexiconError(f"{where}: below minimum")
    elif kind == "boolean":
        if not isinstance(value, bool):
            raise LexiconError(f"{where}: expected a boolean")
    elif kind == "unknown" and not isinstance(value, dict):
        raise LexiconError(f"{where}: unknown must be an object")


def _check_string(schema: dict[str, Any], value: Any, where: str) -> None:
    if not isinstance(value, str):
        raise LexiconError(f"{where}: expected a string, got {type(value).__name__}")
    fmt = schema.get("format")
    if fmt == "datetime":
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    elif fmt == "did" and not value.startswith("did:"):
        raise LexiconError(f"{where}: not a DID")
    elif fmt == "at-uri" and not value.startswith("at://"):
        raise LexiconError(f"{where}: not an at-uri")
    elif fmt == "handle" and "." not in value:
        raise LexiconError(f"{where}: not a handle")
    if "maxGraphemes" in schema and len(regex.findall(r"\X", value)) > schema["maxGraphemes"]:
        raise LexiconError(f"{where}: too many graphemes")
    if "maxLength" in schema and len(value.encode()) > schema["maxLength"]:
        raise LexiconError(f"{where}: longer than maxLength bytes")


def check_output(nsid: str, body: Any) -> None:
    main = lexicon(nsid)["defs"]["main"]
    check(main["output"]["schema"], body, nsid, nsid)


def check_post_record(record: Any) -> None:
    check(lexicon("app.bsky.feed.post")["defs"]["main"], record, "app.bsky.feed.post",
          "app.bsky.feed.post")


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[httpx.Client, AdminClient, dict[str, Any]]]:
    with SandboxServer(seed=5) as server:
        admin = AdminClient(server.base_url)
        brand = admin.accounts("bluesky")[0]
        http = httpx.Client(base_url=f"{brand['base_url']}/xrpc", timeout=10)
        session = http.post("/com.atproto.server.createSession", json={
            "identifier": brand["handle"], "password": brand["app_password"]})
        http.headers["Authorization"] = f"Bearer {session.json()['accessJwt']}"
        customer = {"handle": "kim.bsky.social", "display_name": "Kim 🌸", "followers": 88}
        mention = admin.inbound("bluesky", "mention", "hi https://a.example/x", customer)
        reply = admin.inbound("bluesky", "reply", "nice post", customer)
        admin.inbound("bluesky", "mention", "quoting", customer, in_reply_to=reply["id"])
        dm = admin.inbound("bluesky", "dm", "psst", customer)
        try:
            yield http, admin, {"session": session, "brand": brand, "mention": mention,
                                "reply": reply, "dm": dm}
        finally:
            http.close()
            admin.close()


def test_sessions(served: Any) -> None:
    http, _, ctx = served
    assert ctx["session"].status_code == 200
    check_output("com.atproto.server.createSession", ctx["session"].json())
    refreshed = http.post("/com.atproto.server.refreshSession", headers={
        "Authorization": f"Bearer {ctx['session'].json()['refreshJwt']}"})
    assert refreshed.status_code == 200
    check_output("com.atproto.server.refreshSession", refreshed.json())
    wrong = http.post("/com.atproto.server.createSession",
                      json={"identifier": ctx["brand"]["handle"], "password": "nope"})
    assert wrong.status_code == 401 and set(wrong.json()) == {"error", "message"}


def test_notifications_and_rate_headers(served: Any) -> None:
    http, _, _ = served
    response = http.get("/app.bsky.notification.listNotifications",
                        params={"limit": 2, "reasons": ["mention", "reply", "quote"]})
    body = response.json()
    check_output("app.bsky.notification.listNotifications", body)
    assert {n["reason"] for n in body["notifications"]} <= {"mention", "reply", "quote"}
    assert "cursor" in body
    for notification in body["notifications"]:
        check_post_record(notification["record"])
    for name in ("RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset"):
        assert response.headers[name].isdigit()
    assert ";w=" in response.headers["RateLimit-Policy"]
    older = http.get("/app.bsky.notification.listNotifications",
                     params={"limit": 2, "cursor": body["cursor"]}).json()
    check_output("app.bsky.notification.listNotifications", older)
    assert not {n["uri"] for n in older["notifications"]} & {
        n["uri"] for n in body["notifications"]}


def test_profiles_thread_and_records(served: Any) -> None:
    http, _, ctx = served
    profiles = http.get("/app.bsky.actor.getProfiles",
                        params={"actors": ["kim.bsky.social", ctx["brand"]["did"]]}).json()
    check_output("app.bsky.actor.getProfiles", profiles)
    brand = http.get("/app.bsky.actor.getProfile", params={"actor": ctx["brand"]["did"]})
    check_output("app.bsky.actor.getProfile", brand.json())
    assert next(p["followersCount"] for p in profiles["profiles"]) == 88
    thread = http.get("/app.bsky.feed.getPostThread",
                      params={"uri": ctx["reply"]["thread_id"], "depth": 10}).json()
    check_output("app.bsky.feed.getPostThread", thread)
    posts = http.get("/app.bsky.feed.getPosts", params={"uris": [ctx["reply"]["id"]]}).json()
    check_output("app.bsky.feed.getPosts", posts)
    assert [p["uri"] for p in posts["posts"]] == [ctx["reply"]["id"]]
    created = http.post("/com.atproto.repo.createRecord", json={
        "repo": ctx["brand"]["did"], "collection": "app.bsky.feed.post",
        "rkey": "3kabcdefghij2",
        "record": {"$type": "app.bsky.feed.post", "text": "thanks!",
                   "createdAt": "2026-01-01T00:00:00.000Z",
                   "reply": {"root": {"uri": ctx["reply"]["thread_id"], "cid": "x"},
                             "parent": {"uri": ctx["reply"]["id"], "cid": "y"}}}})
    assert created.status_code == 200
    check_output("com.atproto.repo.createRecord", created.json())
    record = http.get("/com.atproto.repo.getRecord", params={
        "repo": ctx["brand"]["did"], "collection": "app.bsky.feed.post",
        "rkey": "3kabcdefghij2"}).json()
    check_output("com.atproto.repo.getRecord", record)
    check_post_record(record["value"])
    missing = http.get("/com.atproto.repo.getRecord", params={
        "repo": ctx["brand"]["did"], "collection": "app.bsky.feed.post",
        "rkey": "3kabcdefghij3"})
    errors = {e["name"] for e in lexicon("com.atproto.repo.getRecord")["defs"]["main"]["errors"]}
    assert missing.status_code == 400 and missing.json()["error"] in errors


def test_chat(served: Any) -> None:
    http, _, ctx = served
    convos = http.get("/chat.bsky.convo.listConvos", headers=CHAT).json()
    check_output("chat.bsky.convo.listConvos", convos)
    messages = http.get("/chat.bsky.convo.getMessages",
                        params={"convoId": ctx["dm"]["thread_id"]}, headers=CHAT).json()
    check_output("chat.bsky.convo.getMessages", messages)
    sent = http.post("/chat.bsky.convo.sendMessage", headers=CHAT, json={
        "convoId": ctx["dm"]["thread_id"], "message": {"text": "hello"}}).json()
    check_output("chat.bsky.convo.sendMessage", sent)
    bad = http.get("/chat.bsky.convo.getMessages", params={"convoId": "nope"}, headers=CHAT)
    errors = {e["name"] for e in lexicon("chat.bsky.convo.getMessages")["defs"]["main"]["errors"]}
    assert bad.status_code == 400 and bad.json()["error"] in errors


def test_checker_rejects_a_drifted_shape() -> None:
    """The checker itself must fail on a shape the lexicon does not allow."""
    good = {"notifications": []}
    check_output("app.bsky.notification.listNotifications", good)
    with pytest.raises(LexiconError):
        check_output("app.bsky.notification.listNotifications",
                     {"notifications": [{"uri": "at://x/y/z", "reason": "mention"}]})
    with pytest.raises(LexiconError):
        check_output("com.atproto.server.createSession",
                     {"accessJwt": "a", "refreshJwt": "b", "handle": "h.x", "did": 7})
