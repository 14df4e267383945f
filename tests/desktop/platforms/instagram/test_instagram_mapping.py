"""Instagram Graph JSON -> InboundItems (instagram/mapping)."""

from __future__ import annotations

import pytest

from desktop.domain.enums import ConversationKind, Direction, Platform
from desktop.domain.inbound import ProfileInfo
from desktop.platforms.facebook.mapping import Malformed
from desktop.platforms.instagram.client import is_media_id
from desktop.platforms.instagram.mapping import map_comment, map_media

ME = "17841400000000001"
RAW = {"id": "178001", "text": "Green please!", "timestamp": "2026-11-22T03:42:04+0000",
       "username": "ana.design", "from": {"id": "66001", "username": "ana.design"},
       "like_count": 3, "unknown": True}


def test_comment_on_media() -> None:
    item = map_comment(RAW, media_id="179001", self_id=ME, context_text="New drop")
    assert item.kind is ConversationKind.COMMENT_THREAD
    assert (item.thread_key, item.in_reply_to) == ("179001", "179001")
    assert item.author.handle == "ana.design"
    assert item.author.platform_user_id == "66001"
    assert item.author.profile_url == "https://www.instagram.com/ana.design/"
    assert item.author.followers is None  # Instagram does not expose commenters' followers
    assert item.metrics == {"likes": 3}
    assert item.direction is Direction.INBOUND


def test_reply_parent_and_brand_direction() -> None:
    reply = map_comment({**RAW, "parent_id": "178000", "from": {"id": ME, "username": "acme"}},
                        media_id="179001", self_id=ME)
    assert reply.in_reply_to == "178000"
    assert reply.direction is Direction.OUTBOUND
    nested = map_comment({k: v for k, v in RAW.items() if k != "parent_id"},
                         media_id="179001", self_id=ME, parent_id="178000")
    assert nested.in_reply_to == "178000"


def test_username_only_comment_still_maps() -> None:
    raw = {k: v for k, v in RAW.items() if k != "from"}
    assert map_comment(raw, media_id="1", self_id=ME).author.handle == "ana.design"


@pytest.mark.parametrize("broken", [{"id": "1"}, {**RAW, "timestamp": None},
                                    {k: v for k, v in RAW.items() if k not in ("from", "username")},
                                    []])
def test_malformed(broken: object) -> None:
    with pytest.raises(Malformed):
        map_comment(broken, media_id="1", self_id=ME)


def test_media_metrics() -> None:
    account = ProfileInfo(Platform.INSTAGRAM, ME, "acme")
    item = map_media({"id": "179001", "caption": "Hi", "timestamp": "2026-11-22T03:42:04+0000",
                      "like_count": 120, "comments_count": 2,
                      "permalink": "https://www.instagram.com/p/x/"}, account=account)
    assert item.metrics == {"likes": 120, "replies": 2}
    assert item.url == "https://www.instagram.com/p/x/"
    assert item.direction is Direction.OUTBOUND


def test_thread_keys_tell_media_from_conversations() -> None:
    assert is_media_id("17900000000000034")
    assert not is_media_id("aWdfY29udmVyc2F0aW9uOjQy")
