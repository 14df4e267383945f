"""Handoff and assignment from the UI: the target sees it in Handed to me with the note on
top, the trail says who handed what to whom; the `a` chooser assigns and unassigns."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Qt

from desktop.store import audit, conversations
from desktop.store.inbox import InboxFilter, View, ids
from tests.ui.people_fixtures import People, people_fixture, unnamed  # noqa: F401
from ui.notes.assign_chooser import AssignChooser
from ui.notes.handoff_dialog import HandoffDialog
from ui.notes.notes_strip import NotesStrip


def test_handoff_reaches_the_colleague_with_the_note_on_top(qtbot, people: People) -> None:
    strip = NotesStrip()
    qtbot.addWidget(strip)
    strip.set_context(people.ctx)
    strip.set_conversation(people.jane_m)
    strip.show()
    dialog = strip.open_handoff()
    assert isinstance(dialog, HandoffDialog) and dialog.isVisible()
    assert unnamed(dialog) == []
    labels = [dialog.target.itemText(i) for i in range(dialog.target.count())]
    assert labels == ["Sam", "Customer care (team)"]  # not me, active only
    qtbot.mouseClick(
        dialog.buttons.button(dialog.buttons.StandardButton.Ok), Qt.MouseButton.LeftButton
    )
    # the template alone is not a note
    assert dialog.error.isVisibleTo(dialog) and dialog.isVisible()
    dialog.body.setPlainText("Done: refund issued.\nPending: courier to confirm pickup.")
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow, timeout=3000)
    dialog.body.setFocus()
    with qtbot.waitSignal(dialog.handed, timeout=5000) as handed:
        qtbot.keyClick(dialog.body, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert handed.args == [people.jane_m, people.w.sam]
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=3000)
    with people.store.reader() as s:
        assert ids(s, InboxFilter(view=View.HANDED_TO_ME, me_id=people.w.sam)) == [people.jane_m]
        [event] = [e for e in audit.for_conversation(s, people.jane_m) if e.action == "handoff"]
    assert (event.agent_id, event.detail["to"]) == (people.w.me, people.w.sam)
    # Sam opens it on their side: the handoff note is on top, addressed to them
    sams = NotesStrip()
    qtbot.addWidget(sams)
    sams.set_context(replace(people.ctx, me_id=people.w.sam))
    sams.set_conversation(people.jane_m)
    assert sams.banner.isVisibleTo(sams)
    assert sams.banner_title.text().startswith("↪ Handed to you by Me")
    assert sams.banner_body.text() == "Done: refund issued.\nPending: courier to confirm pickup."
    assert strip.banner_title.text().startswith("↪ Handed to Sam by Me")


def test_assign_chooser_filters_assigns_and_unassigns(qtbot, people: People) -> None:
    chooser = AssignChooser(people.ctx, people.bob)
    qtbot.addWidget(chooser)
    chooser.open()
    qtbot.waitExposed(chooser)
    assert unnamed(chooser) == []
    rows = [chooser.list.item(i).text() for i in range(chooser.list.count())]
    assert rows == ["Me (me)", "Sam", "Customer care (team)", "Unassigned   ✓ current"]
    qtbot.keyClicks(chooser.filter, "care")
    assert chooser.chosen() == people.w.care
    with qtbot.waitSignal(chooser.assigned, timeout=5000):
        qtbot.keyClick(chooser.filter, Qt.Key.Key_Return)
    with people.store.reader() as s:
        assert conversations.get(s, people.bob).assignee_id == people.w.care
    again = AssignChooser(people.ctx, people.bob)
    qtbot.addWidget(again)
    again.open()
    assert again.list.item(2).text() == "Customer care (team)   ✓ current"
    qtbot.keyClicks(again.filter, "unass")
    with qtbot.waitSignal(again.assigned, timeout=5000) as done:
        again.choose()
    assert done.args == [people.bob, None]
    with people.store.reader() as s:
        assert conversations.get(s, people.bob).assignee_id is None
        trail = [(e.action, e.detail["to"]) for e in audit.for_conversation(s, people.bob)]
    assert trail == [("assign", people.w.care), ("unassign", None)]


def test_chooser_hands_off_to_the_highlighted_colleague(qtbot, people: People) -> None:
    chooser = AssignChooser(people.ctx, people.jane_x)
    qtbot.addWidget(chooser)
    chooser.open()
    chooser.activateWindow()
    qtbot.waitUntil(chooser.isActiveWindow, timeout=3000)
    qtbot.keyClicks(chooser.filter, "sam")
    qtbot.keyClick(chooser.filter, Qt.Key.Key_H, Qt.KeyboardModifier.ControlModifier)
    handoff = chooser.handoff
    assert handoff is not None and handoff.isVisible() and not chooser.isVisible()
    qtbot.addWidget(handoff)
    assert handoff.target.currentData() == people.w.sam
