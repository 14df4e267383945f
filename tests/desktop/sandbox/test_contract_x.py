"""Every X response the connector relies on, as the sandbox serves it, checked against the
X API v2 OpenAPI document in ../shared/specs (loaded leniently: duplicate enum values), so
the sim cannot drift into a private dialect. Error bodies are RFC 7807 problem+json; where
the spec names the problem type (invalid-request, resource-not-found) it is validated too.

Spec quirk: this document (from X's SDK generator) renames `referenced_tweets` to
`referenced_posts` and requires `post_count` in user metrics; the live API sends
`referenced_tweets` and `tweet_count`. The sim sends the live names (and `post_count` too);
the reference items are validated against the spec's `PostReferencedPosts` schema.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from desktop.sandbox.admin_client import AdminClient
from desktop.sandbox.server import SandboxServer
from tests.desktop.sandbox.spec_helpers import OpenAPIContract

SPEC = "x-api-v2/openapi.json"
TWEET_PARAMS = {
    "tweet.fields": "created_at,author_id,conversation_id,in_reply_to_user_id,public_metrics,"
                    "referenced_tweets",
    "expansions": "author_id,referenced_tweets.id",
    "user.fields": "name,username,verified,public_metrics,profile_image_url"}
DM_PARAMS = {"dm_event.fields": "id,text,event_type,created_at,dm_conversation_id,sender_id",
             "expansions": "sender_id", "user.fields": "name,username,public_metrics",
             "event_types": "MessageCreate"}


@pytest.fixture(scope="module")
def contract() -> OpenAPIContract:
    return OpenAPIContract(SPEC)


def sign_in(base_url: str, client_id: str) -> dict[str, Any]:
    """The PKCE dance by hand, so the token answer itself can be checked."""
    verifier = secrets.token_urlsafe(40)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()
                                         ).rstrip(b"=").decode()
    redirect = "http://127.0.0.1:9/callback"
    consent = httpx.get(f"{base_url}/i/oauth2/authorize", params={
        "response_type": "code", "client_id": client_id, "redirect_uri": redirect,
        "scope": "tweet.read users.read offline.access", "state": "s1",
        "code_challenge": challenge, "code_challenge_method": "S256"})
    assert consent.status_code == 302
    query = parse_qs(urlsplit(consent.headers["location"]).query)
    assert query["state"] == ["s1"]
    token = httpx.post(f"{base_url}/2/oauth2/token", data={
        "grant_type": "authorization_code", "code": query["code"][0], "client_id": client_id,
        "redirect_uri": redirect, "code_verifier": verifier})
    assert token.status_code == 200
    body: dict[str, Any] = token.json()
    return body


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[httpx.Client, AdminClient, dict[str, Any]]]:
    with SandboxServer(seed=4) as server:
        admin = AdminClient(server.base_url)
        brand = admin.accounts("x")[0]
        token = sign_in(brand["base_url"], brand["client_id"])
        http = httpx.Client(base_url=brand["base_url"], timeout=10,
                            headers={"Authorization": f"Bearer {token['access_token']}"})
        customer = {"handle": "kim", "display_name": "Kim 🌸", "followers": 88}
        mention = admin.inbound("x", "mention", "hi https://a.example/x", customer)
        reply = admin.inbound("x", "reply", "nice post", customer)
        dm = admin.inbound("x", "dm", "psst", customer)
        try:
            yield http, admin, {"token": token, "brand": brand, "mention": mention,
                                "reply": reply, "dm": dm}
        finally:
            http.close()
            admin.close()


def check(contract: OpenAPIContract, response: httpx.Response, path: str, method: str,
          status: int = 200) -> Any:
    assert response.status_code == status, response.text
    body = response.json()
    contract.validate_response(path, method, status, body)
    for name in ("x-rate-limit-limit", "x-rate-limit-remaining", "x-rate-limit-reset"):
        assert response.headers[name].isdigit()
    for tweet in [*(body.get("data") or [] if isinstance(body.get("data"), list) else []),
                  *((body.get("includes") or {}).get("tweets") or [])]:
        if "referenced_tweets" in tweet:
            contract._validate({"$ref": "#/components/schemas/PostReferencedPosts"},
                               tweet["referenced_tweets"], "referenced_tweets")
    return body


def check_problem(contract: OpenAPIContract, response: httpx.Response, status: int,
                  component: str | None = None) -> dict[str, Any]:
    assert response.status_code == status
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert isinstance(body["title"], str) and isinstance(body["detail"], str)
    assert isinstance(body["type"], str) and body.get("status", status) == status
    if component:
        contract.validate_component(component, body)
    return body


def test_oauth_token_answer(served: Any) -> None:
    _, _, ctx = served
    token = ctx["token"]
    assert token["token_type"] == "bearer" and token["expires_in"] == 7200
    assert {"access_token", "refresh_token", "scope"} <= set(token)
    assert "offline.access" in token["scope"].split()


def test_users(contract: OpenAPIContract, served: Any) -> None:
    http, _, ctx = served
    check(contract, http.get("/2/users/me", params={"user.fields": "public_metrics"}),
          "/2/users/me", "get")
    body = check(contract, http.get("/2/users", params={
        "ids": f"{ctx['mention']['account_id']},1", "user.fields": "public_metrics,verified"}),
        "/2/users", "get")
    assert body["data"][0]["public_metrics"]["followers_count"] == 88
    assert body["errors"][0]["resource_id"] == "1"


def test_mentions_pages_and_includes(contract: OpenAPIContract, served: Any) -> None:
    http, _, ctx = served
    me = ctx["brand"]["id"]
    path = "/2/users/{id}/mentions"
    first = check(contract, http.get(f"/2/users/{me}/mentions",
                                     params={**TWEET_PARAMS, "max_results": 5}), path, "get")
    assert first["includes"]["users"] and first["meta"]["result_count"] >= 2
    newest = first["meta"]["newest_id"]
    empty = check(contract, http.get(f"/2/users/{me}/mentions",
                                     params={**TWEET_PARAMS, "since_id": newest}), path, "get")
    assert empty["meta"]["result_count"] == 0 and "data" not in empty
    check_problem(contract, http.get(f"/2/users/{me}/mentions", params={"max_results": 1}),
                  400, "InvalidRequestProblem")


def test_timeline_and_search(contract: OpenAPIContract, served: Any) -> None:
    http, _, ctx = served
    me = ctx["brand"]["id"]
    check(contract, http.get(f"/2/users/{me}/tweets", params={
        "max_results": 20, "exclude": "retweets", "tweet.fields": TWEET_PARAMS["tweet.fields"]}),
        "/2/users/{id}/tweets", "get")
    found = check(contract, http.get("/2/tweets/search/recent", params={
        **TWEET_PARAMS, "query": f"conversation_id:{ctx['reply']['thread_id']}"}),
        "/2/tweets/search/recent", "get")
    assert {t["conversation_id"] for t in found["data"]} == {ctx["reply"]["thread_id"]}


def test_create_tweet_and_duplicate(contract: OpenAPIContract, served: Any) -> None:
    http, _, ctx = served
    body = {"text": "thanks!", "reply": {"in_reply_to_tweet_id": ctx["reply"]["id"]}}
    check(contract, http.post("/2/tweets", json=body), "/2/tweets", "post", 201)
    duplicate = check_problem(contract, http.post("/2/tweets", json=body), 403)
    assert "duplicate content" in duplicate["detail"]


def test_dm_events_and_sending(contract: OpenAPIContract, served: Any) -> None:
    http, _, ctx = served
    events = check(contract, http.get("/2/dm_events", params={**DM_PARAMS, "max_results": 5}),
                   "/2/dm_events", "get")
    assert events["includes"]["users"]
    conversation = ctx["dm"]["thread_id"]
    check(contract, http.get(f"/2/dm_conversations/{conversation}/dm_events", params=DM_PARAMS),
          "/2/dm_conversations/{id}/dm_events", "get")
    check(contract, http.post(f"/2/dm_conversations/{conversation}/messages",
                              json={"text": "hello"}),
          "/2/dm_conversations/{dm_conversation_id}/messages", "post", 201)
    check(contract, http.post(f"/2/dm_conversations/with/{ctx['dm']['account_id']}/messages",
                              json={"text": "hello again"}),
          "/2/dm_conversations/with/{participant_id}/messages", "post", 201)
    check_problem(contract, http.post("/2/dm_conversations/nope/messages",
                                      json={"text": "x"}), 404)


def test_unauthorized_is_problem_json(contract: OpenAPIContract, served: Any) -> None:
    http, _, _ = served
    check_problem(contract, httpx.get(f"{str(http.base_url).rstrip('/')}/2/users/me"), 401)


def test_contract_rejects_a_drifted_shape(contract: OpenAPIContract) -> None:
    with pytest.raises(AssertionError):
        contract.validate_response("/2/users/{id}/mentions", "get", 200,
                                   {"data": [{"id": 5, "text": "x"}]})
