from __future__ import annotations

from datetime import UTC, datetime

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QAbstractSlider, QWidget

from desktop.domain.enums import ConversationStatus, Direction
from tests.ui.conftest import show_active
from ui.data_source import MemorySource, ThreadMessage, View, sample_row
from ui.main_window import SHORTCUTS, CountRole, MainWindow, ShortcutHelp


@pytest.fixture
def window(qtbot, memory_source):
    w = MainWindow(memory_source)
    qtbot.addWidget(w)
    show_active(qtbot, w)
    w.select_row(0)
    w.table.setFocus()
    return w


def _interactive(widget: QWidget) -> bool:
    if isinstance(widget, QAbstractSlider | QAbstractButton):
        return widget.isVisibleTo(widget.window())
    return widget.focusPolicy() != Qt.FocusPolicy.NoFocus and widget.isVisibleTo(widget.window())


def _unnamed(root: QWidget) -> list[str]:
    missing = []
    for w in [root, *root.findChildren(QWidget)]:
        if not _interactive(w):
            continue
        if not w.objectName() or not w.accessibleName():
            missing.append(
                f"{type(w).__name__}(name={w.objectName()!r}, parent="
                f"{w.parent().objectName() if w.parent() else None!r})"
            )
    return missing


def test_every_interactive_widget_is_named(window, qtbot):
    window.select_row(2)  # a thread with bubbles is on screen
    assert _unnamed(window) == []
    help_dialog = ShortcutHelp(window)
    qtbot.addWidget(help_dialog)
    assert _unnamed(help_dialog) == []
    for shortcut in window.shortcuts.values():
        assert shortcut.objectName().startswith("shortcut_")


def test_sidebar_shows_view_counts(window):
    items = [window.views.item(i) for i in range(window.views.count())]
    assert [i.text() for i in items] == [
        "All",
        "Needs reply",
        "Mine",
        "Unassigned",
        "Handed to me",
        "Snoozed",
        "Resolved",
    ]
    assert [i.data(CountRole) for i in items] == ["10", "10", "0", "10", "0", "0", "0"]
    assert items[0].data(Qt.ItemDataRole.AccessibleTextRole) == "All, 10 conversations"


def test_rows_have_fixed_height(window):
    vh = window.table.verticalHeader()
    assert vh.sectionResizeMode(0) == vh.ResizeMode.Fixed
    assert {window.table.rowHeight(r) for r in range(window.model.rowCount())} == {
        vh.defaultSectionSize()
    }


def test_j_and_k_move_the_selection(window, qtbot):
    first = window.current_id()
    qtbot.keyClick(window.table, Qt.Key.Key_J)
    qtbot.keyClick(window.table, Qt.Key.Key_J)
    assert window.table.currentIndex().row() == 2
    qtbot.keyClick(window.table, Qt.Key.Key_K)
    assert window.table.currentIndex().row() == 1
    qtbot.keyClick(window.table, Qt.Key.Key_K)
    qtbot.keyClick(window.table, Qt.Key.Key_K)
    assert window.current_id() == first
    assert window.thread.conversation_id == first


def test_g_then_letter_jumps_to_views(window, qtbot):
    qtbot.keyClick(window.table, Qt.Key.Key_G)
    qtbot.keyClick(window.table, Qt.Key.Key_U)
    assert window.filter.view is View.UNASSIGNED
    qtbot.keyClick(window.table, Qt.Key.Key_G)
    qtbot.keyClick(window.table, Qt.Key.Key_M)
    assert window.filter.view is View.MINE
    assert window.list_stack.currentWidget() is window.empty_label  # nothing is mine yet
    qtbot.keyClick(window.table, Qt.Key.Key_G)
    qtbot.keyClick(window.table, Qt.Key.Key_I)
    assert window.filter.view is View.ALL
    assert window.model.rowCount() == 10


def test_slash_focuses_search_and_letters_type_there(window, qtbot):
    qtbot.keyClick(window.table, Qt.Key.Key_Slash)
    assert window.search_box.hasFocus()
    qtbot.keyClicks(window.search_box, "number 7")
    assert window.search_box.text() == "number 7"  # j/k/e/s/m typed, not triggered
    qtbot.keyClick(window.search_box, Qt.Key.Key_Return)
    assert window.model.ids() == [7]
    assert window.current_id() == 7
    window.search_box.setFocus()
    qtbot.keyClick(window.search_box, Qt.Key.Key_Escape)
    assert window.model.rowCount() == 10


