"""The needs-reply rule, in one place (the store's partial index encodes the same rule)."""

from __future__ import annotations

from desktop.domain.enums import ConversationStatus, Direction

WAITING_STATUSES = frozenset({ConversationStatus.OPEN, ConversationStatus.PENDING})


def needs_reply(last_direction: Direction | None, status: ConversationStatus) -> bool:
    """The customer spoke last and nobody has resolved or snoozed the conversation."""
    return last_direction is Direction.INBOUND and status in WAITING_STATUSES
