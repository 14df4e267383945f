"""Which package serves which platform, loaded lazily by name.

Each platform package (desktop.platforms.<name>) exposes:
- `create_client(account: Account, credentials: Credentials, save_credentials: CredentialsSaver,
  transport: httpx.AsyncBaseTransport | None = None) -> PlatformClient`
- `async connect_sandbox(sandbox_url: str, handle: str | None = None) -> Connection`:
  the platform's own auth flow against the sandbox (OAuth+PKCE, app password, page token).
The names are listed here (not discovered) so PyInstaller's hidden imports can name them.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

from desktop.domain.enums import Platform
from desktop.platforms.base import Credentials

PLATFORM_MODULES: dict[Platform, str] = {
    Platform.MASTODON: "desktop.platforms.mastodon",
    Platform.BLUESKY: "desktop.platforms.bluesky",
    Platform.X: "desktop.platforms.x",
    Platform.FACEBOOK: "desktop.platforms.facebook",
    Platform.INSTAGRAM: "desktop.platforms.instagram",
}


@dataclass(frozen=True, slots=True)
class Connection:
    """Everything needed to store a newly connected account: the row and the secret."""

    platform: Platform
    base_url: str
    handle: str
    display_name: str
    platform_user_id: str
    credentials: Credentials
    settings: dict[str, Any] = field(default_factory=dict)


def platform_module(platform: Platform | str) -> ModuleType:
    return importlib.import_module(PLATFORM_MODULES[Platform(platform)])
