"""Bluesky mapping, error classification and record keys on recorded-shape JSON."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from desktop.domain.enums import ConversationKind, Direction
from desktop.domain.errors import SyncErrorKind
from desktop.platforms.bluesky.client import classify
from desktop.platforms.bluesky.mapping import (
    MappingError,
    item_from_message,
    item_from_notification,
    members_of,
    quoted_uri,
)
from desktop.platforms.bluesky.tid import TID_RE, new_tid, record_key_for

BRAND = "did:plc:brand"
ROOT = "at://did:plc:brand/app.bsky.feed.post/3kroot2222222"
# The shape of a reply notification as bsky.social serves it (trimmed, ids replaced).
REPLY_NOTIFICATION: dict[str, Any] = {
    "uri": "at://did:plc:dana/app.bsky.feed.post/3lreply222222",
    "cid": "bafyreiexample",
    "author": {"did": "did:plc:dana", "handle": "dana.bsky.social",
               "displayName": "Dana \u202eScully", "avatar": "https://cdn.bsky.app/a.jpg",
               "associated": {"chat": {"allowIncoming": "all"}}, "labels": [],
               "createdAt": "2023-05-01T10:00:00.000Z",
               "verification": {"verifiedStatus": "valid", "verifications": []}},
    "reason": "reply", "reasonSubject": ROOT,
    "record": {"$type": "app.bsky.feed.post", "createdAt": "2026-03-01T12:00:00.123Z",
               "langs": ["en"], "text": "<b>when</b> does it ship?\x07",
               "reply": {"root": {"uri": ROOT, "cid": "bafyroot"},
                         "parent": {"uri": ROOT, "cid": "bafyroot"}}},
    "isRead": False, "indexedAt": "2026-03-01T12:00:01.000Z", "labels": [],
    "someFutureField": {"x": 1},
}


def test_reply_notification_maps_to_a_thread_item() -> None:
    item = item_from_notification(REPLY_NOTIFICATION, BRAND)
    assert item is not None
    assert item.kind is ConversationKind.PUBLIC_THREAD
    assert (item.thread_key, item.in_reply_to) == (ROOT, ROOT)
    assert item.text == "<b>when</b> does it ship?"  # plain text kept, control chars gone
    assert item.author.display_name == "Dana Scully"  # bidi override removed
    assert item.author.verified and item.author.followers is None
    assert item.created_at == datetime(2026, 3, 1, 12, 0, 0, 123000, tzinfo=UTC)
    assert item.url == "https://bsky.app/profile/dana.bsky.social/post/3lreply222222"
    assert item.direction is Direction.INBOUND


def test_a_top_level_mention_is_its_own_thread_and_likes_are_ignored() -> None:
    mention = copy.deepcopy(REPLY_NOTIFICATION)
    mention["reason"] = "mention"
    del mention["record"]["reply"]
    item = item_from_notification(mention, BRAND)
    assert item is not None and item.thread_key == mention["uri"] and item.in_reply_to is None
    like = {**REPLY_NOTIFICATION, "reason": "like"}
    assert item_from_notification(like, BRAND) is None


@pytest.mark.parametrize("broken", [
    {"uri": "at://x", "sandbox_broken": True},
    {**REPLY_NOTIFICATION, "author": {"did": "did:plc:x"}},
    {**REPLY_NOTIFICATION, "record": {"createdAt": "2026-01-01T00:00:00Z"}},
    {**REPLY_NOTIFICATION, "record": {**REPLY_NOTIFICATION["record"], "createdAt": "soon"},
     "indexedAt": None},
    {**REPLY_NOTIFICATION, "record": {**REPLY_NOTIFICATION["record"],
                                      "reply": {"root": {}, "parent": {}}}},
    "not an object",
])
def test_malformed_notifications_raise_mapping_error(broken: Any) -> None:
    with pytest.raises(MappingError):
        item_from_notification(broken, BRAND)


def test_messages_map_with_members_and_skip_deleted() -> None:
    convo = {"id": "c1", "members": [
        {"did": BRAND, "handle": "acme.bsky.social"},
        {"did": "did:plc:dana", "handle": "dana.bsky.social", "displayName": "Dana"},
        {"did": 5}]}
    members = members_of(convo)
    message = {"$type": "chat.bsky.convo.defs#messageView", "id": "3lmsg", "rev": "3lmsg",
               "text": "hi", "sender": {"did": "did:plc:dana"},
               "sentAt": "2026-03-01T12:00:00.000Z"}
    item = item_from_message(message, "c1", members, BRAND)
    assert item is not None and item.kind is ConversationKind.DIRECT_MESSAGE
    assert (item.thread_key, item.author.handle) == ("c1", "dana.bsky.social")
    ours = item_from_message({**message, "sender": {"did": BRAND}}, "c1", members, BRAND)
    assert ours is not None and ours.direction is Direction.OUTBOUND
    deleted = {"$type": "chat.bsky.convo.defs#deletedMessageView", "id": "3l", "rev": "3l",
               "sender": {"did": "did:plc:dana"}, "sentAt": "2026-03-01T12:00:00.000Z"}
    assert item_from_message(deleted, "c1", members, BRAND) is None
    with pytest.raises(MappingError):
        item_from_message({**message, "sender": None}, "c1", members, BRAND)


def _response(status: int, body: Any, headers: dict[str, str] | None = None) -> httpx.Response:
    request = httpx.Request("GET", "https://pds.example/xrpc/app.bsky.feed.getPostThread")
    return httpx.Response(status, json=body, headers=headers, request=request)


def test_classify_reads_the_xrpc_error_body() -> None:
    expired = classify(_response(400, {"error": "ExpiredToken", "message": "Token has expired"}))
    assert expired.kind is SyncErrorKind.AUTH and expired.platform_code == "ExpiredToken"
    limited = classify(_response(429, {"error": "RateLimitExceeded", "message": "slow"},
                                 {"RateLimit-Reset": "1900000000"}))
    assert limited.kind is SyncErrorKind.RATE_LIMITED
    assert limited.retry_at == datetime.fromtimestamp(1900000000, UTC)
    invalid = classify(_response(400, {"error": "InvalidRequest", "message": "too long"}))
    assert invalid.kind is SyncErrorKind.PERMANENT and "too long" in str(invalid)
    assert classify(_response(502, "oops")).kind is SyncErrorKind.TRANSIENT


def test_record_keys_are_valid_tids_stable_per_key() -> None:
    tid = new_tid()
    assert TID_RE.match(tid) and record_key_for(tid) == tid
    derived = record_key_for("outbox-42")
    assert TID_RE.match(derived) and derived == record_key_for("outbox-42")
    assert derived != record_key_for("outbox-43")
    earlier, later = new_tid(1_000_000), new_tid(2_000_000)
    assert earlier < later  # TIDs sort by time as strings


def test_quoted_uri_from_record_and_record_with_media_embeds() -> None:
    ref = {"uri": ROOT, "cid": "bafyroot"}
    assert quoted_uri({"embed": {"$type": "app.bsky.embed.record", "record": ref}}) == ROOT
    with_media = {"$type": "app.bsky.embed.recordWithMedia", "record": {"record": ref},
                  "media": {"$type": "app.bsky.embed.images", "images": []}}
    assert quoted_uri({"embed": with_media}) == ROOT
    assert quoted_uri({"embed": {"$type": "app.bsky.embed.external"}}) is None
    assert quoted_uri(REPLY_NOTIFICATION["record"]) is None
