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
from functools import lru_cache
from typing import Any

from rapidfuzz import fuzz, process, utils

from desktop.domain.models import CannedResponse

MIN_SCORE = 55.0
USAGE_BONUS = 8.0


@dataclass(frozen=True, slots=True)
class Ranked:
    response: CannedResponse
    score: float  # 0..100+ (fit, plus the usage bonus)


@lru_cache(maxsize=8192)
def _processed(text: str) -> str:
    """Lower-cased, punctuation-free text (rapidfuzz's default), cached: the library is
    re-ranked on every keystroke after `/`."""
    return str(utils.default_process(text))


def fit(query: str, response: CannedResponse) -> float:
    """How well `query` matches the response, 0..100, before usage."""
    return _fits(_processed(query), [response])[0]


def _fits(q: str, responses: Sequence[CannedResponse]) -> list[float]:
    """fit() for many responses: the fuzzy scores run in rapidfuzz's C loop (process.extract)."""
    if not q:
        return [0.0] * len(responses)
    n = len(responses)
    scores = [0.0] * n

    def best(choices: list[str], scorer: Any, weight: float) -> None:
        # below MIN_SCORE a score cannot matter: let rapidfuzz skip those early
        for _choice, score, index in process.extract(
            q, choices, scorer=scorer, processor=None, limit=None, score_cutoff=MIN_SCORE / weight
        ):
            scores[index] = max(scores[index], float(score) * weight)

    shortcuts = [r.shortcut.lower() for r in responses]
    titles = [_processed(r.title) for r in responses]
    best(shortcuts, fuzz.ratio, 0.95)
    best(titles, fuzz.WRatio, 1.0)
    if len(q) >= 3:
        best([_processed(r.body) for r in responses], fuzz.partial_ratio, 0.8)
    for i in range(n):
        if shortcuts[i] == q:
            scores[i] = 100.0
        elif shortcuts[i].startswith(q):
            scores[i] = max(scores[i], 90.0 + 9.0 * len(q) / max(1, len(shortcuts[i])))
        elif titles[i].startswith(q):
            scores[i] = max(scores[i], 88.0)
    return scores


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
    ranked = [
        Ranked(r, score + usage_bonus(r.usage_count, most_used))
        for r, score in zip(responses, _fits(_processed(query), responses), strict=True)
        if score >= MIN_SCORE
    ]
    ranked.sort(key=lambda x: (-x.score, x.response.position, x.response.id))
    return ranked[:limit]
