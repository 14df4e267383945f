"""What a platform connector hands to sync: items mapped from the platform's JSON.

The store turns these into conversations, messages and identities. Keeping them apart from
the stored models means a connector never needs to know local ids.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from desktop.domain.enums import ConversationKind, Direction, Platform
from desktop.domain.models import Attachment


@dataclass(frozen=True, slots=True)
class ProfileInfo:
    """A customer's identity as the platform describes it."""

    platform: Platform
    platform_user_id: str
    handle: str
    display_name: str = ""
    avatar_url: str | None = None
    followers: int | None = None
    verified: bool = False
    profile_url: str | None = None


@dataclass(frozen=True, slots=True)
class InboundItem:
    """One message seen on the platform (from a customer, or the brand's own reply).

    `thread_key` groups items into one conversation: the root post id for public threads
    and comment threads, the platform's conversation id for direct messages.
    """

    platform_id: str
    kind: ConversationKind
    thread_key: str
    author: ProfileInfo
    text: str
    created_at: datetime
    direction: Direction = Direction.INBOUND
    in_reply_to: str | None = None
    attachments: tuple[Attachment, ...] = ()
    metrics: dict[str, int] = field(default_factory=dict)
    url: str | None = None
    context_text: str | None = None  # the post being replied to, when the platform gives it


@dataclass(frozen=True, slots=True)
class Page:
    """A page of a stream: items plus the cursor to persist once they are stored."""

    items: tuple[InboundItem, ...]
    next_cursor: str | None  # persisted after the page commits
    has_more: bool = False
    skipped: int = 0  # malformed items skipped (each logged by the mapping)


@dataclass(frozen=True, slots=True)
class SendResult:
    platform_id: str
    url: str | None = None
    thread_key: str | None = None
