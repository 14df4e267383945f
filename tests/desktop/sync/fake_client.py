"""A scripted PlatformClient for unit tests of the remote phase (integration tests use the sandbox).

It keeps what was "posted" so tests can count duplicates, and plays a queue of failures.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from desktop.domain.enums import ConversationKind, Platform, StreamKind
from desktop.domain.errors import SyncError
from desktop.domain.inbound import InboundItem, Page, ProfileInfo, SendResult
from desktop.platforms.base import Capability


@dataclass
class FakeClient:
    platform: Platform = Platform.MASTODON
    capabilities: frozenset[Capability] = frozenset({Capability.REPLY})
    posted: list[tuple[str, str, str]] = field(default_factory=list)  # (key, thread, text)
    # each entry: (error, committed) — raise error; if committed, the post happened anyway
    send_faults: list[tuple[SyncError, bool]] = field(default_factory=list)
    find_faults: list[SyncError] = field(default_factory=list)
    brand_replies: list[InboundItem] = field(default_factory=list)
    pages: dict[StreamKind, list[Page]] = field(default_factory=dict)
    fetch_faults: list[BaseException] = field(default_factory=list)
    fetches: int = 0

    def streams(self) -> Sequence[StreamKind]:
        return list(self.pages)

    async def fetch(self, stream: StreamKind, cursor: str | None) -> Page:
        self.fetches += 1
        if self.fetch_faults:
            raise self.fetch_faults.pop(0)
        pages = self.pages[stream]
        index = int(cursor or 0)
        if index >= len(pages):
            return Page(items=(), next_cursor=cursor)
        return pages[index]

    def _post(self, key: str, thread: str, text: str) -> SendResult:
        if self.send_faults:
            error, committed = self.send_faults.pop(0)
            if committed:
                self.posted.append((key, thread, text))
            raise error
        self.posted.append((key, thread, text))
        return SendResult(platform_id=f"p{len(self.posted)}", thread_key=thread)

    async def reply(
        self, *, text: str, in_reply_to: str, thread_key: str, idempotency_key: str
    ) -> SendResult:
        return self._post(idempotency_key, thread_key, text)

    async def send_direct_message(
        self, *, text: str, thread_key: str, idempotency_key: str
    ) -> SendResult:
        return self._post(idempotency_key, thread_key, text)

    async def find_sent(
        self, *, idempotency_key: str, thread_key: str, in_reply_to: str | None, text: str
    ) -> SendResult | None:
        if self.find_faults:
            raise self.find_faults.pop(0)
        for n, (key, _, _) in enumerate(self.posted, 1):
            if key == idempotency_key:
                return SendResult(platform_id=f"p{n}", thread_key=thread_key)
        return None

    async def find_brand_replies(
        self, *, thread_key: str, since_platform_id: str | None
    ) -> Sequence[InboundItem]:
        return [b for b in self.brand_replies if b.thread_key == thread_key]

    async def lookup_profiles(self, user_ids: Sequence[str]) -> Sequence[ProfileInfo]:
        return []

    async def aclose(self) -> None:
        return None


def brand_reply(thread_key: str, platform_id: str) -> InboundItem:
    return InboundItem(
        platform_id=platform_id,
        kind=ConversationKind.PUBLIC_THREAD,
        thread_key=thread_key,
        author=ProfileInfo(Platform.MASTODON, "brand", "brand"),
        text="we replied already",
        created_at=datetime.now(UTC),
    )
