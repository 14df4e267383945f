"""Connecting a Facebook Page: the user's own Meta app plus a user token -> a Page token.

The flow Meta documents for server-held Page tokens:
1. exchange the (short-lived) user token for a long-lived one:
   `GET /oauth/access_token?grant_type=fb_exchange_token&client_id&client_secret&fb_exchange_token`
2. `GET /me/accounts` with it: the Pages the user manages, each with its Page access token
   (derived from a long-lived user token, a Page token does not expire);
3. verify the Page token with `GET /{page-id}?fields=id,name,username,link`.
The app id and secret go to the keyring with the Page token (Credentials.client_id/secret).
"""

from __future__ import annotations

from typing import Any

import httpx

from desktop.domain.enums import Platform
from desktop.domain.errors import SyncError, SyncErrorKind
from desktop.platforms.base import Credentials
from desktop.platforms.http import json_body, make_http_client, send
from desktop.platforms.meta_graph import API_VERSION, GraphSession, classify
from desktop.platforms.registry import Connection


async def exchange_user_token(http: httpx.AsyncClient, *, app_id: str, app_secret: str,
                              user_token: str) -> str:
    """A long-lived user token for a short-lived one (step 1).

    Sent as a POST form rather than Meta's GET example so the app secret and the token never
    sit in a URL (httpx logs request URLs at INFO)."""
    response = await send(http, "POST", f"/{API_VERSION}/oauth/access_token", classify=classify,
                          data={"grant_type": "fb_exchange_token", "client_id": app_id,
                                "client_secret": app_secret, "fb_exchange_token": user_token})
    token = json_body(response).get("access_token")
    if not token:
        raise SyncError(SyncErrorKind.AUTH, "the token exchange returned no access_token")
    return str(token)


async def managed_pages(http: httpx.AsyncClient, *, user_token: str, app_secret: str,
                        fields: str = "id,name,username,access_token") -> list[dict[str, Any]]:
    """Step 2: the Pages this user manages, each with its Page access token."""
    session = GraphSession(http, user_token, app_secret)
    pages = await session.pages("me/accounts", {"fields": fields, "limit": 100}, max_pages=5)
    return [p for p in pages if isinstance(p, dict) and p.get("id") and p.get("access_token")]


def pick_page(pages: list[dict[str, Any]], wanted: str | None) -> dict[str, Any]:
    """The Page named by id, username or name; the only one when `wanted` is None."""
    if wanted is None:
        if len(pages) == 1:
            return pages[0]
        names = ", ".join(str(p.get("username") or p.get("name")) for p in pages) or "none"
        raise SyncError(SyncErrorKind.PERMANENT, f"choose a Page (this user manages: {names})")
    for page in pages:
        if wanted in (str(page.get("id")), page.get("username"), page.get("name")):
            return page
    raise SyncError(SyncErrorKind.PERMANENT, f"this user does not manage a Page {wanted!r}")


async def connect(base_url: str, *, app_id: str, app_secret: str, user_token: str,
                  page: str | None = None, transport: httpx.AsyncBaseTransport | None = None
                  ) -> Connection:
    """Steps 1-3 against `base_url` (https://graph.facebook.com or the sandbox)."""
    async with make_http_client(base_url, transport=transport) as http:
        long_lived = await exchange_user_token(http, app_id=app_id, app_secret=app_secret,
                                               user_token=user_token)
        chosen = pick_page(await managed_pages(http, user_token=long_lived,
                                               app_secret=app_secret), page)
        page_token = str(chosen["access_token"])
        info = await GraphSession(http, page_token, app_secret).get(
            str(chosen["id"]), {"fields": "id,name,username,link"})
    page_id = str(info.get("id") or chosen["id"])
    name = str(info.get("name") or chosen.get("name") or page_id)
    return Connection(
        platform=Platform.FACEBOOK,
        base_url=base_url.rstrip("/"),
        handle=str(info.get("username") or name),
        display_name=name,
        platform_user_id=page_id,
        credentials=Credentials(access_token=page_token, client_id=app_id,
                                client_secret=app_secret, extra={"page_id": page_id}),
        settings={"api_version": API_VERSION},
    )


async def sandbox_account(sandbox_url: str, platform: str, handle: str | None
                          ) -> dict[str, Any]:
    """The sandbox's row for a brand account (`GET /__sandbox__/accounts`)."""
    async with make_http_client(sandbox_url) as http:
        response = await send(http, "GET", "/__sandbox__/accounts")
        rows = json_body(response).get(platform) or []
    for row in rows:
        if handle is None or handle in (row.get("handle"), row.get("page_id")):
            return dict(row)
    raise SyncError(SyncErrorKind.PERMANENT,
                    f"the sandbox has no {platform} account {handle or ''}".rstrip())


async def connect_sandbox(sandbox_url: str, handle: str | None = None) -> Connection:
    """The sandbox lists the app credentials and a user token; the rest is the real flow."""
    row = await sandbox_account(sandbox_url, "facebook", handle)
    return await connect(
        str(row.get("base_url") or f"{sandbox_url.rstrip('/')}/facebook"),
        app_id=str(row["app_id"]), app_secret=str(row["app_secret"]),
        user_token=str(row["user_access_token"]), page=str(row["page_id"]),
    )
