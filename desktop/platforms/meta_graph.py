"""Graph API pieces shared by the Facebook Pages and Instagram connectors.

Both speak graph.facebook.com: the same error envelope, the same throttling codes and usage
headers, the same cursor paging and the same timestamp format. Keeping them in one module
means a throttling rule fixed for one platform is fixed for the other.

- `classify(response)`: the Graph error envelope -> SyncError (auth, rate limited until T,
  transient, permanent), reading `X-App-Usage` / `X-Page-Usage` / `X-Business-Use-Case-Usage`.
- `next_after(body)`: the `after` cursor of a page, or None on the last page.
- `parse_time(value)`: Graph datetimes (`2024-05-01T12:34:56+0000`).
- `appsecret_proof(token, secret)`: the HMAC Graph accepts to prove the app owns the token.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from desktop.domain.errors import SyncError, SyncErrorKind
from desktop.platforms.http import default_classify, json_body, parse_retry_after, send

log = logging.getLogger(__name__)

API_VERSION = "v21.0"
USAGE_HEADERS = ("X-App-Usage", "X-Page-Usage", "X-Business-Use-Case-Usage")

# Codes from Meta's "Graph API error handling" and "Rate limiting" pages.
AUTH_CODES = frozenset({102, 104, 190})  # session invalid, token missing, token invalid/expired
THROTTLE_CODES = frozenset({4, 17, 32, 613})  # app, user, page, custom-level throttling
BUC_THROTTLE_RANGE = range(80000, 80100)  # business-use-case throttling (80001 pages, 80002 IG...)
TRANSIENT_CODES = frozenset({1, 2})  # unknown error, temporary service issue
# Without a usage estimate or Retry-After, how long to wait after a throttling answer. Meta
# only says "wait and retry" (app-level usage is a rolling hour); a minute keeps a parked
# stream responsive and a still-throttled retry simply parks it again.
DEFAULT_THROTTLE_WAIT = timedelta(minutes=1)
# Messenger / Instagram messaging: the message is outside the allowed window.
WINDOW_CODE, WINDOW_SUBCODE = 10, 2018278


@dataclass(frozen=True, slots=True)
class GraphError:
    """The `error` object of Graph's envelope."""

    message: str
    type: str
    code: int | None
    subcode: int | None
    fbtrace_id: str | None
    is_transient: bool = False

    @property
    def platform_code(self) -> str:
        if self.code is None:
            return ""
        return f"{self.code}/{self.subcode}" if self.subcode else str(self.code)


def parse_error(response: httpx.Response) -> GraphError | None:
    """The envelope `{"error": {"message", "type", "code", "error_subcode", "fbtrace_id"}}`."""
    try:
        body = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        return None
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        return None
    return GraphError(
        message=str(error.get("message") or "")[:500],
        type=str(error.get("type") or ""),
        code=_as_int(error.get("code")),
        subcode=_as_int(error.get("error_subcode")),
        fbtrace_id=str(error["fbtrace_id"]) if error.get("fbtrace_id") else None,
        is_transient=bool(error.get("is_transient")),
    )


def usage_retry_at(headers: Mapping[str, str], now: datetime | None = None) -> datetime | None:
    """The latest `estimated_time_to_regain_access` (minutes) in any usage header, as a time.

    X-App-Usage carries only percentages; X-Page-Usage and X-Business-Use-Case-Usage carry
    the estimate (per business id, a list of objects per use case).
    """
    now = now or datetime.now(UTC)
    minutes = [m for m in _usage_objects(headers, "estimated_time_to_regain_access") if m > 0]
    return now + timedelta(minutes=max(minutes)) if minutes else None


def usage_percent(headers: Mapping[str, str]) -> int:
    """The highest usage percentage (call count, CPU time, total time) in any usage header."""
    values: list[float] = []
    for key in ("call_count", "total_cputime", "total_time"):
        values.extend(_usage_objects(headers, key))
    return int(max(values, default=0))


def _usage_objects(headers: Mapping[str, str], key: str) -> list[float]:
    found: list[float] = []
    for name in USAGE_HEADERS:
        raw = headers.get(name)
        if not raw:
            continue
        try:
            data = json.loads(raw)
        except ValueError:
            log.debug("unparseable %s header ignored", name)
            continue
        objects: list[Any] = []
        if isinstance(data, dict) and name == "X-Business-Use-Case-Usage":
            for entries in data.values():
                objects.extend(entries if isinstance(entries, list) else [entries])
        else:
            objects.append(data)
        for obj in objects:
            if isinstance(obj, dict) and isinstance(obj.get(key), int | float):
                found.append(float(obj[key]))
    return found


