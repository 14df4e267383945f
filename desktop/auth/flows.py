"""Each platform's way in, from what the user typed to a `Connection` (row + secret).

- Mastodon (any instance): register an app on the instance for this sign-in's loopback
  redirect (`POST /api/v1/apps`), then authorization code + PKCE; scopes `read write`.
- X: OAuth 2.0 authorization code + PKCE with the user's own app, as a public client
  ("Native App": client id only) or a confidential one (client id + secret, HTTP Basic at
  the token endpoint); `offline.access` gives a rotating refresh token.
- Bluesky: `createSession` with an app password (Bluesky has no third-party OAuth for PDS
  accounts that a desktop client can register for without a hosted client metadata file).
- Facebook / Instagram: the user's own Meta app (app id + secret) and a user token, exchanged
  for a long-lived Page token (desktop.platforms.facebook.connect).
- The sandbox: its brand accounts sign in through the same flows; its authorize pages approve
  at once, so a "browser" that follows redirects (`play_browser`) completes them.
"""

from __future__ import annotations

import dataclasses
import webbrowser
from dataclasses import dataclass

import httpx

from desktop.auth.errors import SignInError
from desktop.auth.oauth import DEFAULT_TIMEOUT_S, OAuthClient, OpenUrl, sign_in
from desktop.domain.enums import Platform
from desktop.domain.errors import SyncError, SyncErrorKind, UserError
from desktop.domain.models import Account
from desktop.platforms import bluesky, facebook, instagram, mastodon
from desktop.platforms.base import Credentials
from desktop.platforms.facebook.connect import sandbox_account
from desktop.platforms.http import json_body, make_http_client, send
from desktop.platforms.mastodon import oauth as mastodon_oauth
from desktop.platforms.registry import Connection
from desktop.platforms.x import client as x_client
from desktop.platforms.x import mapping as x_mapping
from desktop.platforms.x import oauth as x_oauth

X_API = x_oauth.PUBLIC_API
GRAPH_API = "https://graph.facebook.com"
BLUESKY_PDS = "https://bsky.social"
SANDBOX_SETTING = "sandbox_url"  # kept in the account's settings: re-auth goes there again


@dataclass(frozen=True, slots=True)
class ConnectRequest:
    """What the user gave to connect (or re-authenticate) one account."""

    platform: Platform
    sandbox_url: str | None = None  # a sandbox brand account instead of the real platform
    server: str | None = None  # instance / PDS / API base URL
    handle: str | None = None  # Bluesky handle; login hint; sandbox brand; IG username
    token: str | None = None  # Mastodon: an access token from Preferences > Development
    app_password: str | None = None  # Bluesky
    client_id: str | None = None  # X OAuth 2.0 client id / Meta app id
    client_secret: str | None = None  # X confidential client / Meta app secret
    user_token: str | None = None  # Meta: a Page admin's user access token
    page: str | None = None  # Facebook: which Page (id, username or name)
    callback_port: str | None = None  # X: the port of the app's registered loopback callback

    def given(self) -> dict[str, str]:
        """The fields the user filled in (for `reauth_request`)."""
        return {
            f.name: value
            for f in dataclasses.fields(self)
            if f.name != "platform" and isinstance(value := getattr(self, f.name), str) and value
        }

    def __repr__(self) -> str:  # secrets never reach a log line or a traceback
        shown = {
            f.name: getattr(self, f.name)
            for f in dataclasses.fields(self)
            if f.name
            in ("platform", "sandbox_url", "server", "handle", "client_id", "page", "callback_port")
        }
        return f"ConnectRequest({shown})"


async def play_browser(url: str) -> None:
    """Follow the authorize URL and its redirects like a browser whose user clicks Allow."""
    async with httpx.AsyncClient(follow_redirects=True, timeout=20) as browser:
        response = await browser.get(url)
        if response.status_code >= 400 and "/callback" not in str(response.url):
            raise SignInError(f"the sign-in page answered HTTP {response.status_code}")


def system_browser(url: str) -> bool:
    return webbrowser.open(url, new=1)


