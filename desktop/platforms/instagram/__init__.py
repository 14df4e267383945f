"""Instagram (professional accounts, through the linked Facebook Page): comments, replies,
DMs and the account's own posts. See README.md next to this file for the limits."""

from __future__ import annotations

import httpx

from desktop.domain.errors import SyncError, SyncErrorKind
from desktop.domain.models import Account
from desktop.platforms.base import Credentials, CredentialsSaver, PlatformClient
from desktop.platforms.http import make_http_client
from desktop.platforms.instagram.client import InstagramClient
from desktop.platforms.instagram.connect import connect, connect_sandbox

__all__ = ["InstagramClient", "connect", "connect_sandbox", "create_client"]


def create_client(account: Account, credentials: Credentials, save_credentials: CredentialsSaver,
                  transport: httpx.AsyncBaseTransport | None = None) -> PlatformClient:
    """A client for one IG account; the Page token does not expire, nothing is refreshed."""
    extra = credentials.extra or {}
    if not credentials.access_token:
        raise SyncError(SyncErrorKind.AUTH, f"no Page access token for {account.handle}")
    page_id = extra.get("page_id") or str(account.settings.get("page_id") or "")
    ig_user_id = account.platform_user_id or extra.get("ig_user_id", "")
    if not page_id or not ig_user_id:
        raise SyncError(SyncErrorKind.PERMANENT,
                        f"Instagram account {account.handle} lacks its Page or IG user id")
    return InstagramClient(
        make_http_client(account.base_url, transport=transport),
        ig_user_id=ig_user_id, username=account.handle, page_id=page_id,
        access_token=credentials.access_token, app_secret=credentials.client_secret,
    )
