"""How long a text is in each platform's own unit, and where it stops fitting.

Why per platform: "300" on Bluesky is grapheme clusters, "280" on X is twitter-text's weighted
length (a URL is 23, CJK and emoji weigh 2), "500" on Mastodon counts every URL as 23. The
composer shows `count / limit` and marks the text from `over_at` on; the outbox refuses a
reply that does not fit before the platform does.

`over_at` is a Python string index (code points) into the text, so the UI can slice with it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import regex

from desktop.domain.enums import ConversationKind, Platform

BLUESKY_GRAPHEMES = 300
X_WEIGHTED = 280
X_DIRECT_MESSAGE = 10_000
MASTODON_DEFAULT = 500
MASTODON_URL_WEIGHT = 23
FACEBOOK_CHARS = 8_000
INSTAGRAM_COMMENT = 2_200
INSTAGRAM_DIRECT_MESSAGE = 1_000

_GRAPHEME = regex.compile(r"\X")
# Mastodon's rule: any http(s) URL counts 23; a remote mention counts only its local part.
_MASTODON_URL = regex.compile(r"https?://[^\s<>\"]+", regex.IGNORECASE)
_MASTODON_REMOTE_MENTION = regex.compile(r"(?<![\w/])@(\w+)@[\w.-]+\w")


@dataclass(frozen=True, slots=True)
class TextLength:
    count: int  # in `unit`
    limit: int
    unit: str  # "graphemes" | "weighted characters" | "characters"
    over_at: int | None = None  # string index where the part past the limit starts

    @property
    def fits(self) -> bool:
        return self.count <= self.limit

    @property
    def remaining(self) -> int:
        return self.limit - self.count


def measure(platform: Platform | str, text: str, *,
            kind: ConversationKind = ConversationKind.PUBLIC_THREAD,
            limit: int | None = None) -> TextLength:
    """The length of `text` for a post of `kind` on `platform`; `limit` overrides the default
    (a Mastodon instance with a higher limit, from its /api/v2/instance)."""
    platform = Platform(platform)
    if platform is Platform.BLUESKY:
        return _by_segments(_graphemes(text), limit or BLUESKY_GRAPHEMES, "graphemes")
    if platform is Platform.X:
        if kind is ConversationKind.DIRECT_MESSAGE:
            return _by_segments(_characters(text), limit or X_DIRECT_MESSAGE, "characters")
        return _x_weighted(text, limit or X_WEIGHTED)
    if platform is Platform.MASTODON:
        return _by_segments(_mastodon_segments(text), limit or MASTODON_DEFAULT, "characters")
    if platform is Platform.FACEBOOK:
        return _by_segments(_characters(text), limit or FACEBOOK_CHARS, "characters")
    default = (INSTAGRAM_DIRECT_MESSAGE if kind is ConversationKind.DIRECT_MESSAGE
               else INSTAGRAM_COMMENT)
    return _by_segments(_characters(text), limit or default, "characters")


Segment = tuple[int, int]  # (start index, weight)


def _by_segments(segments: Iterable[Segment], limit: int, unit: str) -> TextLength:
    """Sum weights; the first segment that pushes the total past `limit` starts the overflow."""
    count = 0
    over_at: int | None = None
    for start, weight in segments:
        count += weight
        if over_at is None and count > limit:
            over_at = start
    return TextLength(count=count, limit=limit, unit=unit, over_at=over_at)


def _characters(text: str) -> Iterable[Segment]:
    return ((index, 1) for index in range(len(text)))


def _graphemes(text: str) -> Iterable[Segment]:
    return ((match.start(), 1) for match in _GRAPHEME.finditer(text))


def _mastodon_segments(text: str) -> Iterable[Segment]:
    """Characters, except that a URL is one segment of weight 23 and `@user@domain` counts
    as `@user`."""
    specials: list[tuple[int, int, int]] = []  # (start, end, weight)
    for match in _MASTODON_URL.finditer(text):
        specials.append((match.start(), match.end(), MASTODON_URL_WEIGHT))
    for match in _MASTODON_REMOTE_MENTION.finditer(text):
        if not any(s <= match.start() < e for s, e, _ in specials):
            specials.append((match.start(), match.end(), len(match.group(1)) + 1))
    specials.sort()
    index = 0
    for start, end, weight in specials:
        yield from ((i, 1) for i in range(index, start))
        yield start, weight
        index = end
    yield from ((i, 1) for i in range(index, len(text)))


def preload() -> None:
    """Import twitter-text now (about 0.5 s: its emoji pattern). Call it off the UI thread
    at start-up so the first X keystroke in the composer does not pay for it."""
    import twitter_text  # noqa: F401


def _x_weighted(text: str, limit: int) -> TextLength:
    """twitter-text's parse (its config v3: weights, URL length 23, NFC normalisation).
    Imported here, not at the top: it costs ~0.5 s, which cold start must not pay."""
    from twitter_text import parse_tweet

    if limit != X_WEIGHTED:  # twitter-text is fixed at 280: scale only by our own walk
        return _by_segments(_characters(text), limit, "weighted characters")
    result = parse_tweet(text)
    count = int(result.weightedLength)
    over_at = None
    if count > limit:
        # validRangeEnd is the last UTF-16 code unit that fits (inclusive).
        over_at = _python_index(text, int(result.validRangeEnd) + 1)
    return TextLength(count=count, limit=limit, unit="weighted characters", over_at=over_at)


def _python_index(text: str, utf16_offset: int) -> int:
    """The code-point index of a UTF-16 offset (astral characters take two units)."""
    units = 0
    for index, char in enumerate(text):
        if units >= utf16_offset:
            return index
        units += 2 if ord(char) > 0xFFFF else 1
    return len(text)
