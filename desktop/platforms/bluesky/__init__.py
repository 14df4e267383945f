"""Bluesky (any PDS, with an app password): see README.md here."""

from __future__ import annotations

import httpx

from desktop.domain.enums import Platform
from desktop.domain.errors import UserError
from desktop.domain.models import Account
from desktop.platforms.base import Credentials, CredentialsSaver, PlatformClient
from desktop.platforms.bluesky.client import (
    BlueskyClient,
    create_session,
    credentials_from_session,
)
from desktop.platforms.bluesky.tid import new_tid, record_key_for
from desktop.platforms.http import json_body, make_http_client, send
from desktop.platforms.registry import Connection


def create_client(account: Account, credentials: Credentials,
                  save_credentials: CredentialsSaver,
                  transport: httpx.AsyncBaseTransport | None = None) -> PlatformClient:
    return BlueskyClient(account, credentials, save_credentials, transport)


async def connect_app_password(server_url: str, handle: str, app_password: str, *,
                               transport: httpx.AsyncBaseTransport | None = None
                               ) -> Connection:
    """`accounts add bluesky --server URL --handle H --app-password P`: createSession."""
    base = server_url.rstrip("/")
    async with make_http_client(base, transport=transport) as http:
        session = await create_session(http, handle, app_password)
        credentials = credentials_from_session(session, app_password)
        did = str(session["did"])
        response = await send(http, "GET", "/xrpc/app.bsky.actor.getProfile",
                              params={"actor": did},
                              headers={"Authorization": f"Bearer {credentials.access_token}"})
        profile = json_body(response)
    name = profile.get("displayName") if isinstance(profile, dict) else None
    return Connection(platform=Platform.BLUESKY, base_url=base,
                      handle=str(session.get("handle") or handle),
                      display_name=str(name or session.get("handle") or handle),
                      platform_user_id=did, credentials=credentials)


async def connect_sandbox(sandbox_url: str, handle: str | None = None) -> Connection:
    """Sign a sandbox brand account in with its app password (the real createSession)."""
    async with make_http_client(sandbox_url) as http:
        listing = json_body(await send(http, "GET", "/__sandbox__/accounts"))
    rows = listing.get("bluesky") if isinstance(listing, dict) else None
    if not rows:
        raise UserError(f"the sandbox at {sandbox_url} has no Bluesky accounts")
    row = next((r for r in rows if handle in (None, r.get("handle"))), None)
    if row is None:
        known = ", ".join(str(r.get("handle")) for r in rows)
        raise UserError(f"no Bluesky sandbox account {handle!r} (known: {known})")
    return await connect_app_password(str(row["base_url"]), str(row["handle"]),
                                      str(row["app_password"]))


__all__ = ["BlueskyClient", "connect_app_password", "connect_sandbox", "create_client",
           "new_tid", "record_key_for"]
