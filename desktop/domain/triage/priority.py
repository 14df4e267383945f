"""An explainable priority score: points from named reasons, never a black box.

Every point comes with a reason the user can read in a tooltip ("Urgent words: refund",
"Existing customer: 3 earlier conversations"). Weights, so their order is easy to check:

- waiting against the target: 0 in the first half, 10 in the second half, 25 overdue,
  35 once overdue by more than a whole target again;
- negative tone of an unanswered message: 10 (just negative) to 30 (VADER <= -0.75);
- urgent words in unanswered messages: 20, +5 per extra word, 30 at most;
- public: 15 for a public complaint (negative or urgent; it spreads), else 5; private 0;
- relevance: an existing customer (earlier conversations) 12, +2 each, 20 at most;
- reach: followers on a log scale, 10 at most including the verified badge.

Relevance outweighs reach on purpose: one earlier conversation (12) beats any follower count
(10 at most); a customer who already buys from the brand matters more than an audience.

The waiting reason changes with the clock, so `assess` also says when it next changes
(`rescore_at`); the store re-scores only conversations whose moment has come.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from desktop.domain.enums import ConversationKind, ConversationStatus
from desktop.domain.triage.facts import ConversationFacts
from desktop.domain.triage.needs_reply import needs_reply
from desktop.domain.triage.sentiment import NEGATIVE_BELOW
from desktop.domain.triage.targets import ResponseTarget, format_due

WAITING = "waiting"
NEGATIVE = "negative_sentiment"
URGENT = "urgent_words"
PUBLIC = "public"
CUSTOMER = "existing_customer"
REACH = "reach"

_PUBLIC_KINDS = frozenset({ConversationKind.PUBLIC_THREAD, ConversationKind.COMMENT_THREAD})


@dataclass(frozen=True, slots=True)
class Reason:
    code: str
    points: float
    label: str


@dataclass(frozen=True, slots=True)
class CustomerStanding:
    """Who is asking: relevance (earlier conversations) and reach (followers)."""

    earlier_conversations: int = 0
    followers: int | None = None
    verified: bool = False


@dataclass(frozen=True, slots=True)
class Priority:
    score: float
    reasons: tuple[Reason, ...]
    due_at: datetime | None  # None when nothing is owed
    rescore_at: datetime | None  # when the waiting reason next changes; None: never

    @classmethod
    def none(cls) -> Priority:
        return cls(0.0, (), None, None)


def _waiting(
    facts: ConversationFacts, target: ResponseTarget, now: datetime
) -> tuple[Reason | None, datetime | None, datetime | None]:
    assert facts.waiting_since is not None
    start = facts.waiting_since
    due = target.due_at(start)
    half = target.hours.add(start, target.first_response / 2)
    twice = target.hours.add(start, target.first_response * 2)
    if now < half:
        return None, due, half
    if now < due:
        return Reason(WAITING, 10, format_due(due, now)), due, due
    if now < twice:
        return Reason(WAITING, 25, format_due(due, now)), due, twice
    return Reason(WAITING, 35, format_due(due, now)), due, None


def _negative(compound: float | None) -> Reason | None:
    if compound is None or compound >= NEGATIVE_BELOW:
        return None
    strength = min(1.0, (NEGATIVE_BELOW - compound) / (NEGATIVE_BELOW + 0.75))
    points = round(10 + 20 * strength, 1)
    return Reason(NEGATIVE, points, f"Negative tone ({compound:+.2f})")


def _urgent(words: tuple[str, ...]) -> Reason | None:
    if not words:
        return None
    points = min(30, 20 + 5 * (len(words) - 1))
    return Reason(URGENT, points, "Urgent words: " + ", ".join(words))


def _public(kind: ConversationKind, complaint: bool) -> Reason | None:
    if kind not in _PUBLIC_KINDS:
        return None
    if complaint:
        return Reason(PUBLIC, 15, "Public complaint: others can see it")
    return Reason(PUBLIC, 5, "Public: others can see it")


def _customer(standing: CustomerStanding) -> Reason | None:
    n = standing.earlier_conversations
    if n < 1:
        return None
    points = min(20, 12 + 2 * (n - 1))
    plural = "conversation" if n == 1 else "conversations"
    return Reason(CUSTOMER, points, f"Existing customer: {n} earlier {plural}")


def _reach(standing: CustomerStanding) -> Reason | None:
    followers = standing.followers or 0
    points = 2.5 * math.log10(followers / 100) if followers > 100 else 0.0
    if standing.verified:
        points += 2
    points = round(min(10.0, points), 1)
    if points <= 0:
        return None
    badge = ", verified" if standing.verified else ""
    return Reason(REACH, points, f"Reach: {followers:,} followers{badge}")


def assess(
    facts: ConversationFacts,
    status: ConversationStatus,
    kind: ConversationKind,
    standing: CustomerStanding,
    target: ResponseTarget,
    now: datetime,
) -> Priority:
    """Score a conversation from its facts. Only a conversation that needs a reply scores."""
    if not needs_reply(facts.last_direction, status) or facts.waiting_since is None:
        return Priority.none()
    waiting, due, rescore = _waiting(facts, target, now)
    negative = _negative(facts.waiting_sentiment)
    urgent = _urgent(facts.waiting_urgent)
    found = [
        waiting,
        negative,
        urgent,
        _public(kind, complaint=negative is not None or urgent is not None),
        _customer(standing),
        _reach(standing),
    ]
    reasons = tuple(sorted((r for r in found if r), key=lambda r: -r.points))
    return Priority(round(sum(r.points for r in reasons), 1), reasons, due, rescore)


def explain(reasons: tuple[Reason, ...], due_at: datetime | None, now: datetime) -> list[str]:
    """Reasons as lines for a tooltip, the waiting one re-worded for `now` (it ages)."""
    lines = []
    for r in reasons:
        label = format_due(due_at, now) if r.code == WAITING and due_at else r.label
        lines.append(f"+{r.points:g}  {label[0].upper()}{label[1:]}")
    return lines
