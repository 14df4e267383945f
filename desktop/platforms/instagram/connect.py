"""Connecting an Instagram professional account through its Facebook Page.

Same Meta app and token flow as a Facebook Page (see facebook/connect.py): exchange the
user token, list the managed Pages with `instagram_business_account{id,username}`, keep the
Page token, and verify it by reading the IG user (`GET /{ig-user-id}?fields=...`).

Why the Facebook-Login route rather than "Instagram API with Instagram Login": it serves
comments, replies and DMs with the Page token the Facebook connector already uses (one app,
one review, one error and throttling dialect), and the node field lists we check against
(IGUser, IGMedia, IGComment) are the graph.facebook.com nodes. Its cost: the Instagram
account must be linked to a Facebook Page.
"""

from __future__ import annotations

import httpx

from desktop.domain.enums import Platform
from desktop.domain.errors import SyncError, SyncErrorKind
from desktop.platforms.base import Credentials
from desktop.platforms.facebook.connect import (
    exchange_user_token,
    managed_pages,
    sandbox_account,
)
from desktop.platforms.http import make_http_client
from desktop.platforms.meta_graph import API_VERSION, GraphSession
from desktop.platforms.registry import Connection

PAGE_FIELDS = "id,name,access_token,instagram_business_account{id,username}"


async def connect(base_url: str, *, app_id: str, app_secret: str, user_token: str,
                  username: str | None = None,
                  transport: httpx.AsyncBaseTransport | None = None) -> Connection:
    """The Instagram account `username` (or the only one) among the user's Pages."""
    async with make_http_client(base_url, transport=transport) as http:
        long_lived = await exchange_user_token(http, app_id=app_id, app_secret=app_secret,
                                               user_token=user_token)
        pages = await managed_pages(http, user_token=long_lived, app_secret=app_secret,
                                    fields=PAGE_FIELDS)
        linked = [p for p in pages if isinstance(p.get("instagram_business_account"), dict)]
        if username is not None:
            linked = [p for p in linked
                      if username in (p["instagram_business_account"].get("username"),
                                      p["instagram_business_account"].get("id"))]
        if len(linked) != 1:
            raise SyncError(SyncErrorKind.PERMANENT,
                            "no single Instagram account linked to this user's Pages"
                            + (f" named {username!r}" if username else ""))
        page = linked[0]
        ig_id = str(page["instagram_business_account"]["id"])
        page_token = str(page["access_token"])
        info = await GraphSession(http, page_token, app_secret).get(
            ig_id, {"fields": "id,username,name,followers_count"})
    handle = str(info.get("username") or page["instagram_business_account"].get("username"))
    return Connection(
        platform=Platform.INSTAGRAM,
        base_url=base_url.rstrip("/"),
        handle=handle,
        display_name=str(info.get("name") or handle),
        platform_user_id=ig_id,
        credentials=Credentials(access_token=page_token, client_id=app_id,
                                client_secret=app_secret,
                                extra={"page_id": str(page["id"]), "ig_user_id": ig_id}),
        settings={"api_version": API_VERSION, "page_id": str(page["id"])},
    )


async def connect_sandbox(sandbox_url: str, handle: str | None = None) -> Connection:
    row = await sandbox_account(sandbox_url, "instagram", handle)
    return await connect(
        str(row.get("base_url") or f"{sandbox_url.rstrip('/')}/instagram"),
        app_id=str(row["app_id"]), app_secret=str(row["app_secret"]),
        user_token=str(row["user_access_token"]), username=str(row["handle"]),
    )
