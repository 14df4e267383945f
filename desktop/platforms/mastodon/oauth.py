"""Signing in to a Mastodon server: OAuth 2 authorization code + PKCE with a loopback redirect.

For the accounts dialog (it passes `open_url=webbrowser.open`) and for the sandbox (where
`connect_sandbox` plays the browser). Steps: register an app (`POST /api/v1/apps`) with a
redirect to `http://127.0.0.1:PORT/callback` served by `LoopbackReceiver`, open the
authorize URL with an S256 challenge and a state, receive the code, exchange it at
`/oauth/token` with the verifier. Mastodon tokens do not expire; the app's client id and
secret are kept with the token so it can be revoked later.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import inspect
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx

from desktop.domain.errors import SyncError, SyncErrorKind
from desktop.platforms.base import Credentials
from desktop.platforms.http import json_body, make_http_client, send

SCOPES = "read write"
CLIENT_NAME = "Switchboard"
PAGE_DONE = (b"HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close"
             b"\r\n\r\nSwitchboard is signed in. You can close this window.\n")
PAGE_BAD = b"HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\nNot a sign-in answer.\n"


@dataclass(frozen=True, slots=True)
class AppRegistration:
    client_id: str
    client_secret: str
    redirect_uri: str


def pkce_pair() -> tuple[str, str]:
    """(verifier, S256 challenge) as RFC 7636 describes."""
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


async def register_app(base_url: str, redirect_uri: str, *, scopes: str = SCOPES,
                       transport: httpx.AsyncBaseTransport | None = None) -> AppRegistration:
    async with make_http_client(base_url, transport=transport) as http:
        response = await send(http, "POST", "/api/v1/apps", data={
            "client_name": CLIENT_NAME, "redirect_uris": redirect_uri, "scopes": scopes})
        data = json_body(response)
    try:
        return AppRegistration(str(data["client_id"]), str(data["client_secret"]), redirect_uri)
    except (KeyError, TypeError) as exc:
        raise SyncError(SyncErrorKind.PERMANENT, "the server did not register the app") from exc


def authorize_url(base_url: str, app: AppRegistration, *, state: str, challenge: str,
                  scopes: str = SCOPES, login_hint: str | None = None) -> str:
    query = {"response_type": "code", "client_id": app.client_id,
             "redirect_uri": app.redirect_uri, "scope": scopes, "state": state,
             "code_challenge": challenge, "code_challenge_method": "S256"}
    if login_hint:
        query["login_hint"] = login_hint
    return f"{base_url.rstrip('/')}/oauth/authorize?{urlencode(query)}"


async def exchange_code(base_url: str, app: AppRegistration, code: str, verifier: str, *,
                        scopes: str = SCOPES,
                        transport: httpx.AsyncBaseTransport | None = None) -> Credentials:
    async with make_http_client(base_url, transport=transport) as http:
        response = await send(http, "POST", "/oauth/token", data={
            "grant_type": "authorization_code", "code": code, "client_id": app.client_id,
            "client_secret": app.client_secret, "redirect_uri": app.redirect_uri,
            "code_verifier": verifier, "scope": scopes})
        data = json_body(response)
    token = data.get("access_token") if isinstance(data, dict) else None
    if not isinstance(token, str) or not token:
        raise SyncError(SyncErrorKind.AUTH, "the server returned no access token")
    return Credentials(access_token=token, client_id=app.client_id,
                       client_secret=app.client_secret)


class LoopbackReceiver:
    """A one-shot HTTP listener on 127.0.0.1 that receives the authorization redirect."""

    def __init__(self, path: str = "/callback") -> None:
        self.path = path
        self.redirect_uri = ""
        self._server: asyncio.Server | None = None
        self._result: asyncio.Future[dict[str, str]] | None = None

    async def __aenter__(self) -> LoopbackReceiver:
        self._result = asyncio.get_running_loop().create_future()
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        port = self._server.sockets[0].getsockname()[1]
        self.redirect_uri = f"http://127.0.0.1:{port}{self.path}"
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            request_line = (await asyncio.wait_for(reader.readline(), 10)).decode("latin-1")
            while (await asyncio.wait_for(reader.readline(), 10)) not in (b"\r\n", b"\n", b""):
                pass
            parts = request_line.split()
            target = urlsplit(parts[1]) if len(parts) >= 2 else None
            params = {k: v[0] for k, v in parse_qs(target.query).items()} if target else {}
            ok = bool(target and target.path == self.path and ("code" in params
                                                               or "error" in params))
            writer.write(PAGE_DONE if ok else PAGE_BAD)
            await writer.drain()
            if ok and self._result is not None and not self._result.done():
                self._result.set_result(params)
        except (TimeoutError, ConnectionError, UnicodeDecodeError):
            pass
        finally:
            writer.close()

    async def wait(self, timeout: float) -> dict[str, str]:
        assert self._result is not None, "use `async with LoopbackReceiver()`"
        return await asyncio.wait_for(self._result, timeout)


async def authorize(base_url: str, open_url: Callable[[str], object], *,
                    login_hint: str | None = None, timeout: float = 300.0,
                    scopes: str = SCOPES,
                    transport: httpx.AsyncBaseTransport | None = None) -> Credentials:
    """The whole sign-in; `open_url` shows the authorize page (a browser, or a test)."""
    verifier, challenge = pkce_pair()
    state = secrets.token_urlsafe(16)
    async with LoopbackReceiver() as receiver:
        app = await register_app(base_url, receiver.redirect_uri, scopes=scopes,
                                 transport=transport)
        url = authorize_url(base_url, app, state=state, challenge=challenge, scopes=scopes,
                            login_hint=login_hint)
        opened = open_url(url)
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
    return await exchange_code(base_url, app, answer["code"], verifier, scopes=scopes,
                               transport=transport)

