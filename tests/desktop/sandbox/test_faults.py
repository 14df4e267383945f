"""The fault plan: parsing, seeded rolls, matching, and each fault as a client sees it."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from desktop.sandbox import faults
from desktop.sandbox.admin_client import AdminClient
from desktop.sandbox.faults import FaultInjector, FaultPlan
from desktop.sandbox.server import SandboxServer

CUSTOMER = {"handle": "lee", "followers": 3}


def test_plan_in_the_issue_format_parses() -> None:
    plan = FaultPlan.from_json({"seed": 7, "rules": [{
        "match": {"platform": "mastodon", "method": "post", "path": "/api/v1/statuses"},
        "probability": 0.3, "fault": "status", "status": 503, "latency_ms": 20,
        "retry_after_s": 5}]})
    rule = plan.rules[0]
    assert (plan.seed, rule.platform, rule.method, rule.status, rule.retry_after_s) == (
        7, "mastodon", "POST", 503, 5.0)


@pytest.mark.parametrize("bad", [
    [], {"rules": [{"fault": "explode"}]}, {"rules": ["x"]},
    {"rules": [{"fault": "status", "match": {"path": "("}}]},
    {"rules": [{"fault": "status", "status": "five hundred"}]},
])
def test_bad_plans_are_refused_with_a_reason(bad: object) -> None:
    with pytest.raises(ValueError):
        FaultPlan.from_json(bad)


def test_rolls_are_seeded_and_repeatable() -> None:
    plan = FaultPlan.from_json({"seed": 42, "rules": [{"fault": "reset", "probability": 0.5}]})

    def rolls() -> list[bool]:
        injector = FaultInjector(plan)
        return [injector.pick("x", "GET", "/x/2/tweets", "/2/tweets") is not None
                for _ in range(200)]

    first = rolls()
    assert first == rolls()
    assert 70 < sum(first) < 130  # about half


def test_matching_by_platform_method_and_path() -> None:
    injector = FaultInjector(FaultPlan.from_json({"rules": [{
        "fault": "reset", "match": {"platform": "mastodon", "method": "POST",
                                    "path": "^/api/v1/statuses$"}}]}))
    assert injector.pick("mastodon", "POST", "/mastodon/api/v1/statuses", "/api/v1/statuses")
    assert not injector.pick("bluesky", "POST", "/bluesky/api/v1/statuses", "/api/v1/statuses")
    assert not injector.pick("mastodon", "GET", "/mastodon/api/v1/statuses", "/api/v1/statuses")
    assert not injector.pick("mastodon", "POST", "/mastodon/api/v1/statuses/1",
                             "/api/v1/statuses/1")
    full = FaultInjector(FaultPlan.from_json({"rules": [{
        "fault": "reset", "match": {"path": "^/mastodon/api"}}]}))
    assert full.pick("mastodon", "GET", "/mastodon/api/v1/x", "/api/v1/x")


def _get(server: SandboxServer, token: str, **kwargs: object) -> httpx.Response:
    return httpx.get(f"{server.base_url}/mastodon/api/v1/notifications",
                     headers={"Authorization": f"Bearer {token}"}, **kwargs)  # type: ignore[arg-type]


def test_status_fault_speaks_the_platform_error_shape(server: SandboxServer, admin: AdminClient,
                                                      token: str) -> None:
    admin.set_faults({"rules": [{"fault": "status", "status": 429, "retry_after_s": 7,
                                 "match": {"platform": "mastodon"}}]})
    response = _get(server, token)
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "7"
    assert set(response.json()) == {"error"}
    assert response.headers["X-RateLimit-Remaining"] == "0"
    reset = datetime.fromisoformat(response.headers["X-RateLimit-Reset"].replace("Z", "+00:00"))
    assert timedelta(seconds=5) < reset - datetime.now(UTC) <= timedelta(seconds=8)
    assert admin.accounts("mastodon")  # the admin API is never faulted


def test_latency_delays_the_answer(server: SandboxServer, admin: AdminClient, token: str) -> None:
    admin.set_faults({"rules": [{"fault": "latency", "latency_ms": 300}]})
    started = time.perf_counter()
    assert _get(server, token).status_code == 200
    assert time.perf_counter() - started >= 0.3


def test_reset_closes_without_an_answer(server: SandboxServer, admin: AdminClient,
                                        token: str) -> None:
    admin.set_faults({"rules": [{"fault": "reset"}]})
    with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
        _get(server, token)
    admin.clear_faults()
    assert _get(server, token).status_code == 200  # the server is fine afterwards


def test_timeout_after_commit_applies_the_write(server: SandboxServer, admin: AdminClient,
                                                token: str) -> None:
    mention = admin.inbound("mastodon", "mention", "hi", CUSTOMER)
    admin.set_faults({"rules": [{"fault": "timeout_after_commit", "match": {"method": "POST"}}]})
    with pytest.raises(httpx.ReadTimeout):
        httpx.post(f"{server.base_url}/mastodon/api/v1/statuses", timeout=0.5,
                   headers={"Authorization": f"Bearer {token}"},
                   data={"status": "@lee hello", "in_reply_to_id": mention["id"]})
    created = admin.created(platform="mastodon")
    assert [c["in_reply_to"] for c in created] == [mention["id"]]


def test_malformed_and_unknown_fields(server: SandboxServer, admin: AdminClient,
                                      token: str) -> None:
    admin.set_faults({"rules": [{"fault": "malformed"}]})
    garbled = _get(server, token)
    assert garbled.status_code == 200
    with pytest.raises(ValueError):  # JSONDecodeError or UnicodeDecodeError
        json.loads(garbled.content)
    admin.set_faults({"rules": [{"fault": "unknown_fields"}]})
    extra = _get(server, token).json()
    assert extra and all("sandbox_unknown_field" in n for n in extra)
    admin.set_faults({"rules": [{"fault": "malformed_item"}]})
    broken = _get(server, token).json()
    assert broken[0]["sandbox_broken"] is True and "type" not in broken[0]
    assert all("type" in n for n in broken[1:])


def test_applied_counts_and_reset_clears_the_plan(server: SandboxServer, admin: AdminClient,
                                                  token: str) -> None:
    admin.set_faults({"rules": [{"fault": "latency", "latency_ms": 1}]})
    _get(server, token)
    _get(server, token)
    assert admin.faults() == {"rules": 1, "applied": {"latency": 2}}
    admin.reset()
    assert admin.faults() == {"rules": 0, "applied": {}}


def test_example_plan_parses() -> None:
    path = Path(faults.__file__).with_name("example_faults.json")
    plan = FaultPlan.from_json(json.loads(path.read_text()))
    assert {r.fault for r in plan.rules} >= {"timeout_after_commit", "reset", "status"}
