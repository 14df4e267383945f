"""The notes strip: internal notes unlike messages, @mention completion, plain text."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from desktop.store import notes
from tests.ui.people_fixtures import People, people_fixture, unnamed  # noqa: F401
from ui.notes.notes_strip import NoteCard, NotesStrip
from ui.thread_view import MessageBubble


def _strip(qtbot, people: People) -> NotesStrip:  # type: ignore[no-untyped-def]
    strip = NotesStrip()
    qtbot.addWidget(strip)
    strip.set_context(people.ctx)
    strip.set_conversation(people.jane_m)
    strip.resize(600, 300)
    strip.show()
    qtbot.waitExposed(strip)
    return strip


def test_note_with_mention_is_stored_and_shown_as_internal(qtbot, people: People) -> None:
    strip = _strip(qtbot, people)
    strip.input.setFocus()
    qtbot.keyClicks(strip.input, "Asked for the order number, cc @sa")
    popup = strip.completer.popup()
    qtbot.waitUntil(popup.isVisible, timeout=3000)
    assert strip.completer.currentCompletion() == "Sam"
    strip.completer.insert("Sam")
    assert strip.input.text() == "Asked for the order number, cc @Sam "
    qtbot.keyClick(strip.input, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: strip.findChildren(NoteCard) != [], timeout=5000)
    qtbot.waitUntil(lambda: strip.input.text() == "", timeout=5000)
    with people.store.reader() as s:
        [note] = notes.for_conversation(s, people.jane_m)
    assert note.mentions == (people.w.sam,) and note.author_id == people.w.me
    card = strip.findChildren(NoteCard)[0]
    assert not card.findChildren(MessageBubble)
    texts = [label.text() for label in card.findChildren(QLabel)]
    assert texts[0].startswith("Internal note · Me ·")
    assert not texts[0].endswith("mentions you")
    assert texts[1] == "Asked for the order number, cc @Sam"
    assert "never sent" in strip.heading.text()
    assert unnamed(strip) == []


def test_notes_are_plain_text_and_follow_the_conversation(qtbot, people: People) -> None:
    people.store.run_sync(
        lambda s: notes.add(
            s,
            author_id=people.w.sam,
            body="<b>not bold</b> <img src=x>",
            conversation_id=people.bob,
        )
    )
    strip = _strip(qtbot, people)
    assert strip.findChildren(NoteCard) == []
    strip.set_conversation(people.bob)
    [card] = strip.findChildren(NoteCard)
    body = card.findChild(QLabel, "noteBody")
    assert body.text() == "<b>not bold</b> <img src=x>"
    assert body.textFormat() is Qt.TextFormat.PlainText
    # a colleague's note arriving through the store shows up without a reselect
    people.store.run_sync(
        lambda s: notes.add(s, author_id=people.w.sam, body="ping @me", conversation_id=people.bob)
    )
    qtbot.waitUntil(lambda: len(strip.findChildren(NoteCard)) == 2, timeout=5000)
    newest = strip.cards.layout().itemAt(0).widget().findChild(QLabel, "noteTitle")
    assert newest.text().endswith("· mentions you")
    strip.set_context(None)
    assert not strip.input.isEnabled() and not strip.handoff_button.isEnabled()
