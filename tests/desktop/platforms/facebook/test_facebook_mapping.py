"""Graph JSON of a Page -> InboundItems, and the watermark cursor (facebook/mapping, watermark)."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from desktop.domain.enums import ConversationKind, Direction, Platform
from desktop.domain.inbound import InboundItem, ProfileInfo
from desktop.platforms.facebook.mapping import (
    Malformed,
    map_all,
    map_comment,
    map_message,
    map_post,
)
from desktop.platforms.facebook.messaging import after_id
from desktop.platforms.facebook.watermark import Watermark, take_newer

PAGE = "100"
COMMENT = {
    "id": "11_14", "message": "Is the jacket in XL?", "created_time": "2026-11-20T10:00:00+0000",
    "from": {"id": "7001", "name": "Mia K."}, "parent": {"id": "11_13"}, "like_count": 2,
    "comment_count": 0, "permalink_url": "https://www.facebook.com/100_11?comment_id=11_14",
    "a_field_from_the_future": {"x": 1},
}


def test_comment_maps_author_parent_thread_and_metrics() -> None:
    item = map_comment(COMMENT, post_id="100_11", page_id=PAGE, context_text="Spring!")
    assert item.kind is ConversationKind.COMMENT_THREAD
    assert item.thread_key == "100_11"
    assert item.in_reply_to == "11_13"
    assert item.direction is Direction.INBOUND
    assert item.author.platform_user_id == "7001"
    assert item.author.display_name == "Mia K."
    assert item.author.followers is None
    assert item.created_at == datetime(2026, 11, 20, 10, tzinfo=UTC)
    assert item.metrics == {"likes": 2, "replies": 0}
    assert item.context_text == "Spring!"


def test_top_level_comment_replies_to_the_post_and_page_comments_are_outbound() -> None:
    raw = {**COMMENT, "parent": None, "from": {"id": PAGE, "name": "Acme"}}
    item = map_comment(raw, post_id="100_11", page_id=PAGE)
    assert item.in_reply_to == "100_11"
    assert item.direction is Direction.OUTBOUND


def test_markup_in_text_stays_plain_and_control_characters_go() -> None:
    raw = {**COMMENT, "message": "<b>hi</b>\x1b[2J"}
    assert map_comment(raw, post_id="p", page_id=PAGE).text == "<b>hi</b>[2J"


@pytest.mark.parametrize("broken", [
    {"id": "1"},  # stripped to its id
    {**COMMENT, "created_time": "not a time"},
    {**COMMENT, "from": None},
    "a string",
])
def test_malformed_comments_raise_malformed(broken: Any) -> None:
    with pytest.raises(Malformed):
        map_comment(broken, post_id="p", page_id=PAGE)


def test_map_all_skips_and_counts_without_logging_the_text(caplog: pytest.LogCaptureFixture
                                                          ) -> None:
    caplog.set_level(logging.DEBUG)
    secret = {**COMMENT, "id": "9", "from": None, "message": "my card number is 4111"}
    items, skipped = map_all([COMMENT, secret], lambda c: map_comment(c, post_id="p",
                                                                       page_id=PAGE), "comment")
    assert [i.platform_id for i in items] == ["11_14"]
    assert skipped == 1
    assert "4111" not in caplog.text
    assert "9" in caplog.text


def test_message_maps_conversation_and_attachments() -> None:
    raw = {"id": "m_1", "message": "hello", "created_time": "2026-11-20T10:00:00+0000",
           "from": {"id": "7001", "name": "Jonas", "email": "7001@facebook.com"},
           "to": {"data": [{"id": PAGE, "name": "Acme"}]},
           "attachments": {"data": [{"mime_type": "image/jpeg", "name": "a.jpg",
                                     "image_data": {"url": "x"}, "file_url": "https://f/a.jpg"}]}}
    item = map_message(raw, conversation_id="t_1", page_id=PAGE)
    assert item.kind is ConversationKind.DIRECT_MESSAGE
    assert item.thread_key == "t_1"
    assert item.direction is Direction.INBOUND
    assert item.attachments[0].url == "https://f/a.jpg"
    assert item.attachments[0].kind == "image"
    mine = map_message({**raw, "from": {"id": PAGE, "name": "Acme"}}, conversation_id="t_1",
                       page_id=PAGE)
    assert mine.direction is Direction.OUTBOUND


def test_post_metrics_from_summaries_and_shares() -> None:
    page = ProfileInfo(Platform.FACEBOOK, PAGE, "acme", "Acme")
    raw = {"id": "100_11", "message": "Spring", "created_time": "2026-11-20T10:00:00+0000",
           "shares": {"count": 3}, "reactions": {"data": [], "summary": {"total_count": 16}},
           "comments": {"data": [], "summary": {"total_count": 4}}}
    item = map_post(raw, page=page)
    assert item.metrics == {"likes": 16, "replies": 4, "reposts": 3}
    assert item.direction is Direction.OUTBOUND
    assert item.thread_key == "100_11"


def item(pid: str, at: datetime, direction: Direction = Direction.INBOUND) -> InboundItem:
    return InboundItem(platform_id=pid, kind=ConversationKind.COMMENT_THREAD, thread_key="t",
                       author=ProfileInfo(Platform.FACEBOOK, "1", "a"), text="", created_at=at,
                       direction=direction)


T0 = datetime(2026, 11, 20, 10, tzinfo=UTC)


def test_watermark_pages_oldest_first_and_handles_equal_seconds() -> None:
    items = [item("c", T0 + timedelta(seconds=1)), item("a", T0), item("b", T0)]
    mark = Watermark(int(T0.timestamp()) - 10)
    taken, mark, more = take_newer(items, mark, limit=2)
    assert [i.platform_id for i in taken] == ["a", "b"]
    assert more
    assert mark == Watermark(int(T0.timestamp()), frozenset({"a", "b"}))
    late = item("a2", T0)  # same second, arrived after the first read
    taken, mark, more = take_newer([*items, late], mark, limit=2)
    assert [i.platform_id for i in taken] == ["a2", "c"]
    assert not more
    taken, again, more = take_newer(items, mark, limit=2)
    assert taken == () and again == mark and not more


def test_watermark_round_trips_and_garbage_restarts_recent() -> None:
    mark = Watermark(1795506061, frozenset({"x", "y"}))
    assert Watermark.decode(mark.encode(), initial_days=1) == mark
    fresh = Watermark.decode("{not json", initial_days=2)
    expected = (datetime.now(UTC) - timedelta(days=2)).timestamp()
    assert abs(fresh.since - expected) < 5
    assert json.loads(mark.encode()) == {"since": 1795506061, "seen": ["x", "y"]}


def test_after_id_returns_brand_items_after_the_given_one() -> None:
    items = [item("1", T0, Direction.OUTBOUND), item("2", T0), item("3", T0, Direction.OUTBOUND)]
    assert [i.platform_id for i in after_id(items, "2")] == ["3"]
    assert [i.platform_id for i in after_id(items, None)] == ["1", "3"]
    assert [i.platform_id for i in after_id(items, "gone")] == ["1", "3"]
    assert after_id(items, "3") == []


def test_watermark_keeps_a_stream_memo_through_encoding_and_take() -> None:
    mark = Watermark(int(T0.timestamp()) - 1, extra={"counts": {"179": 2}})
    again = Watermark.decode(mark.encode(), initial_days=1)
    assert again.extra == {"counts": {"179": 2}}
    _, after, _ = take_newer([item("a", T0)], again, limit=5)
    assert after.extra == {"counts": {"179": 2}} and after.since == int(T0.timestamp())
