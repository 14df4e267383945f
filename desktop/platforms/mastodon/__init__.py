"""Mastodon (any instance, and Mastodon-API servers such as snac2): see README.md here."""

from __future__ import annotations

from collections.abc import Callable

import httpx

from desktop.domain.enums import Platform
from desktop.domain.errors import SyncError, SyncErrorKind, UserError
from desktop.domain.models import Account
from desktop.platforms.base import Credentials, CredentialsSaver, PlatformClient
from desktop.platforms.http import json_body, make_http_client, send
from desktop.platforms.mastodon.client import MastodonClient
from desktop.platforms.mastodon.mapping import MappingError, profile_from_account
from desktop.platforms.mastodon.oauth import authorize
from desktop.platforms.registry import Connection


def create_client(account: Account, credentials: Credentials,
                  save_credentials: CredentialsSaver,
                  transport: httpx.AsyncBaseTransport | None = None) -> PlatformClient:
    return MastodonClient(account, credentials, save_credentials, transport)


async def connect_token(server_url: str, token: str, *,
                        transport: httpx.AsyncBaseTransport | None = None) -> Connection:
    """An account from a server URL and an access token (`accounts add mastodon --token`)."""
    return await _connection(server_url.rstrip("/"), Credentials(access_token=token), transport)


async def connect_oauth(server_url: str, open_url: Callable[[str], object], *,
                        login_hint: str | None = None,
                        transport: httpx.AsyncBaseTransport | None = None) -> Connection:
    """An account by signing in through the browser (authorization code + PKCE)."""
    base = server_url.rstrip("/")
    credentials = await authorize(base, open_url, login_hint=login_hint, transport=transport)
    return await _connection(base, credentials, transport)


async def connect_sandbox(sandbox_url: str, handle: str | None = None) -> Connection:
    """Sign a sandbox brand account in with the real OAuth flow; the sandbox approves at once
    and this function plays the browser that follows the redirect to our loopback listener."""
    async with make_http_client(sandbox_url) as http:
        listing = json_body(await send(http, "GET", "/__sandbox__/accounts"))
    rows = listing.get("mastodon") if isinstance(listing, dict) else None
    if not rows:
        raise UserError(f"the sandbox at {sandbox_url} has no Mastodon accounts")
    row = next((r for r in rows if handle in (None, r.get("handle"))), None)
    if row is None:
        known = ", ".join(str(r.get("handle")) for r in rows)
        raise UserError(f"no Mastodon sandbox account {handle!r} (known: {known})")

    async def play_browser(url: str) -> None:
        async with httpx.AsyncClient(follow_redirects=True, timeout=10) as browser:
            await browser.get(url)

    return await connect_oauth(str(row["base_url"]), play_browser, login_hint=str(row["handle"]))


async def _connection(base_url: str, credentials: Credentials,
                      transport: httpx.AsyncBaseTransport | None) -> Connection:
    headers = {"Authorization": f"Bearer {credentials.access_token}"}
    async with make_http_client(base_url, headers=headers, transport=transport) as http:
        me = json_body(await send(http, "GET", "/api/v1/accounts/verify_credentials"))
    try:
        profile = profile_from_account(me)
    except MappingError as exc:
        raise SyncError(SyncErrorKind.PERMANENT, f"unusable account from {base_url}: {exc}"
                        ) from exc
    return Connection(platform=Platform.MASTODON, base_url=base_url, handle=profile.handle,
                      display_name=profile.display_name or profile.handle,
                      platform_user_id=profile.platform_user_id, credentials=credentials)


__all__ = ["MastodonClient", "connect_oauth", "connect_sandbox", "connect_token",
           "create_client"]
