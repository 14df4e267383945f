"""X (API v2, OAuth 2.0 with PKCE as a public client): see README.md here."""

from __future__ import annotations

from collections.abc import Callable

import httpx

from desktop.domain.enums import Platform
from desktop.domain.errors import SyncError, SyncErrorKind, UserError
from desktop.domain.models import Account
from desktop.platforms.base import Credentials, CredentialsSaver, PlatformClient
from desktop.platforms.http import json_body, make_http_client, send
from desktop.platforms.registry import Connection
from desktop.platforms.x.client import XClient, classify
from desktop.platforms.x.mapping import MappingError, profile_from_user
from desktop.platforms.x.oauth import authorize


def create_client(account: Account, credentials: Credentials,
                  save_credentials: CredentialsSaver,
                  transport: httpx.AsyncBaseTransport | None = None) -> PlatformClient:
    return XClient(account, credentials, save_credentials, transport)


async def connect_oauth(base_url: str, client_id: str, open_url: Callable[[str], object], *,
                        transport: httpx.AsyncBaseTransport | None = None) -> Connection:
    """`accounts add x --client-id ID`: sign in through the browser, then `GET /2/users/me`."""
    base = base_url.rstrip("/")
    credentials = await authorize(base, client_id, open_url, transport=transport)
    headers = {"Authorization": f"Bearer {credentials.access_token}"}
    async with make_http_client(base, headers=headers, transport=transport) as http:
        me = json_body(await send(http, "GET", "/2/users/me", classify=classify,
                                  params={"user.fields": "name,username,public_metrics"}))
    try:
        profile = profile_from_user(me.get("data") if isinstance(me, dict) else None)
    except MappingError as exc:
        raise SyncError(SyncErrorKind.PERMANENT, f"unusable /2/users/me: {exc}") from exc
    return Connection(platform=Platform.X, base_url=base, handle=profile.handle,
                      display_name=profile.display_name or profile.handle,
                      platform_user_id=profile.platform_user_id, credentials=credentials)


async def connect_sandbox(sandbox_url: str, handle: str | None = None) -> Connection:
    """The real PKCE flow against the sandbox, which approves at once; this function plays
    the browser that follows the redirect to our loopback listener."""
    async with make_http_client(sandbox_url) as http:
        listing = json_body(await send(http, "GET", "/__sandbox__/accounts"))
    rows = listing.get("x") if isinstance(listing, dict) else None
    if not rows:
        raise UserError(f"the sandbox at {sandbox_url} has no X accounts")
    row = next((r for r in rows if handle in (None, r.get("handle"))), None)
    if row is None:
        known = ", ".join(str(r.get("handle")) for r in rows)
        raise UserError(f"no X sandbox account {handle!r} (known: {known})")

    async def play_browser(url: str) -> None:
        async with httpx.AsyncClient(follow_redirects=True, timeout=10) as browser:
            await browser.get(url)

    return await connect_oauth(str(row["base_url"]), str(row["client_id"]), play_browser)


__all__ = ["XClient", "connect_oauth", "connect_sandbox", "create_client"]
