"""The thread view: order, sides, context, profile line, time zone, attachments as links that
show their real target first, our replies' outbox state; everything plain text."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import Qt, QUrl
from PySide6.QtWidgets import QLabel, QMessageBox

from desktop.domain.enums import ConversationKind, Direction, OutboxState, Platform
from desktop.domain.inbound import InboundItem, ProfileInfo
from desktop.domain.models import Attachment
from desktop.store import Store, accounts
from desktop.store import outbox as repo
from desktop.store.ingest import ingest, record_sent
from desktop.sync.store_outbox import StoreOutbox
from ui.data_source import (
    MemorySource,
    StoreSource,
    ThreadLink,
    ThreadMessage,
    sample_row,
)
from ui.main_window import MainWindow
from ui.thread_view import MessageBubble, ThreadView, link_target, local_time

NEW_YORK = ZoneInfo("America/New_York")
T0 = datetime(2026, 3, 1, 15, 0, tzinfo=UTC)  # 10:00 in New York
JANE = ProfileInfo(
    Platform.MASTODON, "u-jane", "jane@example.social", "Jane Doe", followers=12_345, verified=True
)
BRAND = ProfileInfo(Platform.MASTODON, "b-1", "acme", "Acme")


def _item(pid: str, text: str, minutes: int, *, out: bool = False, **extra) -> InboundItem:
    return InboundItem(
        platform_id=pid,
        kind=ConversationKind.PUBLIC_THREAD,
        thread_key="root-1",
        author=BRAND if out else JANE,
        text=text,
        created_at=T0 + timedelta(minutes=minutes),
        direction=Direction.OUTBOUND if out else Direction.INBOUND,
        **extra,
    )


@pytest.fixture
def store(tmp_path):
    s = Store.open(tmp_path / "switchboard.sqlite3")
    yield s
    s.close()


@pytest.fixture
def conversation(store):
    """One thread: Jane asks (replying to our post, with a photo), we answer, Jane again;
    then three replies of ours in the outbox: sent, failed, uncertain; and one queued."""

    def setup(session):  # type: ignore[no-untyped-def]
        accounts.ensure_me(session)
        brand = accounts.ensure_brand(session, "Acme")
        account = accounts.add_account(
            session, brand_id=brand.id, platform=Platform.MASTODON, handle="acme", base_url="x"
        )
        items = [
            _item(
                "m1",
                "<b>Where</b> is my order? <img src='http://tracker.example/p.png'>",
                0,
                context_text="Our autumn sale starts today!",
                attachments=(
                    Attachment(
                        "image", "https://files.example.social/a/receipt.png", "receipt.png"
                    ),
                ),
                url="https://example.social/@jane/m1",
            ),
            _item("m2", "Sorry! Checking now.", 5, out=True, context_text=None),
            _item("m3", "Thanks", 9, context_text="Our autumn sale starts today!"),
        ]
        ingest(session, account.id, items)
        from sqlalchemy import text

        cid = session.execute(text("SELECT id FROM conversations")).scalar_one()
        made = []
        for n, words in enumerate(("It ships tomorrow.", "Refund issued.", "Here is a code.")):
            made.append(
                repo.enqueue(
                    session,
                    account_id=account.id,
                    conversation_id=cid,
                    text_=words,
                    thread_key="root-1",
                    in_reply_to="m3",
                    grace_seconds=0,
                    now=T0 + timedelta(minutes=20 + n),
                )
            )
        return account.id, cid, [m.id for m in made]

    account_id, cid, (sent, failed, uncertain) = store.run_sync(setup)

    def move(session):  # type: ignore[no-untyped-def]
        repo.transition(session, sent, OutboxState.SENDING)
        moved = repo.transition(session, sent, OutboxState.SENT, platform_id="p-sent")
        record_sent(session, moved)
        repo.transition(session, failed, OutboxState.SENDING)
        repo.transition(session, failed, OutboxState.FAILED, error="422: text too long")
        repo.transition(session, uncertain, OutboxState.SENDING)
        repo.transition(session, uncertain, OutboxState.UNCERTAIN, error="timed out after send")

    store.run_sync(move)
    queued = store.run_sync(
        lambda s: repo.enqueue(
            s,
            account_id=account_id,
            conversation_id=cid,
            text_="One more thing",
            thread_key="root-1",
            in_reply_to="m3",
            grace_seconds=0,
        )
    ).id
    return cid, {"sent": sent, "failed": failed, "uncertain": uncertain, "queued": queued}


def test_store_thread_carries_profile_context_attachments_and_outbox(store, conversation):
    cid, outbox = conversation
    thread = StoreSource(store).thread(cid)
    texts = [m.text for m in thread]
    assert texts[:3] == [
        "<b>Where</b> is my order? <img src='http://tracker.example/p.png'>",
        "Sorry! Checking now.",
        "Thanks",
    ]
    first = thread[0]
    assert first.author == "Jane Doe" and first.author_handle == "jane@example.social"
    assert first.followers == 12_345 and first.verified
    assert first.context_text == "Our autumn sale starts today!"
    assert first.attachments == (
        ThreadLink("receipt.png", "https://files.example.social/a/receipt.png", "image"),
    )
    assert first.url == "https://example.social/@jane/m1"
    assert thread[1].direction is Direction.OUTBOUND and thread[1].outbox_state is None
    by_text = {m.text: m for m in thread}
    assert by_text["It ships tomorrow."].outbox_state is OutboxState.SENT
    assert by_text["It ships tomorrow."].id > 0  # the stored message of the sent reply
    assert by_text["Refund issued."].outbox_state is OutboxState.FAILED
    assert by_text["Refund issued."].outbox_error == "422: text too long"
    assert by_text["Refund issued."].id == -outbox["failed"]
    assert by_text["Here is a code."].outbox_state is OutboxState.UNCERTAIN
    assert by_text["One more thing"].outbox_state is OutboxState.QUEUED
    assert texts[-3:] == ["Refund issued.", "Here is a code.", "One more thing"]


def test_view_shows_sides_profile_time_zone_context_and_states(qtbot, store, conversation):
    cid, _ = conversation
    view = ThreadView(tz=NEW_YORK)
    qtbot.addWidget(view)
    row = sample_row(cid, customer="Jane Doe", platform=Platform.MASTODON)
    view.show_thread(row, StoreSource(store).thread(cid))
    assert view.profile.text() == "jane@example.social · 12k followers · ✓ verified"
    names = [b.objectName() for b in view.bubbles]
    assert names[:3] == ["inboundMessage", "outboundMessage", "inboundMessage"]
    assert all(n == "outboundMessage" for n in names[3:])
    first = view.bubbles[0]
    meta = first.findChild(QLabel, "messageMeta")
    assert meta.text().startswith("Jane Doe · 01 Mar ")
    assert meta.text().endswith(" 10:00")  # 15:00 UTC in New York
    assert "EST" in meta.toolTip()
    # the replied-to post: shown on the first message, not repeated on the next one about it
    assert first.context is not None and "Our autumn sale starts today!" in first.context.text()
    assert view.bubbles[2].context is None
    # every label is plain text: markup in messages is shown, never interpreted
    for bubble in view.bubbles:
        for label in bubble.findChildren(QLabel):
            assert label.textFormat() == Qt.TextFormat.PlainText
    body = first.findChild(QLabel, "messageText")
    assert body.text().startswith("<b>Where</b>")
    states = [b.outbox.text() if b.outbox else "" for b in view.bubbles]
    assert states[1] == ""  # a brand reply made elsewhere has no outbox row
    assert states[3:] == [
        "Sent",
        "Failed: 422: text too long",
        "Uncertain · checking with the platform before any retry: timed out after send",
        "Queued · sends when online",
    ]
    failed = view.bubbles[4].outbox
    assert failed is not None and failed.property("state") == "failed"
    # attachments and the permalink are named links; their targets are stated
    links = first.links
    assert [b.text() for b in links] == ["↗ receipt.png (image)", "↗ View on the platform"]
    assert links[0].toolTip() == "https://files.example.social/a/receipt.png"
    assert all(b.objectName() == "attachmentLink" and b.accessibleName() for b in links)


def test_links_show_the_real_target_and_open_only_after_confirming(qtbot):
    opened: list[QUrl] = []
    view = ThreadView()
    view.open_url = opened.append
    qtbot.addWidget(view)
    at = datetime(2026, 3, 1, tzinfo=UTC)
    look_alike = "https://аpple.com/login"  # Cyrillic 'а'
    view.show_thread(
        sample_row(1),
        [
            ThreadMessage(
                1,
                Direction.INBOUND,
                "Mallory",
                "see attached",
                at,
                attachments=(
                    ThreadLink("invoice.pdf", look_alike, "file"),
                    ThreadLink("notes", "file:///etc/passwd", "file"),
                    ThreadLink("click", "javascript:alert(1)", "link"),
                ),
            )
        ],
    )
    idn, local_file, script = view.bubbles[0].links
    assert "xn--pple-43d.com" in idn.toolTip()  # the look-alike host shows as what it is
    qtbot.mouseClick(idn, Qt.MouseButton.LeftButton)
    box = view.link_dialog
    assert isinstance(box, QMessageBox) and box.isVisible()
    assert "https://xn--pple-43d.com/login" in box.text()
    assert box.textFormat() == Qt.TextFormat.PlainText
    assert not opened  # nothing opens before the user says so
    qtbot.mouseClick(box.button(QMessageBox.StandardButton.Open), Qt.MouseButton.LeftButton)
    assert [u.toString(QUrl.ComponentFormattingOption.FullyEncoded) for u in opened] == [
        "https://xn--pple-43d.com/login"
    ]
    for refused in (local_file, script):
        qtbot.mouseClick(refused, Qt.MouseButton.LeftButton)
        box = view.link_dialog
        assert box is not None and "does not open" in box.text()
        assert box.button(QMessageBox.StandardButton.Open) is None
        box.reject()
    assert len(opened) == 1


def test_link_target_and_local_time():
    assert link_target("https://example.com/a b")[1] == "https://example.com/a%20b"
    assert link_target("FILE:///x")[0] == "file"
    now = datetime(2026, 3, 1, 20, 0, tzinfo=UTC)
    assert local_time(datetime(2026, 3, 1, 15, 0, tzinfo=UTC), NEW_YORK, now) == "10:00"
    assert local_time(datetime(2025, 3, 1, 15, 0), NEW_YORK, now) == "01 Mar 2025 10:00"


def test_outbox_moves_refresh_the_open_thread(qtbot, qloop, store, conversation):
    cid, outbox = conversation
    window = MainWindow(StoreSource(store, qloop))
    qtbot.addWidget(window)
    assert window.select_id(cid)
    qtbot.waitUntil(lambda: window.thread.conversation_id == cid, timeout=3000)

    def state_of(text: str) -> str:
        for bubble in window.thread.bubbles:
            if bubble.message.text == text and bubble.outbox is not None:
                return bubble.outbox.text()
        return ""

    assert state_of("One more thing") == "Queued · sends when online"
    port = StoreOutbox(store.run, on_sent=record_sent)
    task = qloop.create_task(port.transition(outbox["queued"], OutboxState.SENDING))
    qtbot.waitUntil(task.done, timeout=5000)
    qtbot.waitUntil(lambda: state_of("One more thing") == "Sending…", timeout=5000)
    task = qloop.create_task(
        port.transition(outbox["queued"], OutboxState.SENT, platform_id="p-last")
    )
    qtbot.waitUntil(task.done, timeout=5000)
    qtbot.waitUntil(lambda: state_of("One more thing") == "Sent", timeout=5000)
    assert all(isinstance(b, MessageBubble) for b in window.thread.bubbles)


def test_memory_thread_defaults_still_render(qtbot):
    source = MemorySource([sample_row(1)])
    source.set_thread(1, [ThreadMessage(1, Direction.INBOUND, "Jane", "hi", None)])
    view = ThreadView()
    qtbot.addWidget(view)
    view.show_thread(sample_row(1), source.thread(1))
    assert view.profile.text() == "@customer1@example.social"
    assert view.bubbles[0].links == [] and view.bubbles[0].outbox is None


def _chat(n: int) -> list[ThreadMessage]:
    at = datetime(2026, 3, 1, tzinfo=UTC)
    return [
        ThreadMessage(
            i + 1,
            Direction.INBOUND if i % 2 == 0 else Direction.OUTBOUND,
            "Jane" if i % 2 == 0 else "You",
            f"message {i + 1}",
            at + timedelta(minutes=i),
        )
        for i in range(n)
    ]


def test_a_long_thread_shows_the_newest_and_earlier_on_request(qtbot):
    view = ThreadView()
    qtbot.addWidget(view)
    messages = _chat(250)
    view.show_thread(sample_row(1), messages)
    assert len(view.bubbles) == 20
    assert view.bubbles[-1].message.text == "message 250"
    assert view.earlier.isVisibleTo(view)
    assert view.earlier.text() == "Show earlier messages (100 of 230 not shown)"
    assert view.earlier.objectName() and view.earlier.accessibleName()
    qtbot.mouseClick(view.earlier, Qt.MouseButton.LeftButton)
    assert len(view.bubbles) == 120
    assert view.bubbles[0].message.text == "message 131"
    assert view.earlier.text() == "Show earlier messages (100 of 130 not shown)"
    view.show_thread(sample_row(2), _chat(5))  # another conversation starts small again
    assert len(view.bubbles) == 5 and not view.earlier.isVisibleTo(view)


def test_a_change_to_the_open_thread_rebuilds_only_what_changed(qtbot):
    view = ThreadView()
    qtbot.addWidget(view)
    messages = _chat(40)
    view.show_thread(sample_row(1), messages)
    before = list(view.bubbles)
    # a new message arrives: the page keeps its first message and gains one bubble
    arrived = ThreadMessage(41, Direction.INBOUND, "Jane", "message 41", None)
    view.show_thread(sample_row(1), [*messages, arrived])
    assert view.bubbles[:20] == before and len(view.bubbles) == 21
    assert view.bubbles[0].message.text == "message 21"
    # our reply moves from queued to sent: only its bubble is rebuilt
    queued = ThreadMessage(
        -7, Direction.OUTBOUND, "You", "ok", None, outbox_state=OutboxState.QUEUED
    )
    view.show_thread(sample_row(1), [*messages, arrived, queued])
    kept = list(view.bubbles)
    sent = ThreadMessage(-7, Direction.OUTBOUND, "You", "ok", None, outbox_state=OutboxState.SENT)
    view.show_thread(sample_row(1), [*messages, arrived, sent])
    assert view.bubbles[:-1] == kept[:-1] and view.bubbles[-1] is not kept[-1]
    assert view.bubbles[-1].outbox is not None and view.bubbles[-1].outbox.text() == "Sent"


def test_message_text_becomes_selectable_when_the_pointer_enters(qtbot):
    from PySide6.QtCore import QPointF
    from PySide6.QtGui import QEnterEvent
    from PySide6.QtWidgets import QApplication

    view = ThreadView()
    qtbot.addWidget(view)
    view.show_thread(sample_row(1), _chat(2))
    bubble = view.bubbles[0]
    flags = bubble.body.textInteractionFlags()
    assert not flags & Qt.TextInteractionFlag.TextSelectableByMouse
    QApplication.sendEvent(bubble, QEnterEvent(QPointF(5, 5), QPointF(5, 5), QPointF(5, 5)))
    assert bubble.body.textInteractionFlags() & Qt.TextInteractionFlag.TextSelectableByMouse
    assert bubble.body.textFormat() == Qt.TextFormat.PlainText
