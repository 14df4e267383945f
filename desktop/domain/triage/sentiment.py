"""Sentiment of one message, offline, with VADER (vaderSentiment).

VADER is a lexicon and rule set tuned for English social media: it knows intensifiers
("very"), negation ("not good"), capitals, "!!!", slang and emoji. It does NOT understand other
languages: a German, French or Spanish message mostly scores neutral (0.0) unless it carries
emoji or English words. We say so in the UI (LANGUAGE_NOTE) instead of pretending; a
neutral score is "no signal", never "the customer is fine".
"""

from __future__ import annotations

import enum
from functools import lru_cache

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

# VADER's own recommended cut-offs on the compound score.
NEGATIVE_BELOW = -0.05
POSITIVE_ABOVE = 0.05

LANGUAGE_NOTE = (
    "Sentiment comes from VADER, an English word and emoji list that runs offline. "
    "Messages in other languages mostly score neutral unless they carry emoji it knows."
)


class Tone(enum.StrEnum):
    NEGATIVE = "negative"
    NEUTRAL = "neutral"
    POSITIVE = "positive"


@lru_cache(maxsize=1)
def _analyser() -> SentimentIntensityAnalyzer:
    # Loading the lexicon takes ~15 ms: once per process.
    return SentimentIntensityAnalyzer()


def score(text: str) -> float:
    """VADER's compound score in [-1, 1]: below -0.05 negative, above 0.05 positive."""
    if not text.strip():
        return 0.0
    return float(_analyser().polarity_scores(text)["compound"])


def tone(compound: float) -> Tone:
    if compound < NEGATIVE_BELOW:
        return Tone.NEGATIVE
    if compound > POSITIVE_ABOVE:
        return Tone.POSITIVE
    return Tone.NEUTRAL
