"""Facebook Pages: comments on the Page's posts, Messenger, the Page's own posts.

See README.md next to this file for what it covers, what it cannot, and the Meta app set-up.
"""

from __future__ import annotations

import httpx

from desktop.domain.errors import SyncError, SyncErrorKind
from desktop.domain.models import Account
from desktop.platforms.base import Credentials, CredentialsSaver, PlatformClient
from desktop.platforms.facebook.client import FacebookClient
from desktop.platforms.facebook.connect import connect, connect_sandbox
from desktop.platforms.http import make_http_client

__all__ = ["FacebookClient", "connect", "connect_sandbox", "create_client"]


def create_client(account: Account, credentials: Credentials, save_credentials: CredentialsSaver,
                  transport: httpx.AsyncBaseTransport | None = None) -> PlatformClient:
    """A client for one Page. Page tokens derived from a long-lived user token do not expire,
    so nothing is ever refreshed and `save_credentials` is not called."""
    if not credentials.access_token:
        raise SyncError(SyncErrorKind.AUTH, f"no Page access token for {account.handle}")
    page_id = account.platform_user_id or (credentials.extra or {}).get("page_id", "")
    if not page_id:
        raise SyncError(SyncErrorKind.PERMANENT, f"no Page id for {account.handle}")
    return FacebookClient(
        make_http_client(account.base_url, transport=transport),
        page_id=page_id, page_name=account.display_name or account.handle,
        access_token=credentials.access_token, app_secret=credentials.client_secret,
    )
