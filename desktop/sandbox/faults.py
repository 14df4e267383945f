"""The fault plan: latency, errors, resets, lost answers and broken bodies, on demand.

A plan is JSON (the issue's format):
  {"seed": 7, "rules": [{"match": {"platform": "mastodon|*", "method": "POST|*", "path": "<regex>"},
   "probability": 0.3,
   "fault": "latency|status|reset|timeout_after_commit|malformed|unknown_fields|malformed_item",
   "status": 503, "latency_ms": 2000, "retry_after_s": 5}]}
`path` is searched (re.search) in the path below the platform prefix and in the full path, so
both "/api/v1/statuses$" and "^/mastodon/api/v1/statuses$" work. `malformed_item` keeps the
body valid JSON but strips the first item of the first list in it to its id, so a connector
must skip that one item and keep the rest of the page. The first matching rule whose
probability roll succeeds applies. The rolls come from one RNG seeded by the plan, so a plan
replays the same faults for the same request sequence.

Why a raw ASGI middleware (not Starlette's BaseHTTPMiddleware): a reset must close the socket
without any answer, and `timeout_after_commit` must run the handler and then say nothing.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import re
import threading
import time
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

log = logging.getLogger(__name__)

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

FAULTS = ("latency", "status", "reset", "timeout_after_commit", "malformed", "unknown_fields",
          "malformed_item")
HANG_LIMIT_S = 120.0  # a lost answer never outlives this, so a stuck client cannot pin a task


@dataclass(frozen=True, slots=True)
class FaultRule:
    fault: str
    platform: str = "*"
    method: str = "*"
    path: re.Pattern[str] = field(default_factory=lambda: re.compile(""))
    probability: float = 1.0
    status: int = 503
    latency_ms: int = 0
    retry_after_s: float | None = None

    def matches(self, platform: str, method: str, full_path: str, sub_path: str) -> bool:
        if self.platform not in ("*", platform):
            return False
        if self.method not in ("*", method.upper()):
            return False
        return bool(self.path.search(sub_path) or self.path.search(full_path))


@dataclass(frozen=True, slots=True)
class FaultPlan:
    seed: int = 0
    rules: tuple[FaultRule, ...] = ()

    @classmethod
    def from_json(cls, data: Any) -> FaultPlan:
        """Parse and validate; raises ValueError with a readable reason."""
        if not isinstance(data, dict):
            raise ValueError("a fault plan is a JSON object")
        rules = []
        for index, raw in enumerate(data.get("rules") or []):
            if not isinstance(raw, dict):
                raise ValueError(f"rule {index}: not an object")
            fault = raw.get("fault")
            if fault not in FAULTS:
                raise ValueError(f"rule {index}: fault must be one of {', '.join(FAULTS)}")
            match = raw.get("match") or {}
            try:
                rules.append(
                    FaultRule(
                        fault=fault,
                        platform=str(match.get("platform", "*")),
                        method=str(match.get("method", "*")).upper(),
                        path=re.compile(str(match.get("path", ""))),
                        probability=float(raw.get("probability", 1.0)),
                        status=int(raw.get("status", 503)),
                        latency_ms=int(raw.get("latency_ms", 0)),
                        retry_after_s=(
                            float(raw["retry_after_s"]) if raw.get("retry_after_s") is not None
                            else None
                        ),
                    )
                )
            except (re.error, TypeError, ValueError) as exc:
                raise ValueError(f"rule {index}: {exc}") from exc
        return cls(seed=int(data.get("seed", 0)), rules=tuple(rules))


class FaultInjector:
    """Holds the current plan; switchable at run time from the admin API (any thread)."""

    def __init__(self, plan: FaultPlan | None = None) -> None:
        self._lock = threading.Lock()
        self._plan = FaultPlan()
        self._rng = random.Random(0)
        self.applied: dict[str, int] = {}
        self.set_plan(plan or FaultPlan())

    @property
    def plan(self) -> FaultPlan:
        return self._plan

    def set_plan(self, plan: FaultPlan) -> None:
        with self._lock:
            self._plan = plan
            self._rng = random.Random(plan.seed)
            self.applied = {}

    def clear(self) -> None:
        self.set_plan(FaultPlan())

    def pick(self, platform: str, method: str, full_path: str, sub_path: str) -> FaultRule | None:
        with self._lock:
            for rule in self._plan.rules:
                if not rule.matches(platform, method, full_path, sub_path):
                    continue
                if rule.probability >= 1.0 or self._rng.random() < rule.probability:
                    self.applied[rule.fault] = self.applied.get(rule.fault, 0) + 1
                    return rule
            return None


def error_body(platform: str, status: int, message: str) -> tuple[bytes, str]:
    """The platform's own error envelope, so an injected status reads like the real thing."""
    content_type = "application/json"
    body: dict[str, Any]
    if platform == "bluesky":
        name = "RateLimitExceeded" if status == 429 else "InternalServerError"
        body = {"error": name, "message": message}
    elif platform == "x":
        content_type = "application/problem+json"
        body = {"title": "Too Many Requests" if status == 429 else "Service Unavailable",
                "detail": message, "type": "about:blank", "status": status}
    elif platform in ("facebook", "instagram"):
        code = 4 if status == 429 else 2
        body = {"error": {"message": message, "type": "OAuthException", "code": code,
                          "is_transient": True, "fbtrace_id": "SandboxFault"}}
    else:
        body = {"error": message}
    return json.dumps(body).encode(), content_type