def test_question_mark_opens_every_shortcut(window, qtbot):
    qtbot.keyClick(window.table, "?")
    dialog = window.help_dialog
    assert dialog is not None and dialog.isVisible()
    table = dialog.findChild(QWidget, "shortcutTable")
    assert table.rowCount() >= len(SHORTCUTS)  # panels add theirs (Hand off…)
    dialog.reject()


def test_resolve_with_e_moves_on_in_needs_reply(window, qtbot, qloop):
    window.go(View.NEEDS_REPLY)
    window.select_row(0)
    first = window.current_id()
    second = window.model.id_at(1)
    qtbot.keyClick(window.table, Qt.Key.Key_E)
    qtbot.waitUntil(lambda: first not in window.model.ids(), timeout=3000)
    assert window.current_id() == second
    assert window.message_label.text() == "Resolved"
    assert window.counts[View.RESOLVED] == 1


def test_mark_unread_and_assign(window, qtbot, qloop, memory_source):
    cid = window.current_id()
    qtbot.keyClick(window.table, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not memory_source.rows([cid])[0].unread, timeout=3000)
    qtbot.keyClick(window.table, Qt.Key.Key_M)
    qtbot.waitUntil(lambda: memory_source.rows([cid])[0].unread, timeout=3000)
    qtbot.keyClick(window.table, Qt.Key.Key_A)
    qtbot.waitUntil(lambda: window.counts.get(View.MINE) == 1, timeout=3000)


def test_new_conversation_keeps_the_selection(window, qtbot, memory_source):
    window.select_row(4)
    chosen = window.current_id()
    memory_source.put(sample_row(777, minutes_ago=-1))
    qtbot.waitUntil(lambda: window.model.id_at(0) == 777, timeout=3000)
    assert window.current_id() == chosen
    assert window.table.currentIndex().row() == 5
    assert window.thread.conversation_id == chosen


def test_thread_is_plain_text_and_directions_differ(qtbot):
    source = MemorySource([sample_row(1)])
    at = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
    source.set_thread(
        1,
        [
            ThreadMessage(1, Direction.INBOUND, "Jane", '<img src="http://x/t.png"><b>hi</b>', at),
            ThreadMessage(2, Direction.OUTBOUND, "You", "<a href='file:///etc'>ok</a>", at),
        ],
    )
    w = MainWindow(source)
    qtbot.addWidget(w)
    w.select_row(0)
    inbound, outbound = w.thread.bubbles
    assert inbound.objectName() == "inboundMessage"
    assert outbound.objectName() == "outboundMessage"
    body = inbound.findChild(QWidget, "messageText")
    assert body.textFormat() == Qt.TextFormat.PlainText
    assert body.text() == '<img src="http://x/t.png"><b>hi</b>'


def test_no_source_shows_the_reason(qtbot):
    w = MainWindow(None)
    qtbot.addWidget(w)
    w.set_source(None, "The store could not be opened: locked")
    assert w.list_stack.currentWidget() is w.empty_label
    assert "locked" in w.empty_label.text()
    qtbot.keyClick(w, Qt.Key.Key_J)  # no crash without data
    qtbot.keyClick(w, Qt.Key.Key_E)


def test_status_bar_online_offline_and_outbox(window, memory_source):
    window.set_online(False)
    assert "Offline" in window.online_label.text()
    window.set_online(True)
    assert "Online" in window.online_label.text()
    memory_source.outbox = 3
    window.requery()
    assert window.outbox_label.text() == "Outbox: 3"


def test_close_emits_closed(window, qtbot):
    with qtbot.waitSignal(window.closed, timeout=1000):
        window.close()


def test_resolved_status_leaves_needs_reply_count(window):
    assert window.counts[View.NEEDS_REPLY] == 10
    assert ConversationStatus.RESOLVED.value == "resolved"


def test_menu_bar_has_the_plug_in_menus(window):
    titles = [a.text().replace("&", "") for a in window.menuBar().actions()]
    assert titles == ["File", "View", "Conversation", "Tools", "Help"]
    assert window.tools_menu is window.menus["Tools"]
    conversation = [a.objectName() for a in window.menus["Conversation"].actions()]
    assert "shortcut_resolve" in conversation
    assert window.shortcuts["resolve"].shortcut().toString() == "E"


def test_actions_added_to_tools_show_in_help(window, qtbot):
    from PySide6.QtGui import QAction, QKeySequence

    extra = QAction("Accounts…", window)
    extra.setShortcut(QKeySequence("Ctrl+Shift+A"))
    window.tools_menu.addAction(extra)
    window.show_help()
    table = window.help_dialog.table
    shown = [table.item(r, 1).text() for r in range(table.rowCount())]
    assert "Accounts" in shown
    window.help_dialog.reject()


