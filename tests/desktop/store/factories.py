"""Small builders of InboundItems for store tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from desktop.domain.enums import ConversationKind, Direction, Platform
from desktop.domain.inbound import InboundItem, ProfileInfo

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
BRAND = ProfileInfo(Platform.MASTODON, "brand-1", "acme", "Acme")


def customer(n: int = 1, followers: int = 10) -> ProfileInfo:
    return ProfileInfo(Platform.MASTODON, f"user-{n}", f"user{n}", f"User {n}", followers=followers)


def item(
    pid: str,
    text: str,
    *,
    thread: str = "t1",
    minutes: int = 0,
    out: bool = False,
    who: ProfileInfo | None = None,
    kind: ConversationKind = ConversationKind.PUBLIC_THREAD,
) -> InboundItem:
    return InboundItem(
        platform_id=pid,
        kind=kind,
        thread_key=thread,
        author=BRAND if out else (who or customer()),
        text=text,
        created_at=T0 + timedelta(minutes=minutes),
        direction=Direction.OUTBOUND if out else Direction.INBOUND,
    )