def reset_headers(platform: str, retry_after_s: float) -> list[tuple[bytes, bytes]]:
    """The platform's own "used up until T" headers for an injected 429."""
    reset = time.time() + retry_after_s
    if platform == "mastodon":
        iso = datetime.fromtimestamp(reset, UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")
        return [(b"x-ratelimit-remaining", b"0"), (b"x-ratelimit-reset", iso.encode())]
    if platform == "bluesky":
        return [(b"ratelimit-remaining", b"0"), (b"ratelimit-reset", b"%d" % int(reset))]
    if platform == "x":
        return [(b"x-rate-limit-remaining", b"0"), (b"x-rate-limit-reset", b"%d" % int(reset))]
    return []


class FaultMiddleware:
    """Applies the injector's plan to requests under a known platform prefix."""

    def __init__(self, app: ASGIApp, injector: FaultInjector, platforms: set[str]) -> None:
        self.app = app
        self.injector = injector
        self.platforms = platforms

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        platform, _, rest = path.lstrip("/").partition("/")
        rule = None
        if platform in self.platforms:
            rule = self.injector.pick(platform, scope["method"], path, "/" + rest)
        if rule is None:
            await self.app(scope, receive, send)
            return
        log.info("fault %s on %s %s", rule.fault, scope["method"], path)
        handler = getattr(self, "_" + rule.fault)
        await handler(rule, platform, scope, receive, send)

    async def _latency(self, rule: FaultRule, platform: str, scope: Scope,
                       receive: Receive, send: Send) -> None:
        await asyncio.sleep(rule.latency_ms / 1000)
        await self.app(scope, receive, send)

    async def _status(self, rule: FaultRule, platform: str, scope: Scope,
                      receive: Receive, send: Send) -> None:
        if rule.latency_ms:
            await asyncio.sleep(rule.latency_ms / 1000)
        body, content_type = error_body(platform, rule.status, f"sandbox fault {rule.status}")
        headers = [(b"content-type", content_type.encode()),
                   (b"content-length", str(len(body)).encode())]
        if rule.retry_after_s is not None:
            headers.append((b"retry-after", str(int(rule.retry_after_s)).encode()))
            if rule.status == 429:
                headers.extend(reset_headers(platform, rule.retry_after_s))
        await send({"type": "http.response.start", "status": rule.status, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    async def _reset(self, rule: FaultRule, platform: str, scope: Scope,
                     receive: Receive, send: Send) -> None:
        await _drop_connection(send)

    async def _timeout_after_commit(self, rule: FaultRule, platform: str, scope: Scope,
                                    receive: Receive, send: Send) -> None:
        async def swallow(message: Message) -> None:
            return None

        await self.app(scope, receive, swallow)  # the write happens...
        await _wait_for_disconnect(receive)  # ...and the answer never comes

    async def _malformed(self, rule: FaultRule, platform: str, scope: Scope,
                         receive: Receive, send: Send) -> None:
        await self._rewrite_body(scope, receive, send, _truncate)

    async def _unknown_fields(self, rule: FaultRule, platform: str, scope: Scope,
                              receive: Receive, send: Send) -> None:
        await self._rewrite_body(scope, receive, send, _add_unknown_fields)

    async def _malformed_item(self, rule: FaultRule, platform: str, scope: Scope,
                              receive: Receive, send: Send) -> None:
        await self._rewrite_body(scope, receive, send, _break_first_item)

    async def _rewrite_body(self, scope: Scope, receive: Receive, send: Send,
                            rewrite: Callable[[bytes], bytes]) -> None:
        start: Message = {}
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await self.app(scope, receive, capture)
        body = rewrite(b"".join(chunks))
        headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
        headers.append((b"content-length", str(len(body)).encode()))
        await send({"type": "http.response.start", "status": start.get("status", 500),
                    "headers": headers})
        await send({"type": "http.response.body", "body": body})


def _truncate(body: bytes) -> bytes:
    """Cut the JSON in the middle and garble the tail: no parser accepts it."""
    return body[: max(1, len(body) // 2)] + b"\x00\xff<!--"


def _add_unknown_fields(body: bytes) -> bytes:
    try:
        data = json.loads(body)
    except ValueError:
        return body
    extra = {"sandbox_unknown_field": {"nested": [1, "two", None]}}
    if isinstance(data, dict):
        data.update(extra)
    elif isinstance(data, list):
        for item in data:
            if isinstance(item, dict):
                item.update(extra)
    return json.dumps(data).encode()


def _break_first_item(body: bytes) -> bytes:
    try:
        data = json.loads(body)
    except ValueError:
        return body
    items = data if isinstance(data, list) else next(
        (v for v in data.values() if isinstance(v, list) and v), None
    ) if isinstance(data, dict) else None
    if items and isinstance(items[0], dict):
        items[0] = {"id": items[0].get("id"), "sandbox_broken": True}
    return json.dumps(data).encode()


async def _drop_connection(send: Send) -> None:
    """Abort the TCP connection with no answer (uvicorn's transport, found via `send`)."""
    transport = getattr(getattr(send, "__self__", None), "transport", None)
    if transport is None:
        raise ConnectionResetError("sandbox fault: reset")  # not under uvicorn: best effort
    transport.abort()
    for _ in range(3):  # let connection_lost run so the server does not try to answer
        await asyncio.sleep(0)


async def _wait_for_disconnect(receive: Receive) -> None:
    try:
        async with asyncio.timeout(HANG_LIMIT_S):
            while (await receive())["type"] != "http.disconnect":
                pass
    except TimeoutError:
        return
