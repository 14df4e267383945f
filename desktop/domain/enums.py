"""Closed vocabularies of the domain, stored as their string values."""

from __future__ import annotations

import enum


class Platform(enum.StrEnum):
    MASTODON = "mastodon"
    BLUESKY = "bluesky"
    X = "x"
    FACEBOOK = "facebook"
    INSTAGRAM = "instagram"


class ConversationKind(enum.StrEnum):
    PUBLIC_THREAD = "public_thread"  # mentions and replies in public
    COMMENT_THREAD = "comment_thread"  # comments under the brand's own post
    DIRECT_MESSAGE = "direct_message"


class ConversationStatus(enum.StrEnum):
    OPEN = "open"
    PENDING = "pending"
    SNOOZED = "snoozed"
    RESOLVED = "resolved"


class Direction(enum.StrEnum):
    INBOUND = "in"
    OUTBOUND = "out"


class AccountStatus(enum.StrEnum):
    ACTIVE = "active"
    PAUSED = "paused"
    NEEDS_REAUTH = "needs_reauth"
    DISCONNECTED = "disconnected"  # removed with its history kept: no token, no sync


class NoteKind(enum.StrEnum):
    NOTE = "note"
    HANDOFF = "handoff"


class OutboxState(enum.StrEnum):
    QUEUED = "queued"  # waiting (undo grace period, offline, backoff)
    SENDING = "sending"  # remote phase in flight
    UNCERTAIN = "uncertain"  # outcome unknown: reconcile before any retry
    HELD = "held"  # collision: the brand already replied; the user decides
    SENT = "sent"
    FAILED = "failed"  # permanent failure with the platform's reason; editable, re-queueable
    CANCELLED = "cancelled"  # undone by the user


class OpKind(enum.StrEnum):
    REPLY = "reply"
    DIRECT_MESSAGE = "direct_message"
    MARK_READ = "mark_read"


class StreamKind(enum.StrEnum):
    MENTIONS = "mentions"
    COMMENTS = "comments"
    DIRECT_MESSAGES = "direct_messages"
    OWN_POSTS = "own_posts"
