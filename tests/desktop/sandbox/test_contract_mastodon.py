"""Every Mastodon response the connector relies on, as the sandbox serves it, checked against
the Mastodon OpenAPI document in ../shared/specs (so the sim cannot drift into a dialect)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from desktop.sandbox.admin_client import AdminClient
from desktop.sandbox.server import SandboxServer
from tests.desktop.sandbox.spec_helpers import OpenAPIContract

SPEC = "mastodon/schema.json"


@pytest.fixture(scope="module")
def contract() -> OpenAPIContract:
    return OpenAPIContract(SPEC)


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[httpx.Client, AdminClient, dict[str, Any]]]:
    with SandboxServer(seed=3) as server:
        admin = AdminClient(server.base_url)
        brand = admin.accounts("mastodon")[0]
        client = httpx.Client(base_url=brand["base_url"], timeout=10,
                              headers={"Authorization": f"Bearer {brand['access_token']}"})
        customer = {"handle": "kim", "display_name": "Kim 🌸", "followers": 88}
        mention = admin.inbound("mastodon", "mention", "hi https://a.example/x", customer)
        admin.inbound("mastodon", "reply", "nice post", customer)
        dm = admin.inbound("mastodon", "dm", "psst", customer)
        try:
            yield client, admin, {"mention": mention, "dm": dm, "brand": brand}
        finally:
            client.close()
            admin.close()


def check(contract: OpenAPIContract, response: httpx.Response, path: str, method: str) -> Any:
    body = response.json()
    contract.validate_response(path, method, response.status_code, body, response.headers)
    return body


def test_verify_credentials(contract: OpenAPIContract, served: Any) -> None:
    client, _, _ = served
    response = client.get("/api/v1/accounts/verify_credentials")
    assert response.status_code == 200
    check(contract, response, "/api/v1/accounts/verify_credentials", "get")
    declared = contract.declared_headers("/api/v1/accounts/verify_credentials", "get", 200)
    assert {"X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"} <= declared
    assert all(name in response.headers for name in declared)


def test_notifications_with_link_and_rate_headers(contract: OpenAPIContract, served: Any
                                                  ) -> None:
    client, _, _ = served
    response = client.get("/api/v1/notifications", params={"types[]": "mention", "limit": 2})
    body = check(contract, response, "/api/v1/notifications", "get")
    assert len(body) == 2 and all(n["type"] == "mention" for n in body)
    for header in ("Link", "X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"):
        assert header in response.headers
    assert 'rel="next"' in response.headers["Link"] and 'rel="prev"' in response.headers["Link"]


def test_conversations(contract: OpenAPIContract, served: Any) -> None:
    client, _, ids = served
    body = check(contract, client.get("/api/v1/conversations"), "/api/v1/conversations", "get")
    assert any(c["last_status"]["id"] == ids["dm"]["id"] for c in body)


def test_status_and_context(contract: OpenAPIContract, served: Any) -> None:
    client, _, ids = served
    status_id = ids["mention"]["id"]
    check(contract, client.get(f"/api/v1/statuses/{status_id}"), "/api/v1/statuses/{id}", "get")
    check(contract, client.get(f"/api/v1/statuses/{status_id}/context"),
          "/api/v1/statuses/{id}/context", "get")


def test_create_status(contract: OpenAPIContract, served: Any) -> None:
    client, _, ids = served
    response = client.post("/api/v1/statuses", headers={"Idempotency-Key": "contract"},
                           data={"status": "@kim thanks", "in_reply_to_id": ids["mention"]["id"]})
    body = check(contract, response, "/api/v1/statuses", "post")
    contract.validate_component("Status", body)


def test_accounts_lookup(contract: OpenAPIContract, served: Any) -> None:
    client, _, ids = served
    response = client.get("/api/v1/accounts", params={"id[]": ids["mention"]["account_id"]})
    body = check(contract, response, "/api/v1/accounts", "get")
    assert body[0]["followers_count"] == 88


def test_errors(contract: OpenAPIContract, served: Any) -> None:
    client, admin, ids = served
    bad = httpx.get(f"{ids['brand']['base_url']}/api/v1/notifications",
                    headers={"Authorization": "Bearer nope"})
    assert bad.status_code == 401
    check(contract, bad, "/api/v1/notifications", "get")
    missing = client.get("/api/v1/statuses/1")
    assert missing.status_code == 404
    check(contract, missing, "/api/v1/statuses/{id}", "get")
    too_long = client.post("/api/v1/statuses", data={"status": "x" * 501})
    assert too_long.status_code == 422
    check(contract, too_long, "/api/v1/statuses", "post")
    admin.set_ratelimit("mastodon", limit=0, window_s=60, account="acme")
    try:
        limited = client.get("/api/v1/notifications")
        assert limited.status_code == 429
        check(contract, limited, "/api/v1/notifications", "get")
    finally:
        admin.clear_ratelimits()


def test_oauth_app_and_token(contract: OpenAPIContract, served: Any) -> None:
    client, _, _ = served
    app = client.post("/api/v1/apps", data={"client_name": "t", "redirect_uris":
                                            "urn:ietf:wg:oauth:2.0:oob", "scopes": "read"})
    body = check(contract, app, "/api/v1/apps", "post")
    code = client.get("/oauth/authorize", params={
        "response_type": "code", "client_id": body["client_id"],
        "redirect_uri": "urn:ietf:wg:oauth:2.0:oob", "scope": "read"}).json()["code"]
    token = client.post("/oauth/token", data={
        "grant_type": "authorization_code", "code": code, "client_id": body["client_id"],
        "client_secret": body["client_secret"], "redirect_uri": "urn:ietf:wg:oauth:2.0:oob"})
    check(contract, token, "/oauth/token", "post")


def test_validator_rejects_a_private_dialect(contract: OpenAPIContract) -> None:
    """The check can fail: a status without required fields is refused."""
    with pytest.raises(AssertionError, match=r"required|is not of type"):
        contract.validate_component("Status", {"id": "1", "content": "<p>x</p>"})
