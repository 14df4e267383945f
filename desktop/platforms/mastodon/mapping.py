"""Mastodon JSON -> domain items. Untrusted input: every field is checked, HTML becomes text.

A status or account missing a required field raises `MappingError`; the client skips that
item, logs why (never its text) and counts it in `Page.skipped`. Unknown fields are ignored.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from desktop.domain.enums import ConversationKind, Direction, Platform
from desktop.domain.inbound import InboundItem, ProfileInfo
from desktop.domain.models import Attachment
from desktop.platforms.mastodon.html_text import html_to_text

ATTACHMENT_KINDS = {"image": "image", "gifv": "video", "video": "video", "audio": "file"}


class MappingError(ValueError):
    """An item the platform sent that we cannot use; the message says which field."""


def _str(data: Any, key: str) -> str:
    if not isinstance(data, dict):
        raise MappingError(f"expected an object holding {key!r}")
    value = data.get(key)
    if not isinstance(value, str) or not value:
        raise MappingError(f"missing or invalid {key!r}")
    return value


def parse_time(value: Any) -> datetime:
    """ISO 8601 as Mastodon writes it ("2026-11-25T03:36:23.567Z"); always UTC-aware."""
    if not isinstance(value, str):
        raise MappingError("missing or invalid 'created_at'")
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise MappingError(f"bad time {value!r}") from exc
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)


def profile_from_account(data: Any) -> ProfileInfo:
    account_id = _str(data, "id")
    handle = data.get("acct") or data.get("username")
    if not isinstance(handle, str) or not handle:
        raise MappingError("account without 'acct'")
    followers = data.get("followers_count")
    avatar = data.get("avatar")
    url = data.get("url")
    name = data.get("display_name")
    return ProfileInfo(
        platform=Platform.MASTODON,
        platform_user_id=account_id,
        handle=handle,
        display_name=name if isinstance(name, str) else "",
        avatar_url=avatar if isinstance(avatar, str) and avatar else None,
        followers=followers if isinstance(followers, int) and followers >= 0 else None,
        profile_url=url if isinstance(url, str) and url else None,
    )


def _attachments(data: dict[str, Any]) -> tuple[Attachment, ...]:
    result = []
    for media in data.get("media_attachments") or []:
        if isinstance(media, dict) and isinstance(media.get("url"), str):
            result.append(Attachment(
                kind=ATTACHMENT_KINDS.get(str(media.get("type")), "file"),
                url=media["url"],
                name=str(media.get("description") or ""),
            ))
    return tuple(result)


def is_direct(status: Any) -> bool:
    return isinstance(status, dict) and status.get("visibility") == "direct"


def item_from_status(
    status: Any,
    *,
    thread_key: str,
    brand_user_id: str,
    kind: ConversationKind | None = None,
    context_text: str | None = None,
) -> InboundItem:
    """One status as an inbound item; the brand's own statuses are OUTBOUND."""
    status_id = _str(status, "id")
    author = profile_from_account(status.get("account"))
    created_at = parse_time(status.get("created_at"))
    content = status.get("content")
    if not isinstance(content, str):
        raise MappingError("missing 'content'")
    text = html_to_text(content)
    spoiler = status.get("spoiler_text")
    if isinstance(spoiler, str) and spoiler.strip():
        text = f"[CW: {spoiler.strip()}]\n{text}"
    if kind is None:
        kind = ConversationKind.DIRECT_MESSAGE if is_direct(status) \
            else ConversationKind.PUBLIC_THREAD
    parent = status.get("in_reply_to_id")
    url = status.get("url") or status.get("uri")
    metrics = {
        name: value for name, key in (("likes", "favourites_count"), ("reposts", "reblogs_count"),
                                      ("replies", "replies_count"))
        if isinstance(value := status.get(key), int)
    }
    return InboundItem(
        platform_id=status_id,
        kind=kind,
        thread_key=thread_key,
        author=author,
        text=text,
        created_at=created_at,
        direction=Direction.OUTBOUND if author.platform_user_id == brand_user_id
        else Direction.INBOUND,
        in_reply_to=parent if isinstance(parent, str) and parent else None,
        attachments=_attachments(status),
        metrics=metrics,
        url=url if isinstance(url, str) else None,
        context_text=context_text,
    )
