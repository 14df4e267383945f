"""The contract every platform connector fulfils, and how sync asks what it can do.

Sync only ever talks to a `PlatformClient`; capabilities are checked at run time
(`client.capabilities`) rather than by `isinstance` on concrete classes, like FeelUOwn's
provider protocols, so a new platform is one package plus a registry entry.
"""

from __future__ import annotations

import enum
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from desktop.domain.enums import Platform, StreamKind
from desktop.domain.inbound import InboundItem, Page, ProfileInfo, SendResult


class Capability(enum.StrEnum):
    LIST_MENTIONS = "list_mentions"
    LIST_COMMENTS = "list_comments"
    LIST_DIRECT_MESSAGES = "list_direct_messages"
    LIST_OWN_POSTS = "list_own_posts"
    REPLY = "reply"
    DIRECT_MESSAGE = "direct_message"
    LOOKUP_PROFILES = "lookup_profiles"
    THREAD_CONTEXT = "thread_context"
    MARK_READ = "mark_read"
    IDEMPOTENT_SEND = "idempotent_send"  # the platform dedupes by our key (Mastodon, Bluesky rkey)


@dataclass(frozen=True, slots=True)
class Credentials:
    """What the keyring holds for one account. Serialised as JSON under 2,560 bytes."""

    access_token: str | None = None
    refresh_token: str | None = None
    expires_at: float | None = None  # epoch seconds
    app_password: str | None = None  # Bluesky
    client_id: str | None = None  # X / Meta app
    client_secret: str | None = None  # Meta app secret
    extra: dict[str, str] | None = None  # DIDs, page ids, IG user id...


# Called with the new credentials *before* the new tokens are used, so a crash cannot lose a
# rotated refresh token. Sync wires this to desktop.secrets.
CredentialsSaver = Callable[[Credentials], Awaitable[None]]


@runtime_checkable
class PlatformClient(Protocol):
    platform: Platform
    capabilities: frozenset[Capability]

    def streams(self) -> Sequence[StreamKind]:
        """The inbound streams this account can pull, in poll order."""
        ...

    async def fetch(self, stream: StreamKind, cursor: str | None) -> Page:
        """Fetch the next page of `stream` newer than `cursor` (None: start from recent history).

        Returns items oldest first where the platform allows it; `next_cursor` is what to
        persist once the page is stored. Raises SyncError.
        """
        ...

    async def reply(
        self, *, text: str, in_reply_to: str, thread_key: str, idempotency_key: str
    ) -> SendResult:
        """Post a public reply. Raises SyncError (kind UNCERTAIN when the outcome is unknown)."""
        ...

    async def send_direct_message(
        self, *, text: str, thread_key: str, idempotency_key: str
    ) -> SendResult:
        ...

    async def find_sent(
        self, *, idempotency_key: str, thread_key: str, in_reply_to: str | None, text: str
    ) -> SendResult | None:
        """Reconcile an uncertain send: return our post if it exists on the platform, else None."""
        ...

    async def find_brand_replies(
        self, *, thread_key: str, since_platform_id: str | None
    ) -> Sequence[InboundItem]:
        """Replies by the brand account in the thread (collision check before sending)."""
        ...

    async def lookup_profiles(self, user_ids: Sequence[str]) -> Sequence[ProfileInfo]:
        ...

    async def aclose(self) -> None:
        ...