def classify(response: httpx.Response) -> SyncError:
    """Graph's answer -> SyncError, by the envelope's code first and the status second.

    Graph answers most errors with HTTP 400 (even an expired token, code 190), so the status
    alone would call everything permanent.
    """
    error = parse_error(response)
    header_retry = usage_retry_at(response.headers) or parse_retry_after(
        response.headers.get("Retry-After")
    )
    if error is None or error.code is None:
        return default_classify(response, retry_at=header_retry)
    path = response.request.url.path
    message = f"Graph error {error.platform_code} ({error.type}) on {path}: {error.message}"
    code = error.code
    if code in AUTH_CODES:
        kind = SyncErrorKind.AUTH
    elif code in THROTTLE_CODES or code in BUC_THROTTLE_RANGE:
        retry_at = header_retry or datetime.now(UTC) + DEFAULT_THROTTLE_WAIT
        return SyncError(
            SyncErrorKind.RATE_LIMITED, message, retry_at=retry_at,
            status=response.status_code, platform_code=error.platform_code,
        )
    elif code in TRANSIENT_CODES or error.is_transient or response.status_code >= 500:
        kind = SyncErrorKind.TRANSIENT
    else:
        kind = SyncErrorKind.PERMANENT
    return SyncError(
        kind, message, retry_at=header_retry if kind is SyncErrorKind.TRANSIENT else None,
        status=response.status_code, platform_code=error.platform_code,
    )


def next_after(body: Mapping[str, Any]) -> str | None:
    """The `after` cursor when another page exists. Graph keeps `cursors` on the last page
    but drops `next`, so `next` is the signal and `after` the value."""
    paging = body.get("paging")
    if not isinstance(paging, dict) or not paging.get("next"):
        return None
    cursors = paging.get("cursors")
    after = cursors.get("after") if isinstance(cursors, dict) else None
    return str(after) if after else None


def parse_time(value: Any) -> datetime | None:
    """Graph datetimes are ISO 8601 with a `+0000` offset; None for anything else."""
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def format_time(value: datetime) -> str:
    """The inverse of parse_time, in Graph's own format."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")


def appsecret_proof(access_token: str, app_secret: str) -> str:
    """HMAC-SHA256 of the token keyed by the app secret (Graph's `appsecret_proof`)."""
    return hmac.new(app_secret.encode(), access_token.encode(), hashlib.sha256).hexdigest()


def _as_int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def plain_text(value: Any) -> str:
    """Graph text is plain already; drop control characters (keep newlines and tabs) so a
    crafted message cannot smuggle terminal escapes or NULs into the store or the UI."""
    if not isinstance(value, str):
        return ""
    return "".join(ch for ch in value if ch in "\n\t" or (ord(ch) >= 32 and ord(ch) != 127))


class GraphSession:
    """One account's Graph calls: version prefix, token, appsecret_proof, paging.

    The token travels in the Authorization header (never in a URL that could be logged);
    `appsecret_proof` is added when the app secret is known, as Meta recommends for
    server-held tokens.
    """

    def __init__(self, http: httpx.AsyncClient, access_token: str,
                 app_secret: str | None = None, version: str = API_VERSION) -> None:
        self.http = http
        self.version = version
        self._token = access_token
        self._proof = appsecret_proof(access_token, app_secret) if app_secret else None

    def _url(self, path: str) -> str:
        return f"/{self.version}/{path.lstrip('/')}"

    def _auth(self, params: Mapping[str, Any] | None) -> dict[str, Any]:
        merged = dict(params or {})
        if self._proof:
            merged["appsecret_proof"] = self._proof
        return merged

    @property
    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self._token}"}

    async def get(self, path: str, params: Mapping[str, Any] | None = None) -> dict[str, Any]:
        response = await send(self.http, "GET", self._url(path), classify=classify,
                              params=self._auth(params), headers=self._headers)
        return _object(json_body(response), path)

    async def post(self, path: str, *, data: Mapping[str, Any] | None = None,
                   json_data: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """A write: transport failures after sending become UNCERTAIN (see http.send)."""
        response = await send(self.http, "POST", self._url(path), classify=classify,
                              write=True, params=self._auth(None), headers=self._headers,
                              data=data, json=json_data)
        return _object(json_body(response), path)

    async def pages(self, path: str, params: Mapping[str, Any], *, max_pages: int,
                    stop_when: Callable[[Any], bool] | None = None) -> list[Any]:
        """Up to `max_pages` pages of an edge, each page's `data` list concatenated.

        `stop_when(entry)` true for any entry of a page ends the walk after that page (for
        newest-first edges: the page reached what an earlier sync already has). Entries are
        returned as the platform sent them; the mappers skip what is malformed.
        """
        items: list[Any] = []
        after: str | None = None
        for _ in range(max_pages):
            query = dict(params)
            if after:
                query["after"] = after
            body = await self.get(path, query)
            data = body.get("data")
            if not isinstance(data, list):
                raise SyncError(SyncErrorKind.TRANSIENT, f"no data list in the answer to {path}")
            items.extend(data)
            if stop_when is not None and any(stop_when(entry) for entry in data):
                break
            after = next_after(body)
            if after is None:
                break
        return items


def _object(body: Any, path: str) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise SyncError(SyncErrorKind.TRANSIENT, f"unexpected JSON shape from {path}")
    return body
