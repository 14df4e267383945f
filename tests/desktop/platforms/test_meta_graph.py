"""Graph's error envelope, usage headers, paging and timestamps (desktop/platforms/meta_graph)."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from desktop.domain.errors import SyncError, SyncErrorKind
from desktop.platforms.meta_graph import (
    DEFAULT_THROTTLE_WAIT,
    GraphSession,
    appsecret_proof,
    classify,
    next_after,
    parse_time,
    plain_text,
    usage_percent,
    usage_retry_at,
)


def answer(status: int, error: dict[str, Any] | None, headers: dict[str, str] | None = None
           ) -> httpx.Response:
    request = httpx.Request("GET", "https://graph.facebook.com/v21.0/123/feed")
    body = json.dumps({"error": error}).encode() if error is not None else b"oops"
    return httpx.Response(status, content=body, headers=headers, request=request)


def envelope(code: int, subcode: int | None = None, **extra: Any) -> dict[str, Any]:
    error = {"message": "m", "type": "OAuthException", "code": code, "fbtrace_id": "A1"}
    if subcode is not None:
        error["error_subcode"] = subcode
    return {**error, **extra}


@pytest.mark.parametrize("code", [190, 102, 104])
def test_token_errors_are_auth_even_with_status_400(code: int) -> None:
    error = classify(answer(400, envelope(code, 463)))
    assert error.kind is SyncErrorKind.AUTH
    assert error.platform_code == f"{code}/463"


@pytest.mark.parametrize("code", [4, 17, 32, 613, 80001, 80002])
def test_throttling_codes_use_the_business_use_case_estimate(code: int) -> None:
    usage = {"123": [{"type": "pages", "call_count": 100, "total_cputime": 5, "total_time": 5,
                      "estimated_time_to_regain_access": 7}]}
    before = datetime.now(UTC)
    error = classify(answer(400, envelope(code),
                            {"X-Business-Use-Case-Usage": json.dumps(usage)}))
    assert error.kind is SyncErrorKind.RATE_LIMITED
    assert error.retry_at is not None
    assert before + timedelta(minutes=7) <= error.retry_at <= datetime.now(UTC) + timedelta(
        minutes=7)


def test_throttling_without_an_estimate_waits_the_default() -> None:
    error = classify(answer(400, envelope(4), {"X-App-Usage": '{"call_count": 100}'}))
    assert error.kind is SyncErrorKind.RATE_LIMITED
    assert error.retry_at is not None
    wait = error.retry_at - datetime.now(UTC)
    assert DEFAULT_THROTTLE_WAIT - timedelta(seconds=5) < wait <= DEFAULT_THROTTLE_WAIT


def test_throttling_honours_retry_after_when_no_usage_estimate() -> None:
    error = classify(answer(429, envelope(4), {"Retry-After": "30"}))
    assert error.retry_at is not None
    assert error.retry_at - datetime.now(UTC) <= timedelta(seconds=30)


def test_messaging_window_refusal_is_permanent_with_the_platform_reason() -> None:
    error = classify(answer(400, envelope(10, 2018278, message="outside of allowed window")))
    assert error.kind is SyncErrorKind.PERMANENT
    assert error.platform_code == "10/2018278"
    assert "outside of allowed window" in str(error)


@pytest.mark.parametrize(("status", "error", "kind"), [
    (500, envelope(2), SyncErrorKind.TRANSIENT),
    (400, envelope(1), SyncErrorKind.TRANSIENT),
    (400, envelope(100, is_transient=True), SyncErrorKind.TRANSIENT),
    (400, envelope(100, 33), SyncErrorKind.PERMANENT),
    (503, None, SyncErrorKind.TRANSIENT),  # no envelope: the status decides
    (401, None, SyncErrorKind.AUTH),
])
def test_other_errors(status: int, error: dict[str, Any] | None, kind: SyncErrorKind) -> None:
    assert classify(answer(status, error)).kind is kind


def test_usage_headers() -> None:
    headers = {
        "X-App-Usage": '{"call_count": 12, "total_cputime": 40, "total_time": 3}',
        "X-Page-Usage": '{"call_count": 5, "estimated_time_to_regain_access": 2}',
        "X-Business-Use-Case-Usage": json.dumps(
            {"1": [{"call_count": 91, "estimated_time_to_regain_access": 0}]}),
    }
    now = datetime(2026, 1, 1, tzinfo=UTC)
    assert usage_percent(headers) == 91
    assert usage_retry_at(headers, now) == now + timedelta(minutes=2)
    assert usage_retry_at({"X-App-Usage": "not json"}, now) is None


def test_next_after_needs_next() -> None:
    paging = {"cursors": {"after": "QQ"}, "next": "https://x"}
    assert next_after({"data": [], "paging": paging}) == "QQ"
    assert next_after({"data": [], "paging": {"cursors": {"after": "QQ"}}}) is None
    assert next_after({"data": []}) is None


def test_parse_time_reads_graph_offsets() -> None:
    assert parse_time("2024-05-01T12:34:56+0000") == datetime(2024, 5, 1, 12, 34, 56, tzinfo=UTC)
    assert parse_time("yesterday") is None
    assert parse_time(None) is None


def test_plain_text_drops_control_characters() -> None:
    assert plain_text("hi\x1b[31m there\x00\nbye\t!") == "hi[31m there\nbye\t!"
    assert plain_text(42) == ""


def test_appsecret_proof_is_hmac_sha256_of_the_token() -> None:
    expected = hmac.new(b"secret", b"token", hashlib.sha256).hexdigest()
    assert appsecret_proof("token", "secret") == expected


def test_session_pages_until_next_disappears_and_sends_token_in_header() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        after = request.url.params.get("after")
        if after is None:
            return httpx.Response(200, json={"data": [{"id": "1"}], "paging": {
                "cursors": {"after": "c1"}, "next": "https://g/next"}})
        return httpx.Response(200, json={"data": [{"id": "2"}], "paging": {
            "cursors": {"after": "c2"}}})

    async def go() -> list[Any]:
        async with httpx.AsyncClient(base_url="https://g",
                                     transport=httpx.MockTransport(handler)) as http:
            return await GraphSession(http, "tok", "sec").pages("p/feed", {"limit": 1},
                                                                max_pages=5)

    assert asyncio.run(go()) == [{"id": "1"}, {"id": "2"}]
    assert [r.url.path for r in seen] == ["/v21.0/p/feed", "/v21.0/p/feed"]
    assert seen[0].headers["Authorization"] == "Bearer tok"
    assert "tok" not in str(seen[0].url)
    assert seen[0].url.params["appsecret_proof"] == appsecret_proof("tok", "sec")


def test_session_rejects_an_answer_without_data() -> None:
    transport = httpx.MockTransport(lambda r: httpx.Response(200, json={"nothing": 1}))

    async def go() -> None:
        async with httpx.AsyncClient(base_url="https://g", transport=transport) as http:
            await GraphSession(http, "t").pages("x", {}, max_pages=1)

    with pytest.raises(SyncError) as info:
        asyncio.run(go())
    assert info.value.kind is SyncErrorKind.TRANSIENT


def test_session_pages_stop_when_a_page_reaches_known_items() -> None:
    calls: list[str | None] = []

    def handler(request: httpx.Request) -> httpx.Response:
        after = request.url.params.get("after")
        calls.append(after)
        n = int(after or 0)
        return httpx.Response(200, json={"data": [{"n": n}, {"n": n + 1}], "paging": {
            "cursors": {"after": str(n + 2)}, "next": "https://g/next"}})

    async def go() -> list[Any]:
        async with httpx.AsyncClient(base_url="https://g",
                                     transport=httpx.MockTransport(handler)) as http:
            return await GraphSession(http, "t").pages(
                "x", {}, max_pages=10, stop_when=lambda e: e["n"] >= 3)

    assert [e["n"] for e in asyncio.run(go())] == [0, 1, 2, 3]
    assert calls == [None, "2"]
