"""Graph JSON of an Instagram professional account (media, comments) -> InboundItems.

Direct messages use the Facebook mapping (the same Page conversation shape). Commenters are
known only by IG-scoped id and username: Instagram exposes no follower counts or names of
the people who comment, so `followers` stays None.
"""

from __future__ import annotations

from typing import Any

from desktop.domain.enums import ConversationKind, Direction, Platform
from desktop.domain.inbound import InboundItem, ProfileInfo
from desktop.platforms.facebook.mapping import Malformed, profile
from desktop.platforms.meta_graph import parse_time, plain_text


def commenter(raw: dict[str, Any]) -> ProfileInfo:
    """`from` ({id, username}) when present; older answers carry only `username`."""
    source = raw.get("from")
    if isinstance(source, dict) and source.get("id"):
        if not source.get("username") and raw.get("username"):
            source = {**source, "username": raw["username"]}
        return profile(source, Platform.INSTAGRAM)
    if isinstance(raw.get("username"), str) and raw["username"]:
        # No stable id: the username stands in (it can change; better than losing the comment).
        return profile({"id": f"username:{raw['username']}", "username": raw["username"]},
                       Platform.INSTAGRAM)
    raise Malformed("no author")


def map_comment(raw: Any, *, media_id: str, self_id: str, context_text: str | None = None,
                parent_id: str | None = None) -> InboundItem:
    """A comment on the account's media, or a reply (`parent_id`) to one."""
    if not isinstance(raw, dict):
        raise Malformed("comment is not an object")
    if not raw.get("id"):
        raise Malformed("missing id")
    created = parse_time(raw.get("timestamp"))
    if created is None:
        raise Malformed("missing or unreadable timestamp")
    author = commenter(raw)
    parent = raw.get("parent_id") or parent_id
    return InboundItem(
        platform_id=str(raw["id"]),
        kind=ConversationKind.COMMENT_THREAD,
        thread_key=media_id,
        author=author,
        text=plain_text(raw.get("text")),
        created_at=created,
        direction=Direction.OUTBOUND if author.platform_user_id == self_id else Direction.INBOUND,
        in_reply_to=str(parent) if parent else media_id,
        metrics={"likes": raw["like_count"]} if isinstance(raw.get("like_count"), int) else {},
        context_text=context_text,
    )


def map_media(raw: Any, *, account: ProfileInfo) -> InboundItem:
    """One of the account's own posts with like and comment counts (OWN_POSTS)."""
    if not isinstance(raw, dict) or not raw.get("id"):
        raise Malformed("media without id")
    created = parse_time(raw.get("timestamp"))
    if created is None:
        raise Malformed("missing or unreadable timestamp")
    metrics = {name: raw[key] for name, key in (("likes", "like_count"),
                                                ("replies", "comments_count"))
               if isinstance(raw.get(key), int)}
    return InboundItem(
        platform_id=str(raw["id"]),
        kind=ConversationKind.COMMENT_THREAD,
        thread_key=str(raw["id"]),
        author=account,
        text=plain_text(raw.get("caption")),
        created_at=created,
        direction=Direction.OUTBOUND,
        metrics=metrics,
        url=raw.get("permalink") if isinstance(raw.get("permalink"), str) else None,
    )