async def connect(
    request: ConnectRequest,
    open_url: OpenUrl | None = None,
    *,
    timeout: float = DEFAULT_TIMEOUT_S,
    transport: httpx.AsyncBaseTransport | None = None,
) -> Connection:
    """Sign in as `request` says. `open_url` shows the authorize page: the system browser
    by default, the played browser for the sandbox."""
    if request.sandbox_url:
        connection = await _connect_sandbox(request, open_url or play_browser, timeout)
        settings = {**connection.settings, SANDBOX_SETTING: request.sandbox_url.rstrip("/")}
        return dataclasses.replace(connection, settings=settings)
    browser = open_url or system_browser
    match request.platform:
        case Platform.MASTODON:
            server = _required(request.server, "the Mastodon server (instance URL)")
            if request.token:
                return await mastodon.connect_token(server, request.token, transport=transport)
            return await connect_mastodon(
                server, browser, login_hint=request.handle, timeout=timeout, transport=transport
            )
        case Platform.X:
            return await connect_x(
                request.server or X_API,
                _required(request.client_id, "the X app's OAuth 2.0 client id"),
                browser,
                client_secret=request.client_secret,
                callback_port=_port(request.callback_port),
                timeout=timeout,
                transport=transport,
            )
        case Platform.BLUESKY:
            return await bluesky.connect_app_password(
                request.server or BLUESKY_PDS,
                _required(request.handle, "the Bluesky handle").lstrip("@"),
                _required(request.app_password, "an app password"),
                transport=transport,
            )
        case Platform.FACEBOOK | Platform.INSTAGRAM:
            return await connect_meta(request, transport=transport)
    raise UserError(f"cannot connect {request.platform.value} accounts")


def _port(value: str | None) -> int:
    if not value:
        return 0
    if not value.strip().isdigit() or not 0 < int(value) < 65536:
        raise UserError(f"the callback port must be a number from 1 to 65535, not {value!r}")
    return int(value)


def _required(value: str | None, what: str) -> str:
    if not value or not value.strip():
        raise UserError(f"{what} is needed")
    return value.strip()


async def connect_mastodon(
    server: str,
    open_url: OpenUrl,
    *,
    login_hint: str | None = None,
    timeout: float = DEFAULT_TIMEOUT_S,
    transport: httpx.AsyncBaseTransport | None = None,
) -> Connection:
    base = server.rstrip("/")
    if "://" not in base:
        base = f"https://{base}"

    async def register(redirect_uri: str) -> OAuthClient:
        app = await mastodon_oauth.register_app(base, redirect_uri, transport=transport)
        return OAuthClient(
            client_id=app.client_id,
            client_secret=app.client_secret,
            authorize_url=f"{base}/oauth/authorize",
            token_url=f"{base}/oauth/token",
            scope=mastodon_oauth.SCOPES,
            token_auth="client_secret_post",
        )

    done = await sign_in(
        register, open_url, timeout=timeout, transport=transport, login_hint=login_hint
    )
    credentials = Credentials(
        access_token=str(done.token["access_token"]),
        client_id=done.client.client_id,
        client_secret=done.client.client_secret,
    )
    connection = await mastodon.connect_token(
        base, str(credentials.access_token), transport=transport
    )
    return dataclasses.replace(connection, credentials=credentials)


