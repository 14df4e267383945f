"""Bluesky JSON (app.bsky / chat.bsky views) -> domain items.

Every function raises `MappingError` for an item it cannot use; the client skips that item,
logs why and counts it. Unknown fields are ignored. Post text is plain text already (facets
carry links and mentions beside it), but it is untrusted: control characters are removed.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from desktop.domain.enums import ConversationKind, Direction, Platform
from desktop.domain.inbound import InboundItem, ProfileInfo

APP_URL = "https://bsky.app"
POST_REASONS = ("mention", "reply", "quote")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u202a-\u202e\u2066-\u2069]")


class MappingError(ValueError):
    """The item is unusable (missing or mistyped required field)."""


def plain_text(value: Any) -> str:
    """Untrusted text as plain text: a string without control or bidi-override characters."""
    if not isinstance(value, str):
        return ""
    return _CONTROL.sub("", value)


def parse_time(value: Any) -> datetime:
    if not isinstance(value, str) or not value:
        raise MappingError("missing timestamp")
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise MappingError(f"bad timestamp {value!r}") from exc
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _required_str(data: dict[str, Any], key: str, what: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value:
        raise MappingError(f"{what} without {key}")
    return value


def rkey_of(uri: str) -> str:
    """The record key, the last segment of at://did/collection/rkey."""
    return uri.rsplit("/", 1)[-1]


def post_url(uri: str, handle: str) -> str:
    return f"{APP_URL}/profile/{handle}/post/{rkey_of(uri)}"


def profile_from_view(view: Any) -> ProfileInfo:
    """actor.defs#profileView / profileViewBasic / profileViewDetailed (followers only there)."""
    if not isinstance(view, dict):
        raise MappingError("profile is not an object")
    did = _required_str(view, "did", "profile")
    handle = _required_str(view, "handle", "profile")
    followers = view.get("followersCount")
    verification = view.get("verification")
    verified = isinstance(verification, dict) and verification.get("verifiedStatus") == "valid"
    avatar = view.get("avatar")
    return ProfileInfo(
        platform=Platform.BLUESKY, platform_user_id=did, handle=handle,
        display_name=plain_text(view.get("displayName")),
        avatar_url=avatar if isinstance(avatar, str) else None,
        followers=followers if isinstance(followers, int) else None, verified=verified,
        profile_url=f"{APP_URL}/profile/{handle}",
    )


def _reply_refs(record: dict[str, Any]) -> tuple[str | None, str | None]:
    """(root uri, parent uri) of a post record's `reply`, if it is a reply."""
    reply = record.get("reply")
    if not isinstance(reply, dict):
        return None, None
    root, parent = reply.get("root"), reply.get("parent")
    root_uri = root.get("uri") if isinstance(root, dict) else None
    parent_uri = parent.get("uri") if isinstance(parent, dict) else None
    if not isinstance(root_uri, str) or not isinstance(parent_uri, str):
        raise MappingError("reply without root/parent uri")
    return root_uri, parent_uri


def quoted_uri(record: Any) -> str | None:
    """The post a quote embeds (app.bsky.embed.record, or recordWithMedia), if any."""
    embed = record.get("embed") if isinstance(record, dict) else None
    if not isinstance(embed, dict):
        return None
    inner = embed.get("record")
    if isinstance(inner, dict) and isinstance(inner.get("record"), dict):
        inner = inner["record"]  # recordWithMedia: {record: {record: strongRef}}
    uri = inner.get("uri") if isinstance(inner, dict) else None
    return uri if isinstance(uri, str) and uri.startswith("at://") else None


def item_from_post(uri: str, record: Any, author: ProfileInfo, *, indexed_at: Any,
                   brand_did: str, context_text: str | None = None) -> InboundItem:
    """A post record (from a notification or a thread view) as an item of its thread."""
    if not isinstance(record, dict):
        raise MappingError("post without record")
    text = record.get("text")
    if not isinstance(text, str):
        raise MappingError("post record without text")
    root, parent = _reply_refs(record)
    created = record.get("createdAt") or indexed_at
    return InboundItem(
        platform_id=uri, kind=ConversationKind.PUBLIC_THREAD, thread_key=root or uri,
        author=author, text=plain_text(text), created_at=parse_time(created),
        direction=Direction.OUTBOUND if author.platform_user_id == brand_did
        else Direction.INBOUND,
        in_reply_to=parent, url=post_url(uri, author.handle), context_text=context_text,
    )


def item_from_notification(notification: Any, brand_did: str) -> InboundItem | None:
    """A mention, reply or quote notification; None for other reasons (likes, follows)."""
    if not isinstance(notification, dict):
        raise MappingError("notification is not an object")
    reason = notification.get("reason")
    if not isinstance(reason, str):
        raise MappingError("notification without reason")
    if reason not in POST_REASONS:
        return None
    uri = _required_str(notification, "uri", "notification")
    author = profile_from_view(notification.get("author"))
    return item_from_post(uri, notification.get("record"), author,
                          indexed_at=notification.get("indexedAt"), brand_did=brand_did)


def item_from_post_view(view: Any, brand_did: str) -> InboundItem:
    """feed.defs#postView (getPostThread) as an item."""
    if not isinstance(view, dict):
        raise MappingError("post view is not an object")
    uri = _required_str(view, "uri", "post view")
    author = profile_from_view(view.get("author"))
    return item_from_post(uri, view.get("record"), author, indexed_at=view.get("indexedAt"),
                          brand_did=brand_did)


def item_from_message(message: Any, convo_id: str, members: dict[str, ProfileInfo],
                      brand_did: str) -> InboundItem | None:
    """chat.bsky.convo.defs#messageView; None for deleted and system messages."""
    if not isinstance(message, dict):
        raise MappingError("message is not an object")
    kind = message.get("$type")
    if isinstance(kind, str) and not kind.endswith("#messageView"):
        return None
    message_id = _required_str(message, "id", "message")
    sender = message.get("sender")
    sender_did = sender.get("did") if isinstance(sender, dict) else None
    if not isinstance(sender_did, str):
        raise MappingError("message without sender")
    text = message.get("text")
    if not isinstance(text, str):
        raise MappingError("message without text")
    author = members.get(sender_did) or ProfileInfo(
        platform=Platform.BLUESKY, platform_user_id=sender_did, handle=sender_did)
    return InboundItem(
        platform_id=message_id, kind=ConversationKind.DIRECT_MESSAGE, thread_key=convo_id,
        author=author, text=plain_text(text), created_at=parse_time(message.get("sentAt")),
        direction=Direction.OUTBOUND if sender_did == brand_did else Direction.INBOUND,
    )


def members_of(convo: dict[str, Any]) -> dict[str, ProfileInfo]:
    members: dict[str, ProfileInfo] = {}
    for view in convo.get("members") or []:
        try:
            profile = profile_from_view(view)
        except MappingError:
            continue
        members[profile.platform_user_id] = profile
    return members
