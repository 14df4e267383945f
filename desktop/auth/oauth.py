"""The OAuth 2.0 authorization-code flow with PKCE for a desktop app (RFC 6749, 7636, 8252).

Steps: a fresh PKCE pair and state; the loopback receiver starts and gives the redirect URI;
the client is known or registered for it (Mastodon registers an app per sign-in); the
authorize URL opens in the user's browser (`open_url`, `webbrowser.open` in the app, a
played browser against the sandbox); the redirect brings the code; the code and the
verifier are exchanged at the token endpoint.

The URL, the token request body and the challenge come from Authlib's RFC modules; the
request goes through the platforms' shared httpx client (timeouts, User-Agent, errors
mapped to SyncError). Authlib's own httpx client is not used: from Authlib 1.9 it moves to
the `httpx2` fork and warns on plain httpx.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Literal

import httpx
from authlib.oauth2.rfc6749.parameters import prepare_grant_uri, prepare_token_request

from desktop.auth.errors import SignInError
from desktop.auth.loopback import LoopbackReceiver
from desktop.auth.pkce import Pkce, new_pkce, new_state
from desktop.domain.errors import SyncError, SyncErrorKind
from desktop.platforms.http import json_body, make_http_client, send

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT_S = 300.0
OpenUrl = Callable[[str], object]  # may return an awaitable (a played browser)
TokenAuth = Literal["none", "client_secret_post", "client_secret_basic"]


@dataclass(frozen=True, slots=True)
class OAuthClient:
    """One OAuth client at one authorization server."""

    client_id: str
    authorize_url: str
    token_url: str
    scope: str
    client_secret: str | None = None
    # how the client authenticates at the token endpoint: a public client ("none") sends
    # only its id; confidential ones send the secret in the form or as HTTP Basic.
    token_auth: TokenAuth = "none"


@dataclass(frozen=True, slots=True)
class SignIn:
    """What a completed sign-in returns: the client used and the token response."""

    client: OAuthClient
    token: dict[str, Any]
    redirect_uri: str


def authorization_url(
    client: OAuthClient, redirect_uri: str, state: str, pkce: Pkce, **extra: str | None
) -> str:
    url: str = prepare_grant_uri(
        client.authorize_url,
        client.client_id,
        "code",
        redirect_uri=redirect_uri,
        scope=client.scope,
        state=state,
        code_challenge=pkce.challenge,
        code_challenge_method=pkce.method,
        **extra,
    )
    return url


def _classify_token_error(response: httpx.Response) -> SyncError:
    """Token endpoints answer `{"error", "error_description"}` (RFC 6749 5.2)."""
    try:
        body = response.json()
    except ValueError:
        body = {}
    code = body.get("error") if isinstance(body, dict) else None
    detail = body.get("error_description") if isinstance(body, dict) else None
    kind = (
        SyncErrorKind.TRANSIENT
        if response.status_code >= 500 or response.status_code == 429
        else SyncErrorKind.AUTH
    )
    text = ": ".join(str(p) for p in (code, detail) if p) or f"HTTP {response.status_code}"
    return SyncError(
        kind,
        f"the token endpoint refused the sign-in ({text})",
        status=response.status_code,
        platform_code=str(code) if code else None,
    )


async def exchange_code(
    client: OAuthClient,
    code: str,
    redirect_uri: str,
    verifier: str,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
) -> dict[str, Any]:
    """The token response for an authorization code (RFC 6749 4.1.3 with RFC 7636)."""
    form: dict[str, str] = {"client_id": client.client_id}
    if client.token_auth == "client_secret_post" and client.client_secret:
        form["client_secret"] = client.client_secret
    body = prepare_token_request(
        "authorization_code",
        code=code,
        redirect_uri=redirect_uri,
        code_verifier=verifier,
        **form,
    )
    auth = None
    if client.token_auth == "client_secret_basic" and client.client_secret:
        auth = httpx.BasicAuth(client.client_id, client.client_secret)
    async with make_http_client("", transport=transport) as http:
        response = await send(
            http,
            "POST",
            client.token_url,
            classify=_classify_token_error,
            content=body.encode(),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
            auth=auth,
        )
        data = json_body(response)
    if not isinstance(data, dict) or not isinstance(data.get("access_token"), str):
        raise SignInError("the server answered the sign-in without an access token")
    return data


async def sign_in(
    client_for: Callable[[str], Awaitable[OAuthClient]],
    open_url: OpenUrl,
    *,
    timeout: float = DEFAULT_TIMEOUT_S,
    transport: httpx.AsyncBaseTransport | None = None,
    port: int = 0,
    **extra: str | None,
) -> SignIn:
    """Run the whole flow. `client_for(redirect_uri)` returns the client (registering one if
    the platform wants that); `extra` adds authorize parameters (e.g. `login_hint`); `port`
    fixes the loopback port for apps whose registered callback must match exactly."""
    pkce = new_pkce()
    state = new_state()
    async with LoopbackReceiver(state, port=port) as receiver:
        client = await client_for(receiver.redirect_uri)
        url = authorization_url(client, receiver.redirect_uri, state, pkce, **extra)
        opened = open_url(url)
        if inspect.isawaitable(opened):
            await opened
        elif opened is False:
            log.warning("no browser could be opened; the sign-in page must be opened by hand")
        answer = await receiver.wait(timeout)
    if "error" in answer:
        reason = answer.get("error_description") or answer["error"]
        raise SignInError(f"the sign-in was declined ({reason})")
    token = await exchange_code(
        client, answer["code"], receiver.redirect_uri, pkce.verifier, transport=transport
    )
    return SignIn(client=client, token=token, redirect_uri=receiver.redirect_uri)
