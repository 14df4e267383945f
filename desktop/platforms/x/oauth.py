"""X sign-in: OAuth 2.0 Authorization Code with PKCE for a public client, and refresh.

Access tokens live 2 hours; a refresh token comes only with the `offline.access` scope and
ROTATES on every refresh (the old one stops working), so the caller must save the new
credentials before using them. The loopback redirect listener and the PKCE pair are the
same as Mastodon's (RFC 8252 / RFC 7636), reused from there.
"""

from __future__ import annotations

import inspect
import secrets
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import httpx

from desktop.domain.errors import SyncError, SyncErrorKind
from desktop.platforms.base import Credentials
from desktop.platforms.http import json_body, make_http_client, send
from desktop.platforms.mastodon.oauth import LoopbackReceiver, pkce_pair

SCOPES = "tweet.read tweet.write users.read dm.read dm.write offline.access"
TOKEN_PATH = "/2/oauth2/token"
PUBLIC_API = "https://api.x.com"


def authorize_endpoint(base_url: str) -> str:
    """x.com serves the consent page; any other base (the sandbox) serves it itself."""
    base = base_url.rstrip("/")
    if base in (PUBLIC_API, "https://api.twitter.com"):
        return "https://x.com/i/oauth2/authorize"
    return f"{base}/i/oauth2/authorize"


def classify_token_error(response: httpx.Response) -> SyncError:
    """The token endpoint answers OAuth errors (`error`, `error_description`)."""
    try:
        body = response.json()
    except ValueError:
        body = {}
    code = body.get("error") if isinstance(body, dict) else None
    detail = body.get("error_description") if isinstance(body, dict) else None
    kind = SyncErrorKind.AUTH if response.status_code in (400, 401, 403) else \
        SyncErrorKind.TRANSIENT
    return SyncError(kind, f"X token endpoint refused: {code}: {detail}",
                     status=response.status_code, platform_code=str(code) if code else None)


def credentials_from_token(data: Any, client_id: str, previous: Credentials | None = None
                           ) -> Credentials:
    if not isinstance(data, dict) or not isinstance(data.get("access_token"), str):
        raise SyncError(SyncErrorKind.AUTH, "X returned no access token")
    expires_in = data.get("expires_in")
    refresh = data.get("refresh_token") or (previous.refresh_token if previous else None)
    return Credentials(
        access_token=data["access_token"], refresh_token=refresh,
        expires_at=time.time() + float(expires_in) if isinstance(expires_in, int | float)
        else None,
        client_id=client_id, extra=previous.extra if previous else None)


async def token_request(http: httpx.AsyncClient, form: dict[str, str]) -> Any:
    response = await send(http, "POST", TOKEN_PATH, classify=classify_token_error, data=form)
    return json_body(response)


async def refresh(http: httpx.AsyncClient, credentials: Credentials) -> Credentials:
    """Exchange the refresh token (used up by this call) for a new pair."""
    if not credentials.refresh_token or not credentials.client_id:
        raise SyncError(SyncErrorKind.AUTH, "X session expired and cannot be refreshed "
                        "(no offline.access); sign in again")
    data = await token_request(http, {"grant_type": "refresh_token",
                                      "refresh_token": credentials.refresh_token,
                                      "client_id": credentials.client_id})
    return credentials_from_token(data, credentials.client_id, credentials)


async def authorize(base_url: str, client_id: str, open_url: Callable[[str], object], *,
                    timeout: float = 300.0, scopes: str = SCOPES,
                    transport: httpx.AsyncBaseTransport | None = None) -> Credentials:
    """The whole sign-in: consent page in a browser, code to our loopback, code exchange."""
    verifier, challenge = pkce_pair()
    state = secrets.token_urlsafe(16)
    async with LoopbackReceiver() as receiver:
        query = {"response_type": "code", "client_id": client_id,
                 "redirect_uri": receiver.redirect_uri, "scope": scopes, "state": state,
                 "code_challenge": challenge, "code_challenge_method": "S256"}
        opened = open_url(f"{authorize_endpoint(base_url)}?{urlencode(query)}")
        if inspect.isawaitable(opened):
            await opened
        try:
            answer = await receiver.wait(timeout)
        except TimeoutError as exc:
            raise SyncError(SyncErrorKind.AUTH, "sign-in was not completed in time") from exc
    if answer.get("state") != state:
        raise SyncError(SyncErrorKind.AUTH, "sign-in answer with a wrong state (ignored)")
    if "code" not in answer:
        raise SyncError(SyncErrorKind.AUTH, f"sign-in refused: {answer.get('error')}")
    async with make_http_client(base_url, transport=transport) as http:
        data = await token_request(http, {
            "grant_type": "authorization_code", "code": answer["code"],
            "client_id": client_id, "redirect_uri": receiver.redirect_uri,
            "code_verifier": verifier})
    return credentials_from_token(data, client_id)
