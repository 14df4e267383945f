"""The domain objects repositories return. Frozen: a screen never mutates what it shows.

Ids: local integer primary keys for rows that only this profile knows; `uid` (a UUID4 string)
on agents and notes, which a future team workspace will share across machines.
All datetimes are timezone-aware UTC.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from desktop.domain.enums import (
    AccountStatus,
    ConversationKind,
    ConversationStatus,
    Direction,
    NoteKind,
    OpKind,
    OutboxState,
    Platform,
)


@dataclass(frozen=True, slots=True)
class Agent:
    id: int
    uid: str
    name: str
    email: str | None = None
    is_me: bool = False
    is_team: bool = False  # a team such as "Customer care" can be a handoff target


@dataclass(frozen=True, slots=True)
class Brand:
    id: int
    name: str
    timezone: str = "UTC"


@dataclass(frozen=True, slots=True)
class Account:
    """A brand's account on one platform. Never holds a token (those live in the keyring)."""

    id: int
    brand_id: int
    platform: Platform
    handle: str
    display_name: str
    base_url: str  # API base: the platform, a self-hosted server, or the sandbox
    platform_user_id: str = ""
    status: AccountStatus = AccountStatus.ACTIVE
    settings: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class SyncCursor:
    account_id: int
    stream: str
    cursor: str | None
    last_success_at: datetime | None = None
    last_error: str | None = None


@dataclass(frozen=True, slots=True)
class Identity:
    """One person's presence on one platform."""

    id: int
    customer_id: int
    platform: Platform
    platform_user_id: str
    handle: str
    display_name: str = ""
    avatar_url: str | None = None
    followers: int | None = None
    verified: bool = False
    profile_url: str | None = None


@dataclass(frozen=True, slots=True)
class Customer:
    id: int
    name: str
    identities: tuple[Identity, ...] = ()
    tags: tuple[str, ...] = ()
    created_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Attachment:
    """Metadata only: never fetched automatically (no remote loads)."""

    kind: str  # image, video, link, file
    url: str
    name: str = ""
    mime: str | None = None


@dataclass(frozen=True, slots=True)
class Conversation:
    id: int
    account_id: int
    kind: ConversationKind
    platform_root_id: str
    status: ConversationStatus = ConversationStatus.OPEN
    snoozed_until: datetime | None = None
    customer_id: int | None = None
    assignee_id: int | None = None
    priority: float = 0.0
    first_inbound_at: datetime | None = None
    last_inbound_at: datetime | None = None
    last_message_at: datetime | None = None
    first_response_at: datetime | None = None
    last_direction: Direction | None = None
    snippet: str = ""
    unread: bool = True
    message_count: int = 0
    tags: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Message:
    id: int
    conversation_id: int
    account_id: int
    platform_id: str
    direction: Direction
    text: str
    created_at: datetime
    author_identity_id: int | None = None
    in_reply_to: str | None = None  # platform id of the parent
    attachments: tuple[Attachment, ...] = ()
    metrics: dict[str, int] = field(default_factory=dict)  # likes, reposts, replies, quotes
    url: str | None = None


@dataclass(frozen=True, slots=True)
class Note:
    id: int
    uid: str
    author_id: int
    body: str
    created_at: datetime
    kind: NoteKind = NoteKind.NOTE
    conversation_id: int | None = None
    customer_id: int | None = None
    handoff_to_id: int | None = None
    mentions: tuple[int, ...] = ()  # agent ids


@dataclass(frozen=True, slots=True)
class CannedResponse:
    id: int
    title: str
    shortcut: str
    body: str
    brand_ids: tuple[int, ...] = ()  # empty: every brand
    platforms: tuple[Platform, ...] = ()  # empty: every platform
    usage_count: int = 0
    position: int = 0


@dataclass(frozen=True, slots=True)
class Draft:
    conversation_id: int
    body: str
    updated_at: datetime
    started_at: datetime  # for the collision check: did the brand reply since?
    as_direct_message: bool = False


@dataclass(frozen=True, slots=True)
class OutboxItem:
    id: int
    account_id: int
    conversation_id: int | None
    op: OpKind
    state: OutboxState
    idempotency_key: str  # written before any network call
    payload: dict[str, Any]  # text, in_reply_to platform id, recipient...
    created_at: datetime
    not_before: datetime  # undo grace period end
    attempts: int = 0
    next_attempt_at: datetime | None = None
    last_error: str | None = None
    platform_result_id: str | None = None
    draft_started_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class AuditEvent:
    id: int
    at: datetime
    agent_id: int | None
    action: str  # resolve, snooze, assign, handoff, tag, note, reply, merge, split, erase...
    conversation_id: int | None = None
    customer_id: int | None = None
    detail: dict[str, Any] = field(default_factory=dict)
