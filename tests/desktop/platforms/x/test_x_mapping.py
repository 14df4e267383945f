"""X mapping and error classification on recorded-shape JSON."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from desktop.domain.enums import ConversationKind, Direction
from desktop.domain.errors import SyncErrorKind
from desktop.platforms.x.client import DUPLICATE, classify
from desktop.platforms.x.mapping import (
    MappingError,
    index_by_id,
    item_from_dm_event,
    item_from_tweet,
    newer,
)

BRAND = "100"
# The shape of GET /2/users/:id/mentions with our expansions (trimmed, ids replaced).
MENTIONS: dict[str, Any] = {
    "data": [{
        "id": "1802", "text": "@acme when does it ship? &amp; &lt;b&gt;", "author_id": "200",
        "conversation_id": "1800", "in_reply_to_user_id": BRAND,
        "created_at": "2026-03-01T12:00:00.000Z",
        "referenced_tweets": [{"type": "replied_to", "id": "1800"}],
        "public_metrics": {"retweet_count": 0, "reply_count": 1, "like_count": 3,
                           "quote_count": 0, "bookmark_count": 0, "impression_count": 55},
        "edit_history_tweet_ids": ["1802"], "brand_new_field": True}],
    "includes": {
        "users": [{"id": "200", "name": "Dana", "username": "dana_s", "verified": False,
                   "public_metrics": {"followers_count": 4321, "following_count": 9,
                                      "tweet_count": 1, "listed_count": 0}},
                  {"id": BRAND, "name": "ACME", "username": "acme"}],
        "tweets": [{"id": "1800", "text": "Spring collection is live", "author_id": BRAND}]},
    "meta": {"result_count": 1, "newest_id": "1802", "oldest_id": "1802"},
}


def test_mention_maps_with_author_metrics_and_context() -> None:
    users = index_by_id(MENTIONS["includes"]["users"])
    tweets = index_by_id(MENTIONS["includes"]["tweets"])
    item = item_from_tweet(MENTIONS["data"][0], users, tweets, BRAND)
    assert item.kind is ConversationKind.PUBLIC_THREAD
    assert (item.thread_key, item.in_reply_to) == ("1800", "1800")
    assert item.text == "@acme when does it ship? & <b>"
    assert (item.author.handle, item.author.followers) == ("dana_s", 4321)
    assert item.context_text == "Spring collection is live"
    assert item.metrics["like_count"] == 3
    assert item.url == "https://x.com/dana_s/status/1802"
    assert item.created_at == datetime(2026, 3, 1, 12, tzinfo=UTC)


def test_tweet_without_expansions_still_maps() -> None:
    tweet = {"id": "5", "text": "hi", "author_id": "7", "created_at": "2026-03-01T12:00:00Z"}
    item = item_from_tweet(tweet, {}, {}, BRAND)
    assert item.thread_key == "5" and item.author.handle == "7" and item.context_text is None


@pytest.mark.parametrize("broken", [
    {"id": "1", "sandbox_broken": True},
    {"id": "1", "text": "x", "created_at": "2026-03-01T12:00:00Z"},  # no author
    {"id": "1", "text": "x", "author_id": "7", "created_at": "yesterday"},
    None,
])
def test_malformed_tweets_raise_mapping_error(broken: Any) -> None:
    with pytest.raises(MappingError):
        item_from_tweet(broken, {}, {}, BRAND)


def test_dm_events() -> None:
    users = index_by_id([{"id": "200", "username": "dana_s", "name": "Dana"}])
    event = {"id": "9001", "event_type": "MessageCreate", "text": "hi", "sender_id": "200",
             "dm_conversation_id": "100-200", "created_at": "2026-03-01T12:00:00.000Z"}
    item = item_from_dm_event(event, users, BRAND)
    assert item is not None and item.kind is ConversationKind.DIRECT_MESSAGE
    assert (item.thread_key, item.author.handle) == ("100-200", "dana_s")
    ours = item_from_dm_event({**event, "sender_id": BRAND}, users, BRAND)
    assert ours is not None and ours.direction is Direction.OUTBOUND
    assert item_from_dm_event({**event, "event_type": "ParticipantsJoin"}, users, BRAND) is None
    with pytest.raises(MappingError):
        item_from_dm_event({**event, "dm_conversation_id": None}, users, BRAND)


def test_snowflakes_compare_as_numbers() -> None:
    assert newer("1000", "999") and not newer("999", "1000") and newer("1", None)


def _response(status: int, body: Any, headers: dict[str, str] | None = None) -> httpx.Response:
    request = httpx.Request("POST", "https://api.x.com/2/tweets")
    return httpx.Response(status, json=body, headers=headers, request=request)


def test_classify_problem_json() -> None:
    duplicate = classify(_response(403, {
        "detail": "You are not allowed to create a Tweet with duplicate content.",
        "type": "about:blank", "title": "Forbidden", "status": 403}))
    assert duplicate.kind is SyncErrorKind.PERMANENT and duplicate.platform_code == DUPLICATE
    limited = classify(_response(429, {"title": "Too Many Requests", "detail": "Too Many "
                                       "Requests", "type": "about:blank", "status": 429},
                                 {"x-rate-limit-reset": "1900000000"}))
    assert limited.kind is SyncErrorKind.RATE_LIMITED
    assert limited.retry_at == datetime.fromtimestamp(1900000000, UTC)
    legacy = classify(_response(429, {"errors": [{"code": 88, "message": "Rate limit "
                                                  "exceeded"}]}))
    assert legacy.kind is SyncErrorKind.RATE_LIMITED and "Rate limit exceeded" in str(legacy)
    auth = classify(_response(403, {"title": "Unsupported Authentication", "type":
                                    "https://api.x.com/2/problems/unsupported-authentication",
                                    "detail": "Authenticating with OAuth 2.0 Application-Only "
                                    "is forbidden for this endpoint.  Supported "
                                    "authentication types are [OAuth 1.0a User Context, "
                                    "OAuth 2.0 User Context]."}))
    assert auth.kind is SyncErrorKind.AUTH
