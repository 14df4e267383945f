"""The one httpx.AsyncClient factory and the mapping of transport failures to SyncError.

Why here and not in each connector: timeouts, User-Agent, keep-alive and the rules for
"was this write applied?" must be identical for every platform, or exactly-once breaks on
the one platform that got them wrong. Each connector supplies only `classify`, which reads
its platform's own error body and rate-limit headers.
"""

from __future__ import annotations

import email.utils
import json
import logging
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from desktop import __version__
from desktop.domain.errors import SyncError, SyncErrorKind

log = logging.getLogger(__name__)

USER_AGENT = f"Switchboard/{__version__} (desktop inbox; +https://switchboard.invalid)"
DEFAULT_TIMEOUT = httpx.Timeout(20.0, connect=5.0)

Classifier = Callable[[httpx.Response], SyncError]


def make_http_client(
    base_url: str,
    *,
    headers: Mapping[str, str] | None = None,
    timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
    transport: httpx.AsyncBaseTransport | None = None,
) -> httpx.AsyncClient:
    """An HTTP/1.1 keep-alive client for one account's API base URL."""
    all_headers = {"User-Agent": USER_AGENT, "Accept": "application/json"}
    all_headers.update(headers or {})
    return httpx.AsyncClient(
        base_url=base_url.rstrip("/"),
        headers=all_headers,
        timeout=timeout,
        transport=transport,
        limits=httpx.Limits(max_connections=8, max_keepalive_connections=4, keepalive_expiry=30),
        follow_redirects=False,
    )


def parse_retry_after(value: str | None, now: datetime | None = None) -> datetime | None:
    """Retry-After as delta-seconds or an HTTP date."""
    if not value:
        return None
    now = now or datetime.now(UTC)
    value = value.strip()
    if value.isdigit():
        return now + timedelta(seconds=int(value))
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def epoch_to_datetime(value: str | None) -> datetime | None:
    """Reset headers in epoch seconds (X, Bluesky)."""
    if not value:
        return None
    try:
        return datetime.fromtimestamp(float(value), tz=UTC)
    except (ValueError, OverflowError, OSError):
        return None


def default_classify(response: httpx.Response, retry_at: datetime | None = None) -> SyncError:
    """Status-code rules shared by every platform; connectors refine them with the body."""
    status = response.status_code
    retry_at = retry_at or parse_retry_after(response.headers.get("Retry-After"))
    message = f"HTTP {status} from {response.request.method} {response.request.url.path}"
    if status == 401:
        return SyncError(SyncErrorKind.AUTH, message, status=status)
    if status == 429:
        return SyncError(SyncErrorKind.RATE_LIMITED, message, retry_at=retry_at, status=status)
    if status in (408, 425) or status >= 500:
        return SyncError(SyncErrorKind.TRANSIENT, message, retry_at=retry_at, status=status)
    return SyncError(SyncErrorKind.PERMANENT, message, status=status)


async def send(
    client: httpx.AsyncClient,
    method: str,
    url: str,
    *,
    classify: Classifier | None = None,
    write: bool = False,
    **kwargs: Any,
) -> httpx.Response:
    """Send one request; return a 2xx response or raise SyncError.

    `write=True` marks a request that creates something on the platform. For those, any
    failure after the request may have reached the server (read timeout, reset, 5xx) is
    UNCERTAIN: the outbox must reconcile before it may retry. A failure to connect at all
    is OFFLINE even for writes, because nothing was sent.
    """
    try:
        response = await client.request(method, url, **kwargs)
    except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
        raise SyncError(SyncErrorKind.OFFLINE, f"cannot reach {client.base_url}: {exc}") from exc
    except httpx.PoolTimeout as exc:
        raise SyncError(SyncErrorKind.TRANSIENT, f"connection pool busy: {exc}") from exc
    except (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError) as exc:
        kind = SyncErrorKind.UNCERTAIN if write else SyncErrorKind.TRANSIENT
        raise SyncError(kind, f"{method} {url}: {type(exc).__name__}: {exc}") from exc
    if response.is_success:
        return response
    error = (classify or default_classify)(response)
    if write and error.kind is SyncErrorKind.TRANSIENT and response.status_code >= 500:
        error = SyncError(
            SyncErrorKind.UNCERTAIN,
            f"{error} (the write may have been applied)",
            retry_at=error.retry_at,
            status=error.status,
            platform_code=error.platform_code,
        )
    raise error


def json_body(response: httpx.Response) -> Any:
    """Parse JSON; a malformed or truncated body is a transient failure, not a crash."""
    try:
        return response.json()
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise SyncError(
            SyncErrorKind.TRANSIENT,
            f"malformed JSON from {response.request.url.path}: {exc}",
            status=response.status_code,
        ) from exc
