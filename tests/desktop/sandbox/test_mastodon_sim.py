"""Mastodon sim behaviours the connector tests do not reach: key expiry, PKCE, visibility."""

from __future__ import annotations

import base64
import hashlib
from urllib.parse import parse_qs, urlsplit

import httpx

from desktop.sandbox.admin_client import AdminClient
from desktop.sandbox.server import SandboxServer
from desktop.sandbox.sims.mastodon import IDEMPOTENCY_TTL_S, MastodonSim

CUSTOMER = {"handle": "ivy", "followers": 1}


def test_idempotency_key_is_kept_one_hour(server: SandboxServer, admin: AdminClient,
                                          token: str) -> None:
    mention = admin.inbound("mastodon", "mention", "hi", CUSTOMER)
    url = f"{server.base_url}/mastodon/api/v1/statuses"
    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": "same"}
    body = {"status": "@ivy hello", "in_reply_to_id": mention["id"]}
    first = httpx.post(url, headers=headers, data=body).json()["id"]
    assert httpx.post(url, headers=headers, data=body).json()["id"] == first
    sim = server.sandbox.sims["mastodon"]
    assert isinstance(sim, MastodonSim)
    for key, (status_id, at) in list(sim.idempotency.items()):  # an hour passes
        sim.idempotency[key] = (status_id, at - IDEMPOTENCY_TTL_S - 1)
    assert httpx.post(url, headers=headers, data=body).json()["id"] != first
    assert len(admin.created()) == 2


def test_oauth_refuses_a_wrong_pkce_verifier(server: SandboxServer, admin: AdminClient) -> None:
    base = f"{server.base_url}/mastodon"
    redirect = "http://127.0.0.1:9/callback"
    app = httpx.post(f"{base}/api/v1/apps", data={"client_name": "t",
                                                  "redirect_uris": redirect}).json()
    verifier = "v" * 50
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(
        b"=").decode()

    def code() -> str:
        answer = httpx.get(f"{base}/oauth/authorize", params={
            "response_type": "code", "client_id": app["client_id"], "redirect_uri": redirect,
            "code_challenge": challenge, "code_challenge_method": "S256", "state": "st",
            "login_hint": "globex"})
        assert answer.status_code == 302
        query = parse_qs(urlsplit(answer.headers["location"]).query)
        assert query["state"] == ["st"]
        return query["code"][0]

    def exchange(code: str, verifier: str) -> httpx.Response:
        return httpx.post(f"{base}/oauth/token", data={
            "grant_type": "authorization_code", "code": code, "client_id": app["client_id"],
            "client_secret": app["client_secret"], "redirect_uri": redirect,
            "code_verifier": verifier})

    refused = exchange(code(), "w" * 50)
    assert refused.status_code == 400 and refused.json()["error"] == "invalid_grant"
    granted = exchange(code(), verifier)
    token = granted.json()["access_token"]
    me = httpx.get(f"{base}/api/v1/accounts/verify_credentials",
                   headers={"Authorization": f"Bearer {token}"}).json()
    assert me["acct"] == "globex"
    wrong_redirect = httpx.get(f"{base}/oauth/authorize", params={
        "response_type": "code", "client_id": app["client_id"], "redirect_uri": "http://evil/"})
    assert wrong_redirect.status_code == 400


def test_direct_messages_are_private_to_participants(server: SandboxServer,
                                                     admin: AdminClient) -> None:
    dm = admin.inbound("mastodon", "dm", "secret", CUSTOMER, account="acme")
    tokens = {a["handle"]: a["access_token"] for a in admin.accounts("mastodon")}
    base = f"{server.base_url}/mastodon/api/v1"

    def get(handle: str, path: str) -> httpx.Response:
        return httpx.get(f"{base}{path}", headers={"Authorization": f"Bearer {tokens[handle]}"})

    assert get("acme", f"/statuses/{dm['id']}").status_code == 200
    assert get("globex", f"/statuses/{dm['id']}").status_code == 404
    assert dm["id"] not in [c["last_status"]["id"] for c in get("globex", "/conversations").json()]
    assert get("acme", f"/statuses/{dm['id']}").json()["visibility"] == "direct"
