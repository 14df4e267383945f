"""Priority reasons: each one appears when, and only when, its cause is there."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from desktop.domain.enums import ConversationKind, ConversationStatus, Direction
from desktop.domain.triage import priority
from desktop.domain.triage.business_hours import BusinessHours
from desktop.domain.triage.facts import ConversationFacts, NewMessage
from desktop.domain.triage.priority import CustomerStanding, assess, explain
from desktop.domain.triage.targets import ResponseTarget

T0 = datetime(2026, 3, 11, 9, 0, tzinfo=UTC)  # a Wednesday
TARGET = ResponseTarget(timedelta(hours=1), BusinessHours.always("UTC"))
PUBLIC, DM = ConversationKind.PUBLIC_THREAD, ConversationKind.DIRECT_MESSAGE
OPEN = ConversationStatus.OPEN
NOBODY = CustomerStanding()


def waiting(s: float = 0.0, *urgent: str) -> ConversationFacts:
    return ConversationFacts().fold(NewMessage(1, Direction.INBOUND, T0, s, tuple(urgent)))


def codes(p: priority.Priority) -> list[str]:
    return [r.code for r in p.reasons]


def test_fresh_neutral_private_message_from_a_stranger_scores_zero() -> None:
    p = assess(waiting(), OPEN, DM, NOBODY, TARGET, T0 + timedelta(minutes=10))
    assert p.score == 0 and p.reasons == ()
    assert p.due_at == T0 + timedelta(hours=1)
    assert p.rescore_at == T0 + timedelta(minutes=30)  # the half-way mark


def test_waiting_bands_follow_the_clock() -> None:
    facts = waiting()
    at = {
        m: assess(facts, OPEN, DM, NOBODY, TARGET, T0 + timedelta(minutes=m))
        for m in (29, 48, 65, 130)
    }
    assert [at[m].score for m in at] == [0, 10, 25, 35]
    assert at[48].reasons[0].label == "due in 12 min"
    assert at[65].reasons[0].label == "overdue 5 min"
    assert at[48].rescore_at == T0 + timedelta(hours=1)
    assert at[65].rescore_at == T0 + timedelta(hours=2)
    assert at[130].rescore_at is None


def test_negative_tone_scales_with_strength() -> None:
    now = T0
    mild = assess(waiting(-0.1), OPEN, DM, NOBODY, TARGET, now)
    strong = assess(waiting(-0.9), OPEN, DM, NOBODY, TARGET, now)
    assert codes(mild) == [priority.NEGATIVE] and 10 <= mild.score < 12
    assert strong.score == 30 and strong.reasons[0].label == "Negative tone (-0.90)"


def test_urgent_words_and_public_complaint() -> None:
    p = assess(waiting(0.0, "refund", "legal"), OPEN, PUBLIC, NOBODY, TARGET, T0)
    assert codes(p) == [priority.URGENT, priority.PUBLIC]
    assert p.reasons[0].points == 25 and p.reasons[0].label == "Urgent words: refund, legal"
    assert p.reasons[1].points == 15  # a public complaint spreads
    calm = assess(waiting(0.5), OPEN, PUBLIC, NOBODY, TARGET, T0)
    assert [(r.code, r.points) for r in calm.reasons] == [(priority.PUBLIC, 5)]
    private = assess(waiting(0.0, "refund"), OPEN, DM, NOBODY, TARGET, T0)
    assert codes(private) == [priority.URGENT]


def test_an_existing_customer_outranks_a_big_audience() -> None:
    regular = CustomerStanding(earlier_conversations=1, followers=0)
    celebrity = CustomerStanding(earlier_conversations=0, followers=2_000_000, verified=True)
    a = assess(waiting(), OPEN, DM, regular, TARGET, T0)
    b = assess(waiting(), OPEN, DM, celebrity, TARGET, T0)
    assert a.score > b.score
    assert a.reasons[0].label == "Existing customer: 1 earlier conversation"
    assert b.reasons[0].label == "Reach: 2,000,000 followers, verified" and b.score == 10
    loyal = assess(waiting(), OPEN, DM, CustomerStanding(earlier_conversations=9), TARGET, T0)
    assert loyal.score == 20  # capped
    small = assess(waiting(), OPEN, DM, CustomerStanding(followers=80), TARGET, T0)
    assert small.reasons == ()
    mid = assess(waiting(), OPEN, DM, CustomerStanding(followers=10_000), TARGET, T0)
    assert mid.score == 5


def test_nothing_is_owed_when_answered_resolved_or_snoozed() -> None:
    answered = waiting(-0.9, "refund").fold(
        NewMessage(2, Direction.OUTBOUND, T0 + timedelta(minutes=5))
    )
    assert assess(answered, OPEN, PUBLIC, NOBODY, TARGET, T0) == priority.Priority.none()
    for status in (ConversationStatus.RESOLVED, ConversationStatus.SNOOZED):
        assert assess(waiting(-0.9), status, PUBLIC, NOBODY, TARGET, T0).score == 0


def test_reasons_are_sorted_and_the_score_is_their_sum() -> None:
    standing = CustomerStanding(earlier_conversations=2, followers=1000)
    p = assess(waiting(-0.75, "cancel"), OPEN, PUBLIC, standing, TARGET, T0 + timedelta(hours=3))
    points = [r.points for r in p.reasons]
    assert points == sorted(points, reverse=True)
    assert p.score == round(sum(points), 1) == 35 + 30 + 20 + 15 + 14 + 2.5


def test_explain_rewords_the_waiting_reason_for_now() -> None:
    p = assess(waiting(0, "refund"), OPEN, DM, NOBODY, TARGET, T0 + timedelta(minutes=40))
    later = T0 + timedelta(minutes=70)
    assert explain(p.reasons, p.due_at, later) == [
        "+20  Urgent words: refund",
        "+10  Overdue 10 min",
    ]
