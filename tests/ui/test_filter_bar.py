"""The filter bar over a real store: each combo narrows the list, search shows what matched,
everything is reachable from the keyboard, and Clear puts it all back."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import text

from desktop.demo.generator import generate
from desktop.domain.enums import ConversationStatus, Platform
from desktop.store import Store
from tests.ui.conftest import counts, show_active
from ui.context import AppContext
from ui.data_source import StoreSource, View
from ui.main_window import MainWindow
from ui.models.conversation_list import COL_SNIPPET


@pytest.fixture
def store(tmp_path):
    s = Store.open(tmp_path / "profile" / "switchboard.sqlite3")
    generate(s, 400, seed=5)
    yield s
    s.close()


@pytest.fixture
def window(store, qloop, qtbot):
    source = StoreSource(store, qloop)
    context = AppContext(store=store, loop=qloop, me_id=source.me_id)
    w = MainWindow()
    qtbot.addWidget(w)
    w.set_source(source, None, context)
    show_active(qtbot, w)
    w.table.setFocus()
    return w


def column(store, sql, ids):
    with store.reader() as s:
        rows = s.execute(text(sql.format(ids=",".join(map(str, ids))))).all()
    return {r[0] for r in rows}


def choose(window, key, label):
    combo = window.filter_bar.combos[key]
    i = combo.findText(label)
    assert i > 0, [combo.itemText(j) for j in range(combo.count())]
    combo.setCurrentIndex(i)
    combo.activated.emit(i)


def test_each_combo_narrows_the_list(window, store):
    everything = window.model.rowCount()
    choose(window, "brand_id", "Globex Mobile")
    ids = window.model.ids()
    assert 0 < len(ids) < everything
    brands = column(
        store,
        "SELECT b.name FROM conversations c JOIN brands b"
        " ON b.id = c.brand_id WHERE c.id IN ({ids})",
        ids,
    )
    assert brands == {"Globex Mobile"}
    # the sidebar shows the same scope
    assert window.sidebar.accounts.currentIndex().data() == "Globex Mobile"

    choose(window, "platform", "Bluesky")
    ids = window.model.ids()
    assert ids
    assert column(store, "SELECT platform FROM conversations WHERE id IN ({ids})", ids) == {
        Platform.BLUESKY.value
    }
    assert window.filter.platform is Platform.BLUESKY and window.filter.brand_id is not None

    choose(window, "status", "Open")
    assert column(
        store, "SELECT status FROM conversations WHERE id IN ({ids})", window.model.ids() or [0]
    ) <= {ConversationStatus.OPEN.value}


def test_account_assignee_and_tag(window, store):
    combo = window.filter_bar.combos["account_id"]
    assert combo.count() == 1 + 15  # "All accounts" + 3 brands x 5 platforms
    combo.setCurrentIndex(3)
    combo.activated.emit(3)
    account_id = combo.currentData()
    ids = window.model.ids()
    assert ids and column(
        store, "SELECT account_id FROM conversations WHERE id IN ({ids})", ids
    ) == {account_id}
    window.clear_filters()

    choose(window, "tag", "vip")
    ids = window.model.ids()
    tagged = column(
        store,
        "SELECT ct.conversation_id FROM conversation_tags ct JOIN tags t"
        " ON t.id = ct.tag_id WHERE t.name = 'vip' AND 0 NOT IN ({ids})",
        [1],
    )
    assert ids and set(ids) == tagged
    window.clear_filters()

    choose(window, "assignee_id", "Me")
    ids = window.model.ids()
    me = window.context.me_id
    assert column(
        store, "SELECT assignee_id FROM conversations WHERE id IN ({ids})", ids or [0]
    ) <= {me}


def test_search_shows_what_matched(window, qtbot):
    qtbot.keyClick(window.table, Qt.Key.Key_Slash)
    qtbot.keyClicks(window.search_box, "refund")
    qtbot.keyClick(window.search_box, Qt.Key.Key_Return)
    assert window.model.rowCount() > 0
    snippet = window.model.index(0, COL_SNIPPET).data()
    assert "[" in snippet and "]" in snippet and "refund" in snippet.lower()
    assert "match" in window.message_label.text()
    window.search_box.setFocus()
    qtbot.keyClick(window.search_box, Qt.Key.Key_Escape)
    assert "[" not in (window.model.index(0, COL_SNIPPET).data() or "")
    assert window.model.rowCount() == counts(qtbot, window)[View.ALL]


def test_a_bad_query_is_explained(window, qtbot):
    window.search_box.setText('"unclosed')
    window.run_search()
    assert "cannot read the search" in window.message_label.text()
    window.search_box.setText("platform:myspace")
    window.run_search()
    assert "unknown platform" in window.message_label.text()


def test_filters_are_reachable_by_keyboard_and_clear(window, qtbot):
    qtbot.keyClick(window.table, Qt.Key.Key_Slash)
    assert window.search_box.hasFocus()
    # Tab walks from the search box through sort and the combos
    seen = []
    for _ in range(8):
        qtbot.keyClick(window.focusWidget(), Qt.Key.Key_Tab)
        seen.append(window.focusWidget().objectName())
    assert {"sortBox", "brandFilter", "platformFilter", "tagFilter", "clearFilters"} <= set(seen)
    window.filter_bar.combos["platform"].setFocus()
    qtbot.keyClick(window.filter_bar.combos["platform"], Qt.Key.Key_Down)
    assert window.filter.platform is Platform.MASTODON
    narrowed = window.model.rowCount()
    assert narrowed < counts(qtbot, window)[View.ALL]
    qtbot.keyClick(
        window.table,
        Qt.Key.Key_X,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    assert window.filter.platform is None
    assert window.filter_bar.combos["platform"].currentIndex() == 0
    assert window.model.rowCount() == counts(qtbot, window)[View.ALL]


def test_clear_button_clears_search_too(window, qtbot):
    window.search_box.setText("refund")
    window.run_search()
    choose(window, "platform", "Mastodon")
    qtbot.mouseClick(window.filter_bar.clear_button, Qt.MouseButton.LeftButton)
    assert window.search_ids is None and window.search_box.text() == ""
    assert window.filter.platform is None
