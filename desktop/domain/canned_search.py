"""Which canned response the user means: fuzzy fit over title, shortcut and body, plus usage.

Why these weights: a shortcut is what people type after `/`, so a prefix of it is the
strongest signal; the title is what they remember; the body is a weaker hint (long text
matches many words). Usage breaks near-ties and lifts favourites, but never lets a poor
fit outrank a good one (it adds at most USAGE_BONUS points on a 0–100 scale).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz, utils

from desktop.domain.models import CannedResponse

MIN_SCORE = 55.0
USAGE_BONUS = 8.0


@dataclass(frozen=True, slots=True)
class Ranked:
    response: CannedResponse
    score: float  # 0..100+ (fit, plus the usage bonus)


def fit(query: str, response: CannedResponse) -> float:
    """How well `query` matches the response, 0..100, before usage."""
    q = utils.default_process(query)
    if not q:
        return 0.0
    shortcut = response.shortcut.lower()
    if shortcut == q:
        return 100.0
    if shortcut.startswith(q):
        return 90.0 + 10.0 * len(q) / max(1, len(shortcut)) * 0.9
    title = utils.default_process(response.title)
    scores = [
        fuzz.ratio(q, shortcut) * 0.95,
        fuzz.WRatio(q, title) if title else 0.0,
        fuzz.partial_ratio(q, utils.default_process(response.body)) * 0.8 if len(q) >= 3 else 0.0,
    ]
    if title.startswith(q):
        scores.append(88.0)
    return float(max(scores))


def usage_bonus(usage_count: int, most_used: int) -> float:
    if usage_count <= 0 or most_used <= 0:
        return 0.0
    return USAGE_BONUS * math.log1p(usage_count) / math.log1p(most_used)


def rank(query: str, responses: Sequence[CannedResponse], limit: int = 50) -> list[Ranked]:
    """The responses that fit `query`, best first. An empty query lists by usage, then the
    user's own order (position)."""
    most_used = max((r.usage_count for r in responses), default=0)
    if not query.strip():
        ordered = sorted(responses, key=lambda r: (-r.usage_count, r.position, r.id))
        return [Ranked(r, usage_bonus(r.usage_count, most_used)) for r in ordered[:limit]]
    ranked = []
    for r in responses:
        score = fit(query, r)
        if score >= MIN_SCORE:
            ranked.append(Ranked(r, score + usage_bonus(r.usage_count, most_used)))
    ranked.sort(key=lambda x: (-x.score, x.response.position, x.response.id))
    return ranked[:limit]
