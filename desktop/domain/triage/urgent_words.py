"""Urgent words: an editable list; a word matches itself and its inflections.

"refund" matches "Refund", "refunds", "refunded" but not "prefund": matching is on word
starts, case-insensitive, so a short list covers the common forms without a stemmer.
A phrase ("charged twice") matches as a phrase. Works for any script Python's \\w knows.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

DEFAULT_URGENT_WORDS = ("refund", "cancel", "broken", "legal", "lawyer", "charged twice")


def normalise(words: Iterable[str]) -> tuple[str, ...]:
    """Trimmed, lower-case, de-duplicated, in the given order; empty entries dropped."""
    seen: dict[str, None] = {}
    for word in words:
        cleaned = " ".join(word.split()).casefold()
        if cleaned:
            seen.setdefault(cleaned, None)
    return tuple(seen)


@lru_cache(maxsize=16)
def _pattern(words: tuple[str, ...]) -> re.Pattern[str] | None:
    if not words:
        return None
    # Longest first, so "charged twice" wins over a shorter word sharing its start.
    alternatives = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    return re.compile(rf"(?<!\w)({alternatives})\w*", re.IGNORECASE)


def find(text: str, words: tuple[str, ...]) -> tuple[str, ...]:
    """The listed words found in `text` (as listed, each once, in list order)."""
    pattern = _pattern(normalise(words))
    if pattern is None:
        return ()
    hits = {m.group(1).casefold() for m in pattern.finditer(text)}
    return tuple(w for w in normalise(words) if w in hits)