async def connect_x(
    base_url: str,
    client_id: str,
    open_url: OpenUrl,
    *,
    client_secret: str | None = None,
    callback_port: int = 0,
    timeout: float = DEFAULT_TIMEOUT_S,
    transport: httpx.AsyncBaseTransport | None = None,
) -> Connection:
    """X matches the redirect URI exactly: if the app's callback names a port (e.g.
    `http://127.0.0.1:8976/callback`), pass it as `callback_port`; it is kept in the
    account's settings for re-authentication."""
    base = base_url.rstrip("/")
    client = OAuthClient(
        client_id=client_id,
        client_secret=client_secret or None,
        authorize_url=x_oauth.authorize_endpoint(base),
        token_url=f"{base}{x_oauth.TOKEN_PATH}",
        scope=x_oauth.SCOPES,
        token_auth="client_secret_basic" if client_secret else "none",
    )

    async def known(_redirect_uri: str) -> OAuthClient:
        return client

    done = await sign_in(known, open_url, timeout=timeout, transport=transport, port=callback_port)
    credentials = dataclasses.replace(
        x_oauth.credentials_from_token(done.token, client_id), client_secret=client.client_secret
    )
    headers = {"Authorization": f"Bearer {credentials.access_token}"}
    async with make_http_client(base, headers=headers, transport=transport) as http:
        me = json_body(
            await send(
                http,
                "GET",
                "/2/users/me",
                classify=x_client.classify,
                params={"user.fields": "name,username,public_metrics"},
            )
        )
    try:
        profile = x_mapping.profile_from_user(me.get("data") if isinstance(me, dict) else None)
    except x_mapping.MappingError as exc:
        raise SyncError(SyncErrorKind.PERMANENT, f"unusable /2/users/me: {exc}") from exc
    return Connection(
        platform=Platform.X,
        base_url=base,
        handle=profile.handle,
        display_name=profile.display_name or profile.handle,
        platform_user_id=profile.platform_user_id,
        credentials=credentials,
        settings={"callback_port": callback_port} if callback_port else {},
    )


async def connect_meta(
    request: ConnectRequest, *, transport: httpx.AsyncBaseTransport | None = None
) -> Connection:
    """A Facebook Page or an Instagram account through the user's own Meta app."""
    base = request.server or GRAPH_API
    app_id = _required(request.client_id, "the Meta app id")
    app_secret = _required(request.client_secret, "the Meta app secret")
    user_token = _required(request.user_token, "a user access token")
    if request.platform is Platform.INSTAGRAM:
        return await instagram.connect(
            base,
            app_id=app_id,
            app_secret=app_secret,
            user_token=user_token,
            username=request.handle or None,
            transport=transport,
        )
    return await facebook.connect(
        base,
        app_id=app_id,
        app_secret=app_secret,
        user_token=user_token,
        page=request.page or None,
        transport=transport,
    )


async def _connect_sandbox(
    request: ConnectRequest, open_url: OpenUrl, timeout: float
) -> Connection:
    url = str(request.sandbox_url).rstrip("/")
    platform = request.platform
    row = await sandbox_account(url, platform.value, request.handle)
    base = str(row.get("base_url") or f"{url}/{platform.value}")
    match platform:
        case Platform.MASTODON:
            return await connect_mastodon(
                base, open_url, login_hint=str(row["handle"]), timeout=timeout
            )
        case Platform.X:
            return await connect_x(base, str(row["client_id"]), open_url, timeout=timeout)
        case Platform.BLUESKY:
            return await bluesky.connect_app_password(
                base, str(row["handle"]), str(row["app_password"])
            )
        case Platform.FACEBOOK:
            return await facebook.connect_sandbox(url, str(row["handle"]))
        case Platform.INSTAGRAM:
            return await instagram.connect_sandbox(url, str(row["handle"]))
    raise UserError(f"the sandbox has no {platform.value}")


def reauth_request(
    account: Account, credentials: Credentials | None, **given: str | None
) -> ConnectRequest:
    """Sign the same account in again: what is known about it, plus what the user `given`
    (a new app password, a new Meta user token, ...)."""
    known = credentials or Credentials()
    fields: dict[str, str | None] = {
        "server": account.base_url,
        "handle": account.handle,
        "client_id": known.client_id,
        "client_secret": known.client_secret,
        "app_password": known.app_password,
        "page": account.platform_user_id or None,
        "callback_port": str(account.settings.get("callback_port") or "") or None,
    }
    sandbox = account.settings.get(SANDBOX_SETTING)
    if isinstance(sandbox, str) and sandbox:
        fields = {"handle": account.handle, "sandbox_url": sandbox}
    if account.platform is Platform.INSTAGRAM:
        fields.pop("page", None)
    fields.update({k: v for k, v in given.items() if v})
    return ConnectRequest(platform=account.platform, **fields)


def same_account(account: Account, connection: Connection) -> bool:
    """Whether a re-authentication signed in the account it was meant for."""
    if account.platform is not connection.platform:
        return False
    if account.platform_user_id and connection.platform_user_id:
        return account.platform_user_id == connection.platform_user_id
    return account.handle.lower() == connection.handle.lower()
