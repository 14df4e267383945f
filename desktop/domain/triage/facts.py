"""What triage remembers about a conversation, folded one message at a time.

Why a fold: priority and due time must follow every new message without re-reading the
conversation, let alone the database. `ConversationFacts.fold` takes the facts as they were
and one new message and returns the new facts; the store keeps the facts in a row and feeds
in only messages it has not seen (by id watermark). A message older than the latest one
folded (history arriving late) breaks the fold's assumption, so `in_order` lets the store
rebuild that one conversation from its messages instead.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from desktop.domain.enums import Direction


@dataclass(frozen=True, slots=True)
class NewMessage:
    id: int
    direction: Direction
    created_at: datetime
    sentiment: float = 0.0  # VADER compound; inbound messages only matter
    urgent: tuple[str, ...] = ()  # urgent words found in it


@dataclass(frozen=True, slots=True)
class ConversationFacts:
    through_id: int = 0  # the highest message id folded in
    last_at: datetime | None = None  # created_at of the latest message folded in
    last_direction: Direction | None = None
    first_inbound_at: datetime | None = None
    first_response_at: datetime | None = None  # our first reply after the customer spoke
    last_reply_at: datetime | None = None
    waiting_since: datetime | None = None  # oldest customer message we have not answered
    waiting_sentiment: float | None = None  # the most negative unanswered message
    waiting_urgent: tuple[str, ...] = ()  # urgent words in unanswered messages
    before_sum: float = 0.0  # customer's sentiment before our first reply
    before_n: int = 0
    after_sum: float = 0.0  # customer's sentiment after our latest reply
    after_n: int = 0
    opened_by_brand_id: int | None = None  # the brand's own post (or outreach) opened it
    opened_at: datetime | None = None

    def in_order(self, message: NewMessage) -> bool:
        return self.last_at is None or message.created_at >= self.last_at

    def fold(self, m: NewMessage) -> ConversationFacts:
        facts = replace(
            self,
            through_id=max(self.through_id, m.id),
            last_at=m.created_at if self.last_at is None else max(self.last_at, m.created_at),
            last_direction=m.direction,
        )
        if self.last_at is None and m.direction is Direction.OUTBOUND:
            facts = replace(facts, opened_by_brand_id=m.id, opened_at=m.created_at)
        if m.direction is Direction.INBOUND:
            return facts._customer_spoke(m)
        if self.first_inbound_at is None:
            # The brand spoke first (its own post, an outreach DM): not a reply to anyone.
            return facts
        return replace(
            facts,
            first_response_at=self.first_response_at or m.created_at,
            last_reply_at=m.created_at,
            waiting_since=None,
            waiting_sentiment=None,
            waiting_urgent=(),
            after_sum=0.0,
            after_n=0,
        )

    def _customer_spoke(self, m: NewMessage) -> ConversationFacts:
        changes: dict[str, object] = {
            "first_inbound_at": self.first_inbound_at or m.created_at,
            "waiting_since": self.waiting_since or m.created_at,
            "waiting_sentiment": m.sentiment
            if self.waiting_sentiment is None
            else min(self.waiting_sentiment, m.sentiment),
            "waiting_urgent": tuple(dict.fromkeys(self.waiting_urgent + m.urgent)),
        }
        if self.first_response_at is None:
            changes |= {"before_sum": self.before_sum + m.sentiment, "before_n": self.before_n + 1}
        else:
            changes |= {"after_sum": self.after_sum + m.sentiment, "after_n": self.after_n + 1}
        return replace(self, **changes)  # type: ignore[arg-type]

    @property
    def sentiment_before(self) -> float | None:
        return self.before_sum / self.before_n if self.before_n else None

    @property
    def sentiment_after(self) -> float | None:
        return self.after_sum / self.after_n if self.after_n else None


def fold_all(facts: ConversationFacts, messages: list[NewMessage]) -> ConversationFacts:
    """Fold messages in time order (ties by id), as they happened."""
    for m in sorted(messages, key=lambda m: (m.created_at, m.id)):
        facts = facts.fold(m)
    return facts
