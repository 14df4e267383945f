"""The admin API as a script uses it."""

from __future__ import annotations

import httpx

from desktop.sandbox.admin_client import AdminClient
from desktop.sandbox.server import SandboxServer

CUSTOMER = {"handle": "sam", "display_name": "Sam", "followers": 10}


def test_accounts_say_how_to_connect(server: SandboxServer, admin: AdminClient) -> None:
    accounts = admin.accounts()
    assert "mastodon" in accounts
    acme = next(a for a in accounts["mastodon"] if a["handle"] == "acme")
    assert acme["base_url"] == f"{server.base_url}/mastodon"
    assert acme["access_token"]


def test_inbound_validation(server: SandboxServer, admin: AdminClient) -> None:
    url = f"{server.base_url}/__sandbox__/inbound"
    cases = [
        ({"platform": "myspace", "kind": "mention", "customer": CUSTOMER}, 404),
        ({"platform": "mastodon", "kind": "poke", "customer": CUSTOMER}, 400),
        ({"platform": "mastodon", "kind": "mention", "customer": {}}, 400),
        ({"platform": "mastodon", "kind": "comment", "customer": CUSTOMER}, 400),
        ({"platform": "mastodon", "kind": "mention", "customer": CUSTOMER,
          "account": "nobody"}, 400),
        ({"platform": "mastodon", "kind": "reply", "customer": CUSTOMER,
          "in_reply_to": "123"}, 400),
    ]
    for body, status in cases:
        response = httpx.post(url, json=body)
        assert response.status_code == status, (body, response.text)
        assert "error" in response.json()
    assert httpx.post(url, content=b"{not json").status_code == 400


def test_created_lists_brand_posts_with_filters(server: SandboxServer, admin: AdminClient
                                                ) -> None:
    mention = admin.inbound("mastodon", "mention", "hello", CUSTOMER)
    for handle in ("acme", "globex"):
        token = next(a["access_token"] for a in admin.accounts("mastodon")
                     if a["handle"] == handle)
        response = httpx.post(f"{server.base_url}/mastodon/api/v1/statuses",
                              headers={"Authorization": f"Bearer {token}",
                                       "Idempotency-Key": f"k-{handle}"},
                              data={"status": f"@sam from {handle}",
                                    "in_reply_to_id": mention["id"]})
        assert response.status_code == 200
    assert len(admin.created()) == 2
    only = admin.created(platform="mastodon", account="globex")
    assert [(c["account"], c["text"], c["idempotency_key"], c["kind"]) for c in only] == [
        ("globex", "@sam from globex", "k-globex", "reply")]
    assert only[0]["thread_id"] == mention["thread_id"]
    assert admin.created(platform="x") == []
    admin.reset()
    assert admin.created() == []


def test_token_switches(server: SandboxServer, admin: AdminClient, token: str) -> None:
    url = f"{server.base_url}/mastodon/api/v1/accounts/verify_credentials"
    headers = {"Authorization": f"Bearer {token}"}
    assert admin.tokens("mastodon", "acme", "revoke")["tokens"] >= 1
    revoked = httpx.get(url, headers=headers)
    assert (revoked.status_code, revoked.json()) == (401, {"error": "The access token was revoked"})
    admin.tokens("mastodon", "acme", "restore")
    assert httpx.get(url, headers=headers).status_code == 200
    admin.tokens("mastodon", "acme", "expire")
    assert httpx.get(url, headers=headers).json() == {"error": "The access token expired"}
    admin.reset()  # reset restores tokens too
    assert httpx.get(url, headers=headers).status_code == 200
    bad = httpx.post(f"{server.base_url}/__sandbox__/tokens", json={"action": "melt"})
    assert bad.status_code == 400


def test_ratelimit_and_traffic_endpoints(server: SandboxServer, admin: AdminClient,
                                         token: str) -> None:
    admin.set_ratelimit("mastodon", limit=1, window_s=60)
    url = f"{server.base_url}/mastodon/api/v1/notifications"
    headers = {"Authorization": f"Bearer {token}"}
    assert httpx.get(url, headers=headers).status_code == 200
    limited = httpx.get(url, headers=headers)
    assert limited.status_code == 429 and limited.json() == {"error": "Too many requests"}
    admin.clear_ratelimits()
    assert httpx.get(url, headers=headers).status_code == 200
    assert admin.set_traffic(0) == {"rate_per_min": 0.0}


def test_inbound_batch(server: SandboxServer, admin: AdminClient) -> None:
    items = [{"platform": "mastodon", "account": "acme", "kind": "mention",
              "text": f"n{n}", "customer": CUSTOMER} for n in range(300)]
    created = admin.inbound_batch(items)
    assert len({c["id"] for c in created}) == 300
    bad = httpx.post(f"{server.base_url}/__sandbox__/inbound_batch",
                     json={"items": [items[0], {"platform": "mastodon", "kind": "poke"}]})
    assert bad.status_code == 400 and "item 1" in bad.json()["error"]
