"""X API v2 JSON (tweets, users, DM events with `includes`) -> domain items.

Each function raises `MappingError` for an item it cannot use; the client skips it, logs
why and counts it. Unknown fields are ignored. Tweet text is plain text but HTML-escaped
by X (`&amp;`, `&lt;`, `&gt;`): it is unescaped once and stripped of control characters.
"""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime
from typing import Any

from desktop.domain.enums import ConversationKind, Direction, Platform
from desktop.domain.inbound import InboundItem, ProfileInfo

WEB = "https://x.com"
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u202a-\u202e\u2066-\u2069]")


class MappingError(ValueError):
    """The item is unusable (missing or mistyped required field)."""


def plain_text(value: Any) -> str:
    if not isinstance(value, str):
        return ""
    return _CONTROL.sub("", html.unescape(value))


def parse_time(value: Any) -> datetime:
    if not isinstance(value, str) or not value:
        raise MappingError("missing created_at")
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise MappingError(f"bad timestamp {value!r}") from exc
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def newer(a: str, b: str | None) -> bool:
    """Snowflake ids compare as numbers."""
    if b is None:
        return True
    if a.isdigit() and b.isdigit():
        return int(a) > int(b)
    return (len(a), a) > (len(b), b)


def index_by_id(rows: Any) -> dict[str, dict[str, Any]]:
    """`includes.users` / `includes.tweets` as a dict by id (bad rows ignored)."""
    if not isinstance(rows, list):
        return {}
    return {str(r["id"]): r for r in rows if isinstance(r, dict) and r.get("id")}


def profile_from_user(user: Any) -> ProfileInfo:
    if not isinstance(user, dict):
        raise MappingError("user is not an object")
    user_id, username = user.get("id"), user.get("username")
    if not isinstance(user_id, str) or not isinstance(username, str) or not username:
        raise MappingError("user without id or username")
    metrics = user.get("public_metrics")
    followers = metrics.get("followers_count") if isinstance(metrics, dict) else None
    image = user.get("profile_image_url")
    return ProfileInfo(
        platform=Platform.X, platform_user_id=user_id, handle=username,
        display_name=plain_text(user.get("name")),
        avatar_url=image if isinstance(image, str) else None,
        followers=followers if isinstance(followers, int) else None,
        verified=user.get("verified") is True, profile_url=f"{WEB}/{username}",
    )


def _author(user_id: Any, users: dict[str, dict[str, Any]]) -> ProfileInfo:
    if not isinstance(user_id, str) or not user_id:
        raise MappingError("item without author")
    if user_id in users:
        return profile_from_user(users[user_id])
    return ProfileInfo(platform=Platform.X, platform_user_id=user_id, handle=user_id)


def replied_to(tweet: dict[str, Any]) -> str | None:
    """The id this tweet replies to (`referenced_tweets`; the SDK spec calls it
    `referenced_posts`)."""
    refs = tweet.get("referenced_tweets", tweet.get("referenced_posts"))
    for ref in refs if isinstance(refs, list) else []:
        if isinstance(ref, dict) and ref.get("type") == "replied_to" and ref.get("id"):
            return str(ref["id"])
    return None


def item_from_tweet(tweet: Any, users: dict[str, dict[str, Any]],
                    tweets: dict[str, dict[str, Any]], brand_id: str) -> InboundItem:
    if not isinstance(tweet, dict):
        raise MappingError("tweet is not an object")
    tweet_id = tweet.get("id")
    text = tweet.get("text")
    if not isinstance(tweet_id, str) or not tweet_id or not isinstance(text, str):
        raise MappingError("tweet without id or text")
    author = _author(tweet.get("author_id"), users)
    parent = replied_to(tweet)
    conversation = tweet.get("conversation_id")
    metrics = tweet.get("public_metrics")
    context = tweets.get(parent or "", {}).get("text")
    return InboundItem(
        platform_id=tweet_id, kind=ConversationKind.PUBLIC_THREAD,
        thread_key=str(conversation) if isinstance(conversation, str) and conversation
        else tweet_id,
        author=author, text=plain_text(text), created_at=parse_time(tweet.get("created_at")),
        direction=Direction.OUTBOUND if author.platform_user_id == brand_id
        else Direction.INBOUND,
        in_reply_to=parent,
        metrics={k: v for k, v in (metrics or {}).items() if isinstance(v, int)}
        if isinstance(metrics, dict) else {},
        url=f"{WEB}/{author.handle}/status/{tweet_id}",
        context_text=plain_text(context) if isinstance(context, str) else None,
    )


def item_from_dm_event(event: Any, users: dict[str, dict[str, Any]],
                       brand_id: str) -> InboundItem | None:
    """A MessageCreate event; None for other event types (joins, leaves)."""
    if not isinstance(event, dict):
        raise MappingError("DM event is not an object")
    event_type = event.get("event_type")
    if event_type is not None and event_type != "MessageCreate":
        return None
    event_id, text = event.get("id"), event.get("text")
    conversation = event.get("dm_conversation_id")
    if not isinstance(event_id, str) or not isinstance(text, str) \
            or not isinstance(conversation, str) or not conversation:
        raise MappingError("DM event without id, text or conversation")
    author = _author(event.get("sender_id"), users)
    return InboundItem(
        platform_id=event_id, kind=ConversationKind.DIRECT_MESSAGE, thread_key=conversation,
        author=author, text=plain_text(text), created_at=parse_time(event.get("created_at")),
        direction=Direction.OUTBOUND if author.platform_user_id == brand_id
        else Direction.INBOUND,
    )
