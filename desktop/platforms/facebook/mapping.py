"""Graph JSON of a Facebook Page (posts, comments, Messenger messages) -> InboundItems.

Each mapper returns an item or raises `Malformed` with a reason; the client skips that
entry, logs the reason (never the text) and counts it in Page.skipped. Unknown fields are
ignored. Items written by the Page itself come back as OUTBOUND so sync sees the brand's
earlier answers (first response time, collision check).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any

from desktop.domain.enums import ConversationKind, Direction, Platform
from desktop.domain.inbound import InboundItem, ProfileInfo
from desktop.domain.models import Attachment
from desktop.platforms.meta_graph import parse_time, plain_text

log = logging.getLogger(__name__)


class Malformed(ValueError):
    """An entry that cannot become an item; the message is a reason, never message text."""


def profile(raw: Any, platform: Platform = Platform.FACEBOOK) -> ProfileInfo:
    """`from` of a comment or message: `{"id", "name"}` (Facebook) or `{"id", "username"}`
    (Instagram). Facebook users have no public handle, so the name stands in."""
    if not isinstance(raw, dict) or not raw.get("id"):
        raise Malformed("no author id")
    name = plain_text(raw.get("name") or "")
    username = plain_text(raw.get("username") or "")
    handle = username or name or str(raw["id"])
    return ProfileInfo(
        platform=platform,
        platform_user_id=str(raw["id"]),
        handle=handle,
        display_name=name or username,
        avatar_url=raw.get("profile_pic") if isinstance(raw.get("profile_pic"), str) else None,
        profile_url=f"https://www.instagram.com/{username}/" if username
        and platform is Platform.INSTAGRAM else None,
    )


def _required(raw: dict[str, Any], key: str) -> Any:
    value = raw.get(key)
    if value in (None, ""):
        raise Malformed(f"missing {key}")
    return value


def _attachments(raw: Any) -> tuple[Attachment, ...]:
    """Attachment metadata only (URLs are never fetched automatically)."""
    entries: list[Any]
    if isinstance(raw, dict) and isinstance(raw.get("data"), list):
        entries = raw["data"]
    elif isinstance(raw, dict):
        entries = [raw]
    else:
        return ()
    found = []
    for entry in entries:
        if not isinstance(entry, dict):
            continue
        media: dict[str, Any] = entry["media"] if isinstance(entry.get("media"), dict) else {}
        image: dict[str, Any] = media["image"] if isinstance(media.get("image"), dict) else {}
        url = entry.get("url") or image.get("src") or entry.get("file_url")
        if isinstance(url, str) and url:
            kind = str(entry.get("type") or entry.get("mime_type") or "link").split("/")[0]
            found.append(Attachment(kind=kind, url=url, name=plain_text(entry.get("name"))))
    return tuple(found)


def map_comment(raw: Any, *, post_id: str, page_id: str, context_text: str | None = None
                ) -> InboundItem:
    """A comment or reply under one of the Page's posts (`filter=stream` gives both)."""
    if not isinstance(raw, dict):
        raise Malformed("comment is not an object")
    comment_id = str(_required(raw, "id"))
    created = parse_time(_required(raw, "created_time"))
    if created is None:
        raise Malformed("unreadable created_time")
    author = profile(raw.get("from"))
    parent = raw.get("parent")
    parent_id = str(parent["id"]) if isinstance(parent, dict) and parent.get("id") else post_id
    metrics = {k: int(raw[k]) for k in ("like_count", "comment_count")
               if isinstance(raw.get(k), int)}
    return InboundItem(
        platform_id=comment_id,
        kind=ConversationKind.COMMENT_THREAD,
        thread_key=post_id,
        author=author,
        text=plain_text(raw.get("message")),
        created_at=created,
        direction=Direction.OUTBOUND if author.platform_user_id == page_id else Direction.INBOUND,
        in_reply_to=parent_id,
        attachments=_attachments(raw.get("attachment")),
        metrics={("likes" if k == "like_count" else "replies"): v for k, v in metrics.items()},
        url=raw.get("permalink_url") if isinstance(raw.get("permalink_url"), str) else None,
        context_text=context_text,
    )


def map_message(raw: Any, *, conversation_id: str, page_id: str,
                platform: Platform = Platform.FACEBOOK) -> InboundItem:
    """A Messenger (or Instagram Direct) message of a conversation."""
    if not isinstance(raw, dict):
        raise Malformed("message is not an object")
    message_id = str(_required(raw, "id"))
    created = parse_time(_required(raw, "created_time"))
    if created is None:
        raise Malformed("unreadable created_time")
    author = profile(raw.get("from"), platform)
    return InboundItem(
        platform_id=message_id,
        kind=ConversationKind.DIRECT_MESSAGE,
        thread_key=conversation_id,
        author=author,
        text=plain_text(raw.get("message")),
        created_at=created,
        direction=Direction.OUTBOUND if author.platform_user_id == page_id else Direction.INBOUND,
        attachments=_attachments(raw.get("attachments")),
    )


def summary_count(raw: Any) -> int | None:
    """`{"data": [], "summary": {"total_count": N}}` of an edge asked with summary(true)."""
    if isinstance(raw, dict) and isinstance(raw.get("summary"), dict):
        count = raw["summary"].get("total_count")
        return count if isinstance(count, int) else None
    return None


def map_post(raw: Any, *, page: ProfileInfo) -> InboundItem:
    """One of the Page's own posts with its public metrics (OWN_POSTS, for the reports)."""
    if not isinstance(raw, dict):
        raise Malformed("post is not an object")
    post_id = str(_required(raw, "id"))
    created = parse_time(_required(raw, "created_time"))
    if created is None:
        raise Malformed("unreadable created_time")
    metrics: dict[str, int] = {}
    for key, edge in (("likes", "reactions"), ("replies", "comments")):
        count = summary_count(raw.get(edge))
        if count is not None:
            metrics[key] = count
    shares = raw.get("shares")
    if isinstance(shares, dict) and isinstance(shares.get("count"), int):
        metrics["reposts"] = shares["count"]
    return InboundItem(
        platform_id=post_id,
        kind=ConversationKind.COMMENT_THREAD,
        thread_key=post_id,
        author=page,
        text=plain_text(raw.get("message")),
        created_at=created,
        direction=Direction.OUTBOUND,
        metrics=metrics,
        url=raw.get("permalink_url") if isinstance(raw.get("permalink_url"), str) else None,
    )


def map_all(entries: Iterable[Any], mapper: Callable[[Any], InboundItem], what: str
            ) -> tuple[list[InboundItem], int]:
    """Map every entry; a malformed one is logged (id and reason only) and counted."""
    items: list[InboundItem] = []
    skipped = 0
    for entry in entries:
        try:
            items.append(mapper(entry))
        except Malformed as exc:
            skipped += 1
            entry_id = entry.get("id") if isinstance(entry, dict) else None
            log.warning("skipped a malformed %s (id %s): %s", what, entry_id, exc)
    return items, skipped
