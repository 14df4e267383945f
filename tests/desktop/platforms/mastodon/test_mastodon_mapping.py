"""Mastodon JSON -> domain items: required fields checked, unknown ones ignored."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from desktop.domain.enums import ConversationKind, Direction
from desktop.platforms.mastodon.client import newer
from desktop.platforms.mastodon.mapping import (
    MappingError,
    item_from_status,
    parse_time,
    profile_from_account,
)


def account(**overrides: Any) -> dict[str, Any]:
    base = {"id": "7", "acct": "dana@example.social", "username": "dana",
            "display_name": "Dana", "followers_count": 12, "avatar": "https://a/x.png",
            "url": "https://example.social/@dana", "brand_new_field": {"x": 1}}
    return {**base, **overrides}


def status(**overrides: Any) -> dict[str, Any]:
    base = {"id": "100", "created_at": "2026-11-25T03:36:23.567Z", "account": account(),
            "content": "<p>hi</p>", "visibility": "public", "in_reply_to_id": None,
            "spoiler_text": "", "favourites_count": 2, "reblogs_count": 0, "replies_count": 1,
            "media_attachments": [{"type": "image", "url": "https://a/m.png",
                                   "description": "a photo"}, {"type": "image"}],
            "url": "https://example.social/@dana/100", "unknown": [1, 2]}
    return {**base, **overrides}


def test_status_maps_to_an_inbound_item() -> None:
    item = item_from_status(status(), thread_key="100", brand_user_id="1", context_text="ctx")
    assert item.platform_id == "100" and item.thread_key == "100"
    assert item.kind is ConversationKind.PUBLIC_THREAD
    assert item.direction is Direction.INBOUND
    assert item.text == "hi"
    assert item.created_at == datetime(2026, 11, 25, 3, 36, 23, 567000, tzinfo=UTC)
    assert item.metrics == {"likes": 2, "reposts": 0, "replies": 1}
    assert [(a.kind, a.url, a.name) for a in item.attachments] == [
        ("image", "https://a/m.png", "a photo")]
    assert item.author.handle == "dana@example.social" and item.author.followers == 12
    assert item.context_text == "ctx"


def test_direct_and_brand_statuses() -> None:
    dm = item_from_status(status(visibility="direct"), thread_key="1", brand_user_id="1")
    assert dm.kind is ConversationKind.DIRECT_MESSAGE
    own = item_from_status(status(account=account(id="1")), thread_key="1", brand_user_id="1")
    assert own.direction is Direction.OUTBOUND


def test_content_warning_is_kept_visible() -> None:
    item = item_from_status(status(spoiler_text="order details"), thread_key="1",
                            brand_user_id="1")
    assert item.text == "[CW: order details]\nhi"


@pytest.mark.parametrize("broken", [
    status(id=None), status(account=None), status(account=account(id="")),
    status(account=account(acct=None, username=None)), status(created_at="yesterday"),
    status(created_at=None), status(content=None), "not an object",
])
def test_missing_required_fields_raise_mapping_error(broken: Any) -> None:
    with pytest.raises(MappingError):
        item_from_status(broken, thread_key="1", brand_user_id="1")


def test_profile_tolerates_odd_optional_fields() -> None:
    profile = profile_from_account(account(followers_count=-3, avatar="", display_name=None))
    assert (profile.followers, profile.avatar_url, profile.display_name) == (None, None, "")


def test_times_and_id_order() -> None:
    assert parse_time("2026-11-25T03:42:41Z").tzinfo is not None
    assert newer("110000000000000010", "99")  # numeric, not string, order
    assert not newer("5", "5") and newer("5", None)
    assert newer("17955782aa", "17955781ff")  # snac2's hex ids: same length, lexical
