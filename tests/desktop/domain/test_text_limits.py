"""Per-platform text length: each platform's own unit, limit and overflow position."""

from __future__ import annotations

import pytest

from desktop.domain.enums import ConversationKind, Platform
from desktop.domain.text_limits import measure

FAMILY = "\U0001F468\u200D\U0001F469\u200D\U0001F467"  # one grapheme, five code points


def test_bluesky_counts_graphemes_not_code_points() -> None:
    result = measure(Platform.BLUESKY, FAMILY * 300)
    assert (result.count, result.limit, result.unit) == (300, 300, "graphemes")
    assert result.fits and result.over_at is None


def test_bluesky_overflow_starts_at_the_301st_grapheme() -> None:
    text = "e\u0301" * 300 + "xyz"  # e + combining accent: one grapheme each
    result = measure(Platform.BLUESKY, text)
    assert result.count == 303
    assert not result.fits
    assert result.over_at == 600
    assert text[result.over_at:] == "xyz"


def test_x_weights_urls_cjk_and_emoji() -> None:
    text = "hi https://example.com/a/very/long/path/indeed?q=1 日本 😀"
    result = measure(Platform.X, text)
    # "hi " 3 + URL 23 + " " 1 + two CJK x2 + " " 1 + emoji 2
    assert result.count == 3 + 23 + 1 + 4 + 1 + 2
    assert result.limit == 280


def test_x_overflow_index_accounts_for_weights_and_astral_characters() -> None:
    text = "😀" * 140 + "tail"  # 280 weighted exactly, then 4 over
    result = measure(Platform.X, text)
    assert result.count == 284
    assert result.over_at == 140
    assert text[result.over_at:] == "tail"
    cjk = "字" * 141
    assert measure(Platform.X, cjk).over_at == 140


def test_x_direct_messages_have_their_own_limit() -> None:
    result = measure(Platform.X, "a" * 9_000, kind=ConversationKind.DIRECT_MESSAGE)
    assert result.fits and result.limit == 10_000


def test_mastodon_urls_count_23_and_remote_mentions_their_local_part() -> None:
    url = "https://example.com/" + "x" * 100
    assert measure(Platform.MASTODON, f"see {url}").count == 4 + 23
    assert measure(Platform.MASTODON, "@tom@mastodon.example hi").count == len("@tom hi")


def test_mastodon_instance_limit_overrides_and_overflow_is_a_whole_url() -> None:
    text = "a" * 490 + " https://example.com/page"
    result = measure(Platform.MASTODON, text)
    assert result.count == 491 + 23
    assert result.over_at == 491  # the URL that crosses the limit is marked as a whole
    assert measure(Platform.MASTODON, text, limit=5000).fits


@pytest.mark.parametrize(("platform", "kind", "limit"), [
    (Platform.FACEBOOK, ConversationKind.COMMENT_THREAD, 8000),
    (Platform.INSTAGRAM, ConversationKind.COMMENT_THREAD, 2200),
    (Platform.INSTAGRAM, ConversationKind.DIRECT_MESSAGE, 1000),
])
def test_meta_limits_in_characters(platform: Platform, kind: ConversationKind,
                                   limit: int) -> None:
    assert measure(platform, "a" * limit, kind=kind).fits
    over = measure(platform, "a" * (limit + 1), kind=kind)
    assert (over.count, over.over_at, over.remaining) == (limit + 1, limit, -1)


def test_importing_the_module_does_not_load_twitter_text() -> None:
    """twitter-text takes ~0.5 s to import: cold start must not pay for it."""
    import subprocess
    import sys

    code = ("import sys, desktop.domain.text_limits as t; a = 'twitter_text' in sys.modules; "
            "t.preload(); print(a, 'twitter_text' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.split()
    assert out == ["False", "True"]
