"""In the main window: `a` opens the assign chooser, H the handoff, Tools > Colleagues…,
the customer panel follows the selection and opens conversations from its timeline, and
the handoff lands in the colleague's Handed to me with the note on top."""

from __future__ import annotations

from PySide6.QtCore import Qt

from desktop.store import conversations
from tests.ui.conftest import show_active
from tests.ui.people_fixtures import People, people_fixture  # noqa: F401
from ui.data_source import InboxFilter, StoreSource, View
from ui.main_window import MainWindow


def _window(qtbot, people: People, me: int | None = None) -> MainWindow:  # type: ignore[no-untyped-def]
    from dataclasses import replace

    source = StoreSource(people.store, people.ctx.loop)
    ctx = people.ctx if me is None else replace(people.ctx, me_id=me)
    if me is not None:
        source.me_id = me
    window = MainWindow()
    qtbot.addWidget(window)
    window.set_source(source, None, ctx)
    show_active(qtbot, window)
    return window


def test_a_opens_the_chooser_and_assigns(qtbot, people: People) -> None:
    window = _window(qtbot, people)
    assert window.select_id(people.bob)
    window.table.setFocus()
    qtbot.keyClick(window.table, Qt.Key.Key_A)
    chooser = window.people.chooser
    assert chooser is not None and chooser.isVisible()
    qtbot.waitUntil(chooser.isActiveWindow, timeout=3000)
    assert chooser.filter.hasFocus()
    qtbot.keyClicks(chooser.filter, "sam")
    qtbot.keyClick(chooser.filter, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.message_label.text() == "Assigned to Sam", timeout=5000)
    with people.store.reader() as s:
        assert conversations.get(s, people.bob).assignee_id == people.w.sam
    assert any(a.objectName() == "action_colleagues" for a in window.tools_menu.actions())
    dialog = window.people.open_agents()
    assert dialog is not None and dialog.isVisible()
    dialog.close()


def test_panel_follows_selection_and_opens_from_the_timeline(qtbot, people: People) -> None:
    window = _window(qtbot, people)
    window.show_side_area(True)
    panel = window.people.panel
    assert window.select_id(people.jane_x)
    qtbot.waitUntil(lambda: panel.name_label.text() == "Jane Doe", timeout=3000)
    assert panel.timeline_model.ids() == [people.jane_x]
    assert window.people.strip.conversation_id == people.jane_x
    window.go(View.UNASSIGNED)
    window.select_id(people.bob)
    panel.show_conversation(people.jane_m)
    panel.open_conversation.emit(people.jane_m)
    assert window.current_id() == people.jane_m


def test_handoff_shows_up_in_the_colleagues_handed_to_me(qtbot, people: People) -> None:
    window = _window(qtbot, people)
    assert window.select_id(people.jane_m)
    qtbot.keyClick(window.table, Qt.Key.Key_H)
    dialog = window.people.strip.handoff_dialog
    assert dialog is not None and dialog.isVisible()
    dialog.body.setPlainText("Done: apologised.\nPending: refund once the parcel is back.")
    with qtbot.waitSignal(dialog.handed, timeout=5000):
        dialog.submit()
    qtbot.waitUntil(lambda: window.message_label.text() == "Handed off", timeout=5000)
    window.close()
    # Sam's window: Handed to me lists it, the note is on top
    sams = _window(qtbot, people, me=people.w.sam)
    assert sams.source is not None
    assert sams.source.ids(InboxFilter(view=View.HANDED_TO_ME)) == [people.jane_m]
    sams.go(View.HANDED_TO_ME)
    sams.select_row(0)
    strip = sams.people.strip
    qtbot.waitUntil(lambda: strip.banner.isVisibleTo(sams), timeout=3000)
    # above the thread, not under it
    assert (
        strip.banner.mapTo(sams, strip.banner.rect().topLeft()).y()
        < sams.thread.mapTo(sams, sams.thread.rect().topLeft()).y()
    )
    assert strip.banner_title.text().startswith("↪ Handed to you by Me")
    assert strip.banner_body.text().startswith("Done: apologised.")
