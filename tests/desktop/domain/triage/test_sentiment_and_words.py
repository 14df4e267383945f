"""VADER as we use it, and urgent-word matching."""

from __future__ import annotations

from desktop.domain.enums import ConversationStatus, Direction
from desktop.domain.triage import sentiment
from desktop.domain.triage.needs_reply import needs_reply
from desktop.domain.triage.sentiment import Tone
from desktop.domain.triage.urgent_words import DEFAULT_URGENT_WORDS, find, normalise


def test_english_and_emoji_carry_tone() -> None:
    angry = sentiment.score("The tent broke after two days 😡 This is unacceptable.")
    happy = sentiment.score("Love the new tent! 😍 Great job team")
    assert sentiment.tone(angry) is Tone.NEGATIVE
    assert sentiment.tone(happy) is Tone.POSITIVE
    assert sentiment.score("   ") == 0.0


def test_other_languages_mostly_score_neutral_as_documented() -> None:
    # "This is bad, I am furious" in German: VADER has no German lexicon.
    assert sentiment.tone(sentiment.score("Das ist schlecht, ich bin wütend")) is Tone.NEUTRAL
    # An emoji still counts, whatever the language.
    assert sentiment.tone(sentiment.score("Das ist schlecht 😞")) is Tone.NEGATIVE
    assert "other languages" in sentiment.LANGUAGE_NOTE


def test_urgent_words_match_inflections_not_substrings() -> None:
    words = DEFAULT_URGENT_WORDS
    assert find("I want my REFUNDS now", words) == ("refund",)
    assert find("Please cancel. It arrived broken", words) == ("cancel", "broken")
    assert find("prefunded account", words) == ()
    assert find("I was charged twice!", words) == ("charged twice",)
    assert find("anything", ()) == ()


def test_edited_word_lists_are_normalised() -> None:
    assert normalise(["  Refund ", "refund", "", "Data  Breach"]) == ("refund", "data breach")
    assert find("a data breach?", ("Data  Breach",)) == ("data breach",)


def test_needs_reply_rule() -> None:
    assert needs_reply(Direction.INBOUND, ConversationStatus.OPEN)
    assert needs_reply(Direction.INBOUND, ConversationStatus.PENDING)
    assert not needs_reply(Direction.OUTBOUND, ConversationStatus.OPEN)
    assert not needs_reply(Direction.INBOUND, ConversationStatus.RESOLVED)
    assert not needs_reply(Direction.INBOUND, ConversationStatus.SNOOZED)
    assert not needs_reply(None, ConversationStatus.OPEN)
