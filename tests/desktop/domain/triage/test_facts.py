"""Folding messages into conversation facts, one at a time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from desktop.domain.enums import Direction
from desktop.domain.triage.facts import ConversationFacts, NewMessage, fold_all

T0 = datetime(2026, 3, 11, 9, 0, tzinfo=UTC)
IN, OUT = Direction.INBOUND, Direction.OUTBOUND


def msg(i: int, direction: Direction, minutes: int, s: float = 0.0, *urgent: str) -> NewMessage:
    return NewMessage(i, direction, T0 + timedelta(minutes=minutes), s, tuple(urgent))


def test_a_conversation_told_message_by_message() -> None:
    facts = ConversationFacts()
    facts = facts.fold(msg(1, IN, 0, -0.6, "refund"))
    facts = facts.fold(msg(2, IN, 5, -0.2, "refund", "cancel"))
    assert facts.waiting_since == T0
    assert facts.waiting_sentiment == -0.6  # the worst unanswered message
    assert facts.waiting_urgent == ("refund", "cancel")
    assert facts.sentiment_before == -0.4 and facts.sentiment_after is None

    facts = facts.fold(msg(3, OUT, 30))
    assert facts.first_response_at == T0 + timedelta(minutes=30)
    assert facts.waiting_since is None and facts.waiting_urgent == ()
    assert facts.last_direction is OUT

    facts = facts.fold(msg(4, IN, 40, 0.5))
    facts = facts.fold(msg(5, OUT, 50))
    facts = facts.fold(msg(6, IN, 60, 0.8))
    # "After" is after our LATEST reply: only message 6.
    assert facts.sentiment_after == 0.8
    assert facts.sentiment_before == -0.4  # unchanged by later messages
    assert facts.first_response_at == T0 + timedelta(minutes=30)
    assert facts.last_reply_at == T0 + timedelta(minutes=50)
    assert facts.waiting_since == T0 + timedelta(minutes=60)
    assert facts.through_id == 6


def test_the_brands_own_post_is_not_a_reply() -> None:
    facts = fold_all(ConversationFacts(), [msg(1, OUT, 0), msg(2, IN, 10, -0.5)])
    assert facts.first_response_at is None
    assert facts.waiting_since == T0 + timedelta(minutes=10)
    assert facts.sentiment_before == -0.5 and facts.after_n == 0
    assert facts.opened_by_brand_id == 1 and facts.opened_at == T0
    customer_first = fold_all(ConversationFacts(), [msg(1, IN, 0), msg(2, OUT, 10)])
    assert customer_first.opened_by_brand_id is None


def test_out_of_order_messages_are_detected() -> None:
    facts = ConversationFacts().fold(msg(5, IN, 30))
    assert facts.in_order(msg(6, OUT, 30))
    assert not facts.in_order(msg(4, OUT, 10))


def test_fold_all_sorts_by_time_then_id() -> None:
    facts = fold_all(ConversationFacts(), [msg(2, OUT, 10), msg(1, IN, 0, -0.3)])
    assert facts.first_response_at == T0 + timedelta(minutes=10)
    assert facts.sentiment_before == -0.3 and facts.through_id == 2
