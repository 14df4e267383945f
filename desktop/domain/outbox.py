"""The outbox item and the only state changes it may go through (domain: store and sync share it).

Why a transition table: the exactly-once promise rests on a few rules (a key is stored before
the request; an unknown outcome is reconciled before any retry; nothing is deleted), and a
table checked on every change makes a violation an immediate error rather than a duplicate post.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from desktop.domain.enums import OpKind, OutboxState
from desktop.domain.errors import UserError

Q, SE, U, H, ST, F, C = (
    OutboxState.QUEUED,
    OutboxState.SENDING,
    OutboxState.UNCERTAIN,
    OutboxState.HELD,
    OutboxState.SENT,
    OutboxState.FAILED,
    OutboxState.CANCELLED,
)

ALLOWED: dict[OutboxState, frozenset[OutboxState]] = {
    Q: frozenset({SE, H, C, Q}),  # Q->Q: re-scheduled (offline, 429) without a send
    # SE->Q only when the request provably never reached the platform (offline, 429, auth).
    SE: frozenset({ST, U, F, Q}),
    U: frozenset({ST, Q, U}),  # U->Q only after find_sent said "not there"
    H: frozenset({Q, C}),  # the user sends anyway, or drops it
    F: frozenset({Q, C}),  # edited and re-queued
    ST: frozenset(),
    C: frozenset(),
}

UNDO_GRACE_SECONDS = 10.0


class InvalidTransition(UserError):
    """An outbox item was asked to move where the exactly-once rules forbid."""


def check_transition(current: OutboxState, new: OutboxState) -> None:
    if new not in ALLOWED[current]:
        raise InvalidTransition(f"outbox item cannot go from {current.value} to {new.value}")


def new_idempotency_key() -> str:
    """A key chosen at enqueue time and stored with the item, so every retry reuses it."""
    return uuid.uuid4().hex


@dataclass(frozen=True, slots=True)
class OutboxItem:
    id: int
    account_id: int
    conversation_id: int
    op: OpKind
    text: str
    thread_key: str
    in_reply_to: str | None
    idempotency_key: str
    state: OutboxState
    created_at: datetime
    not_before: datetime  # undo grace period / backoff: do not send earlier
    since_platform_id: str | None = None  # newest brand message in the thread when drafted
    attempts: int = 0
    error: str | None = None  # failed / held reason, in the platform's words
    platform_id: str | None = None  # our post once sent
    url: str | None = None

    @property
    def is_open(self) -> bool:
        """Still the engine's job (as opposed to sent, cancelled, or waiting on the user)."""
        return self.state in (Q, SE, U)
