"""What the Facebook and Instagram sims share: Graph's dialect on the server side.

- `parse_fields("id,from,parent{id},reactions.limit(0).summary(true)")`: field expansion.
- `GraphFail` -> the error envelope `{"error": {message, type, code, error_subcode,
  fbtrace_id}}` (HTTP 400 like Graph, also for an expired token).
- `GraphApp.handle(...)`: token (Authorization header or `access_token`), `appsecret_proof`,
  the per-account rate limit with `X-App-Usage` / `X-Business-Use-Case-Usage` headers, and
  throttling answered with the platform's code.
- `paginate(...)`: cursor paging `{"data", "paging": {"cursors": {before, after}, next}}`.
Deliberately independent of desktop.platforms: a bug shared by connector and sim would
never show in a test.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import math
import secrets
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from desktop.sandbox.auth import TokenInfo, TokenProblem, TokenRejected
from desktop.sandbox.world import World

VERSION_PREFIX = "v"  # paths are /v21.0/...; any version is accepted, like Graph


@dataclass
class FieldSel:
    """One requested field: its sub-selection (`{...}`) and modifiers (`.limit(0)`)."""

    sub: dict[str, FieldSel] | None = None
    mods: dict[str, str] = field(default_factory=dict)


def parse_fields(spec: str | None) -> dict[str, FieldSel] | None:
    """Graph's field expansion syntax; None when no `fields` was given."""
    if spec is None:
        return None
    result: dict[str, FieldSel] = {}
    for part in _split_top(spec):
        part = part.strip()
        if not part:
            continue
        sub: dict[str, FieldSel] | None = None
        if "{" in part and part.endswith("}"):
            brace = part.index("{")
            sub = parse_fields(part[brace + 1:-1])
            part = part[:brace]
        name, *mods = part.split(".")
        sel = FieldSel(sub=sub)
        for mod in mods:
            if "(" in mod and mod.endswith(")"):
                key, value = mod[:-1].split("(", 1)
                sel.mods[key] = value
        result[name] = sel
    return result


def _split_top(spec: str) -> list[str]:
    parts, depth, start = [], 0, 0
    for index, ch in enumerate(spec):
        if ch in "{(":
            depth += 1
        elif ch in "})":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append(spec[start:index])
            start = index + 1
    parts.append(spec[start:])
    return parts