def test_conversation_area_holds_the_thread_and_can_be_replaced(window, qtbot):
    # the conversation pane (thread + notes strip + composer) is plugged in by default
    assert window.conversation_widget is window.conversation_pane
    assert window.conversation_pane.parent() is window.conversation_area
    assert window.conversation_pane.isAncestorOf(window.thread)
    pane = QWidget()
    window.set_conversation_widget(pane)
    assert window.conversation_widget is pane
    assert pane.parent() is window.conversation_area
    assert not window.conversation_pane.isVisible()


def test_side_area_is_hidden_until_asked_for(window, qtbot):
    assert not window.side_area.isVisible()
    # the customer panel (ui/customer_panel.py) is plugged in by default
    assert window.people.panel.parent() is window.side_area
    assert window.shortcuts["toggleSide"].isEnabled()
    panel = QWidget()
    window.add_side_widget(panel)
    qtbot.keyClick(window.table, Qt.Key.Key_I, Qt.KeyboardModifier.ControlModifier)
    assert window.side_area.isVisible()
    qtbot.keyClick(window.table, Qt.Key.Key_I, Qt.KeyboardModifier.ControlModifier)
    assert not window.side_area.isVisible()


def test_conversation_changed_follows_the_selection(window, qtbot):
    with qtbot.waitSignal(window.conversation_changed, timeout=1000) as blocker:
        window.select_row(3)
    assert blocker.args == [window.model.id_at(3)]


def test_before_close_hooks_run_even_if_one_fails(window, qloop, qtbot):
    ran: list[str] = []

    def plain() -> None:
        ran.append("plain")

    def broken() -> None:
        raise RuntimeError("boom")

    async def flush() -> None:
        ran.append("async")

    window.before_close += [plain, broken, flush]
    task = qloop.create_task(window.run_before_close())
    qtbot.waitUntil(task.done, timeout=3000)
    assert task.exception() is None
    assert ran == ["plain", "async"]


def test_f6_and_ctrl_digits_reach_every_pane(window, qtbot):
    qtbot.keyClick(window.table, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    assert window.views.hasFocus()
    qtbot.keyClick(window.views, Qt.Key.Key_F6)
    assert window.search_box.hasFocus()
    qtbot.keyClick(window.search_box, Qt.Key.Key_F6)
    assert window.table.hasFocus()
    qtbot.keyClick(window.table, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    assert window.table.hasFocus()


def test_the_message_keeps_room_and_columns_can_be_chosen(window, qtbot):
    from ui.models.conversation_list import COL_PRIORITY, COL_SNIPPET

    window.resize(1400, 860)
    qtbot.waitUntil(lambda: window.width() == 1400, timeout=2000)
    assert window.table.columnWidth(COL_SNIPPET) >= 200
    hh = window.table.horizontalHeader()
    assert hh.isSectionHidden(COL_PRIORITY)
    columns = window.table.columns_menu
    assert columns in [a.menu() for a in window.menus["View"].actions()]
    priority = window.table.column_actions[COL_PRIORITY]
    assert not priority.isChecked()
    priority.setChecked(True)  # View > Columns > Priority
    assert not hh.isSectionHidden(COL_PRIORITY)


def test_new_items_keep_the_place_when_scrolled_down(qtbot):
    """Scrolled down the list, new conversations arriving on top must not shift what the
    user is reading; at the very top they show up."""
    source = MemorySource([sample_row(i, minutes_ago=1000 - i) for i in range(1, 201)])
    w = MainWindow(source)
    qtbot.addWidget(w)
    w.resize(1200, 700)
    w.show()
    qtbot.waitExposed(w)
    bar = w.table.verticalScrollBar()
    bar.setValue(50 * w.table.rowHeight(0) + 7)
    top = w.table.indexAt(w.table.viewport().rect().topLeft()).row()
    reading = w.model.id_at(top)
    source.put(sample_row(901, minutes_ago=-1))
    source.put(sample_row(902, minutes_ago=-2))
    w.requery()
    assert w.model.id_at(0) == 902
    assert w.model.id_at(w.table.indexAt(w.table.viewport().rect().topLeft()).row()) == reading
    assert bar.value() % w.table.rowHeight(0) == 7  # to the pixel
    bar.setValue(0)
    source.put(sample_row(903, minutes_ago=-3))
    w.requery()
    assert bar.value() == 0 and w.table.indexAt(w.table.viewport().rect().topLeft()).row() == 0
    assert w.model.id_at(0) == 903