class GraphFail(Exception):
    """An error Graph would answer, rendered as its envelope."""

    def __init__(self, message: str, *, code: int, type: str = "OAuthException",
                 subcode: int | None = None, status: int = 400,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.message, self.code, self.type, self.subcode = message, code, type, subcode
        self.status = status
        self.headers = headers or {}

    def response(self) -> JSONResponse:
        error: dict[str, Any] = {"message": self.message, "type": self.type, "code": self.code,
                                 "fbtrace_id": base64.b64encode(secrets.token_bytes(9)).decode()}
        if self.subcode is not None:
            error["error_subcode"] = self.subcode
        return JSONResponse({"error": error}, status_code=self.status, headers=self.headers)


def bad_param(message: str) -> GraphFail:
    return GraphFail(f"(#100) {message}", code=100, type="GraphMethodException")


def token_failure(problem: TokenProblem) -> GraphFail:
    """Graph's words for each token problem (all code 190 but a missing token, 104)."""
    if problem is TokenProblem.MISSING:
        return GraphFail("An access token is required to request this resource.", code=104)
    if problem is TokenProblem.EXPIRED:
        return GraphFail("Error validating access token: Session has expired.", code=190,
                         subcode=463)
    if problem is TokenProblem.REVOKED:
        return GraphFail("Error validating access token: The user has not authorized "
                         "application.", code=190, subcode=458)
    return GraphFail("Invalid OAuth access token - Cannot parse access token", code=190)


def graph_time(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")


def parse_since(value: str | None) -> float | None:
    """`since` as epoch seconds or an ISO time, as Graph accepts both."""
    if not value:
        return None
    try:
        return float(value)
    except ValueError:
        pass
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as exc:
        raise bad_param(f"Invalid since: {value}") from exc
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).timestamp()


def select(full: dict[str, Any], fields: dict[str, FieldSel] | None, defaults: Sequence[str],
           known: frozenset[str], node: str,
           edges: dict[str, Callable[[FieldSel], Any]] | None = None) -> dict[str, Any]:
    """The requested fields of a node (Graph always adds `id`); an unknown name is refused
    like Graph does, an absent value is left out."""
    wanted = fields if fields is not None else {name: FieldSel() for name in defaults}
    out: dict[str, Any] = {}
    for name, sel in wanted.items():
        if edges and name in edges:
            out[name] = edges[name](sel)
            continue
        if name not in known:
            raise bad_param(f"Tried accessing nonexisting field ({name}) on node type ({node})")
        if name in full and full[name] is not None:
            value = full[name]
            if sel.sub is not None and isinstance(value, dict):
                value = {k: v for k, v in value.items() if k in sel.sub or k == "id"}
            out[name] = value
    if "id" in full:
        out.setdefault("id", full["id"])
    return out


def _cursor(key: str) -> str:
    return base64.urlsafe_b64encode(key.encode()).decode().rstrip("=")


def _uncursor(value: str) -> str:
    try:
        return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode()
    except (ValueError, UnicodeDecodeError) as exc:
        raise bad_param("Invalid cursor") from exc


def paginate(request: Request, items: Sequence[Any], key: Callable[[Any], str],
             render: Callable[[Any], dict[str, Any]], *, default_limit: int = 25,
             max_limit: int = 100) -> dict[str, Any]:
    """One page of an edge: cursors are the base64 of an item's key; `next` only when more
    remain (Graph keeps `cursors` on the last page and drops `next`)."""
    params = request.query_params
    try:
        limit = max(1, min(max_limit, int(params.get("limit", default_limit))))
    except ValueError as exc:
        raise bad_param("limit must be an integer") from exc
    start = 0
    if params.get("after"):
        after = _uncursor(params["after"])
        keys = [key(i) for i in items]
        start = keys.index(after) + 1 if after in keys else len(items)
    page = list(items[start:start + limit])
    body: dict[str, Any] = {"data": [render(i) for i in page]}
    if page:
        body["paging"] = {"cursors": {"before": _cursor(key(page[0])),
                                      "after": _cursor(key(page[-1]))}}
        if start + limit < len(items):
            query = {k: v for k, v in params.items() if k not in ("after", "access_token")}
            query["after"] = body["paging"]["cursors"]["after"]
            body["paging"]["next"] = f"{request.url.scheme}://{request.url.netloc}" \
                                     f"{request.url.path}?{urlencode(query)}"
    return body


def edge_summary(total: int, sel: FieldSel) -> dict[str, Any]:
    """An edge asked as `name.limit(0).summary(true)`: counts only."""
    body: dict[str, Any] = {"data": []}
    if sel.mods.get("summary") in ("true", "total_count", "1"):
        body["summary"] = {"total_count": total}
    return body


Handler = Callable[[Request, TokenInfo], Awaitable[Any]]


@dataclass
class GraphApp:
    """Token, proof, rate limit and error envelope around every Graph handler of a sim."""

    world: World
    platform: str
    app_secrets: dict[str, str]  # account handle -> its app secret (appsecret_proof)
    business_ids: dict[str, str]  # account handle -> the id usage headers report under
    throttle_code: int  # 80001 (Pages) or 80002 (Instagram)

    def token_of(self, request: Request) -> str | None:
        header = request.headers.get("authorization", "")
        scheme, _, value = header.partition(" ")
        if scheme.lower() in ("bearer", "oauth") and value.strip():
            return value.strip()
        return request.query_params.get("access_token")

    def authenticate(self, request: Request) -> TokenInfo:
        try:
            info = self.world.tokens.check(self.platform, self.token_of(request))
        except TokenRejected as exc:
            raise token_failure(exc.problem) from exc
        proof = request.query_params.get("appsecret_proof")
        secret = self.app_secrets.get(info.account)
        if proof is not None and secret is not None:
            expected = hmac.new(secret.encode(), info.access_token.encode(),
                                hashlib.sha256).hexdigest()
            if not hmac.compare_digest(proof, expected):
                raise GraphFail("Invalid appsecret_proof provided in the API argument",
                                code=100, type="GraphMethodException")
        return info

    def usage_headers(self, account: str, used_percent: int, reset_at: float,
                      exceeded: bool) -> dict[str, str]:
        minutes = math.ceil(max(0.0, reset_at - time.time()) / 60) if exceeded else 0
        business = self.business_ids.get(account, account)
        kind = "instagram" if self.platform == "instagram" else "pages"
        return {
            "X-App-Usage": json.dumps({"call_count": used_percent, "total_cputime": 1,
                                       "total_time": 1}),
            "X-Business-Use-Case-Usage": json.dumps({business: [{
                "type": kind, "call_count": used_percent, "total_cputime": 1, "total_time": 1,
                "estimated_time_to_regain_access": minutes}]}),
        }

    async def handle(self, request: Request, handler: Handler) -> Response:
        try:
            info = self.authenticate(request)
            state = self.world.limits.hit(self.platform, info.account)
            headers = self.usage_headers(info.account, state.used_percent, state.reset_at,
                                         state.exceeded)
            if state.exceeded:
                raise GraphFail(f"(#{self.throttle_code}) There have been too many calls to "
                                "this account. Wait a bit and try again.",
                                code=self.throttle_code, headers=headers)
            body = await handler(request, info)
        except GraphFail as fail:
            return fail.response()
        return JSONResponse(body, headers=headers)


async def form_or_json(request: Request) -> dict[str, Any]:
    """Graph takes POST parameters as a form, as JSON, or in the query string."""
    data: dict[str, Any] = dict(request.query_params)
    content_type = request.headers.get("content-type", "")
    if "json" in content_type:
        try:
            body = await request.json()
        except ValueError as exc:
            raise bad_param("Invalid JSON body") from exc
        if isinstance(body, dict):
            data.update(body)
    else:  # application/x-www-form-urlencoded (no multipart: Graph text params only)
        raw = (await request.body()).decode("utf-8", errors="replace")
        data.update(parse_qsl(raw, keep_blank_values=True))
    return data


def json_param(value: Any) -> Any:
    """An object parameter (`recipient`, a message's `message`) sent JSON-encoded in a form."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


# --- Page-owned conversations (Messenger and Instagram Direct share the model) ---------------

RESPONSE_WINDOW_S = 24 * 3600
HUMAN_AGENT_WINDOW_S = 7 * 24 * 3600
CONVERSATION_FIELDS = frozenset({"id", "updated_time", "link", "message_count", "unread_count",
                                 "participants", "snippet", "can_reply", "name"})
MESSAGE_FIELDS = frozenset({"id", "message", "created_time", "from", "to", "attachments"})


@dataclass
class SimMessage:
    id: str
    sender: dict[str, str]  # {"id", "name"} or {"id", "username"}
    recipient: dict[str, str]
    text: str
    created: datetime
    broken: bool = False  # served without created_time (malformed-item tests)

    def full(self) -> dict[str, Any]:
        return {"id": self.id, "message": self.text, "from": self.sender,
                "to": {"data": [self.recipient]},
                "created_time": None if self.broken else graph_time(self.created)}


@dataclass
class SimConversation:
    id: str
    customer: dict[str, str]
    messages: list[SimMessage] = field(default_factory=list)
    unread: int = 0

    @property
    def updated(self) -> datetime:
        return max(m.created for m in self.messages)

    def full(self, brand: dict[str, str], link_base: str) -> dict[str, Any]:
        return {"id": self.id, "updated_time": graph_time(self.updated),
                "link": f"{link_base}/{self.id}", "message_count": len(self.messages),
                "unread_count": self.unread, "snippet": self.messages[-1].text[:100],
                "can_reply": True, "participants": {"data": [self.customer, brand]}}

    def last_from_customer(self) -> datetime | None:
        times = [m.created for m in self.messages if m.sender["id"] == self.customer["id"]]
        return max(times) if times else None


def check_window(conversation: SimConversation, messaging_type: str, tag: str | None,
                 now: datetime) -> None:
    """The Messenger Platform's rules for a Page's message to a person."""
    last = conversation.last_from_customer()
    if last is None:
        raise GraphFail("(#10) This message is sent outside of allowed window.", code=10,
                        subcode=2018278)
    age = (now - last).total_seconds()
    if messaging_type == "RESPONSE":
        allowed = RESPONSE_WINDOW_S
    elif messaging_type == "MESSAGE_TAG":
        if tag != "HUMAN_AGENT":
            raise bad_param(f"Param tag must be HUMAN_AGENT here, got {tag!r}")
        allowed = HUMAN_AGENT_WINDOW_S
    else:
        raise bad_param("messaging_type must be RESPONSE or MESSAGE_TAG")
    if age > allowed:
        raise GraphFail("(#10) This message is sent outside of allowed window. Learn more "
                        "about the new policy here: https://developers.facebook.com/docs/"
                        "messenger-platform/policy-overview", code=10, subcode=2018278,
                        type="OAuthException")
