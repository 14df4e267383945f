"""Canned responses in the window: the list model (qtmodeltester), the manager dialog
(create, edit, validate, delete, scope, reorder, import/export JSON) over a real store,
usage feeding the picker's ranking, and the pane inside the main window."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt

from desktop.domain.enums import Platform
from desktop.domain.models import CannedResponse
from desktop.store import Store, canned
from tests.ui.composer_support import build
from ui.canned.manager import CannedManager
from ui.canned.models import CannedListModel, IdRole, ResponseRole
from ui.composer.composer import Composer


@pytest.fixture
def ws(tmp_path):
    w = build(tmp_path / "profile" / "switchboard.sqlite3")
    yield w
    w.store.close()


@pytest.fixture
def manager(ws, qloop, qtbot):
    m = CannedManager(ws.store, loop=qloop)
    qtbot.addWidget(m)
    m.open()
    return m


def _all(ws):
    with ws.store.reader() as s:
        return canned.list_all(s)


def _fill(manager, title, shortcut, body):
    manager.title.setText(title)
    manager.shortcut.setText(shortcut)
    manager.body.setPlainText(body)


def test_list_model_passes_qtmodeltester(ws, qtmodeltester):
    ws.store.run_sync(lambda s: canned.add(s, "Hello", "hi", "Hi {customer.first_name|there}"))
    ws.store.run_sync(lambda s: canned.add(s, "Bye", "bye", "Bye!"))
    model = CannedListModel()
    model.set_items(_all(ws))
    qtmodeltester.check(model)
    index = model.index(0, 0)
    assert model.data(index) == "Hello    /hi"
    assert model.data(index, IdRole) == _all(ws)[0].id
    assert model.data(index, ResponseRole).body.startswith("Hi ")
    # a body that looks like HTML is shown as text in the tooltip, never interpreted
    evil = CannedResponse(9, "x", "x", '<img src="file:///etc/passwd"> & <b>hi</b>')
    model.set_items([evil])
    tip = model.data(model.index(0, 0), Qt.ItemDataRole.ToolTipRole)
    assert "<img" not in tip and "&lt;img src=&quot;file:///etc/passwd&quot;&gt;" in tip
    model.set_items([])
    qtmodeltester.check(model)


def test_manager_creates_edits_and_scopes(ws, manager, qtbot):
    _fill(manager, "Hello", "hi", "Hi {customer.first_name|there}!")
    # scope: only the Bluesky platform, only the brand Acme
    for box, wanted in ((manager.platforms, "bluesky"), (manager.brands, ws.brand_id)):
        for i in range(box.count()):
            if box.item(i).data(256) == wanted:
                box.item(i).setCheckState(box.item(i).checkState().Checked)
    manager.save_button.click()
    qtbot.waitUntil(lambda: len(_all(ws)) == 1, timeout=3000)
    (saved,) = _all(ws)
    assert (saved.title, saved.shortcut, saved.platforms) == ("Hello", "hi", (Platform.BLUESKY,))
    assert saved.brand_ids == (ws.brand_id,)
    qtbot.waitUntil(lambda: manager.model.rowCount() == 1, timeout=3000)
    assert manager.current_id == saved.id
    manager.body.setPlainText("Hello {customer.first_name|friend}!")
    manager.save_button.click()
    qtbot.waitUntil(lambda: _all(ws)[0].body == "Hello {customer.first_name|friend}!", timeout=3000)
    assert len(_all(ws)) == 1  # edited, not duplicated


def test_manager_previews_with_sample_values(ws, manager):
    _fill(manager, "Hello", "hi", "Hi {customer.first_name|there}, {agent.name} of {brand.name}")
    assert manager.preview.text() == "Hi Ana, Sam of Acme"


def test_manager_shows_problems_instead_of_saving(ws, manager, qtbot):
    _fill(manager, "Bad", "Not A Shortcut", "Hey {customer.nick}")
    assert "lower-case" in manager.form_problems.text()
    assert "unknown variable {customer.nick}" in manager.form_problems.text()
    manager.save_button.click()
    qtbot.waitUntil(lambda: manager.status.text().startswith("Not saved:"), timeout=3000)
    assert _all(ws) == []


def test_manager_reorders_and_deletes(ws, manager, qtbot):
    for n in ("a", "b", "c"):
        ws.store.run_sync(lambda s, n=n: canned.add(s, n.upper(), n, n))
    manager.reload()
    manager.select(_all(ws)[2].id)  # C
    for expected in (["a", "c", "b"], ["c", "a", "b"]):
        with qtbot.waitSignal(manager.changed, timeout=3000):
            manager.up_button.click()
        assert [c.shortcut for c in _all(ws)] == expected
    assert manager.model.item(0).shortcut == "c" and manager.title.text() == "C"
    manager.delete_button.click()  # asks first; Cancel keeps it
    assert manager.confirm is not None and manager.confirm.isVisible()
    assert "Delete “C” (/c)?" in manager.confirm.text()
    manager.confirm.button(manager.confirm.StandardButton.Cancel).click()
    assert manager.confirm is None and len(_all(ws)) == 3
    manager.delete_button.click()
    with qtbot.waitSignal(manager.changed, timeout=3000):
        manager.confirm.button(manager.confirm.StandardButton.Yes).click()
    assert [c.shortcut for c in _all(ws)] == ["a", "b"]
    assert manager.current_id is None and manager.title.text() == ""


def test_export_and_import_between_profiles(ws, manager, qtbot, qloop, tmp_path):
    ws.store.run_sync(
        lambda s: canned.add(s, "Hello", "hi", "Hi {customer.first_name|there}", brand_ids=[1])
    )
    manager.reload()
    out = tmp_path / "canned.json"
    manager.export_to(out)
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["responses"][0]["shortcut"] == "hi" and data["responses"][0]["brands"] == ["Acme"]
    other = Store.open(tmp_path / "other.sqlite3")
    try:
        from desktop.store import accounts

        other.run_sync(lambda s: accounts.ensure_brand(s, "Acme"))
        second = CannedManager(other, loop=qloop)
        qtbot.addWidget(second)
        second.import_from(out)
        qtbot.waitUntil(lambda: second.model.rowCount() == 1, timeout=3000)
        assert "1 added, 0 updated" in second.status.text()
        with other.reader() as s:
            (got,) = canned.list_all(s)
        assert got.body == "Hi {customer.first_name|there}" and got.brand_ids
        bad = tmp_path / "bad.json"
        bad.write_text("{not json", encoding="utf-8")
        second.import_from(bad)
        qtbot.waitUntil(lambda: "not a JSON file" in second.status.text(), timeout=3000)
    finally:
        other.close()


def test_usage_feeds_the_ranking_and_edits_reach_an_open_composer(ws, qloop, qtbot):
    def setup(s):  # type: ignore[no-untyped-def]
        a = canned.add(s, "Thanks a lot", "thanks-a", "Thanks!")
        b = canned.add(s, "Thanks again", "thanks-b", "Thanks again!")
        return a.id, b.id

    a_id, b_id = ws.store.run_sync(setup)
    composer = Composer()
    qtbot.addWidget(composer)
    composer.set_context(ws.context(qloop))
    composer.set_conversation(ws.conversations["bluesky"])
    qtbot.keyClicks(composer.editor, "/thanks")
    assert composer.picker.current().id == a_id  # a tie: the user's own order
    qtbot.keyClick(composer.editor, "\x1b")
    composer.editor.clear()
    for _ in range(3):  # b is used more
        ws.store.run_sync(lambda s: canned.record_use(s, b_id))
    # the change bus delivers on the loop; the picker re-reads
    qtbot.waitUntil(
        lambda: any(c.usage_count == 3 for c in composer.picker.responses), timeout=3000
    )
    qtbot.keyClicks(composer.editor, "/thanks")
    assert composer.picker.current().id == b_id
    # a response scoped to another platform is not offered here
    ws.store.run_sync(lambda s: canned.add(s, "X only", "xonly", "x", platforms=[Platform.X]))
    qtbot.waitUntil(lambda: len(composer.picker.responses) == 2, timeout=3000)


def test_pane_in_the_main_window(ws, qloop, qtbot):
    from ui.data_source import StoreSource
    from ui.main_window import MainWindow

    source = StoreSource(ws.store, qloop)
    window = MainWindow()
    qtbot.addWidget(window)
    window.set_source(source, None, ws.context(qloop))
    pane = window.conversation_pane
    assert window.conversation_widget is pane and pane.isAncestorOf(window.thread)
    window.select_row(0)
    assert pane.composer.conversation_id == window.current_id() is not None
    assert pane.composer.editor.isEnabled()
    action = window.findChild(type(window.tools_menu.menuAction()), "action_cannedResponses")
    assert action is not None and action.text() == "Canned responses…"
    action.trigger()
    assert pane.manager is not None and pane.manager.isVisible()
    pane.manager.close()
    window.set_source(None)
    assert pane.composer.conversation_id is None and not pane.composer.editor.isEnabled()


def test_conversation_menu_actions_reach_the_composer(ws, qloop, qtbot):
    from PySide6.QtCore import Qt

    from tests.ui.conftest import show_active
    from ui.data_source import StoreSource
    from ui.main_window import MainWindow
    from ui.shortcuts import menu_shortcuts

    ws.store.run_sync(lambda s: canned.add(s, "Hello", "hi", "Hi {customer.first_name|there}"))
    window = MainWindow()
    qtbot.addWidget(window)
    window.set_source(StoreSource(ws.store, qloop), None, ws.context(qloop))
    show_active(qtbot, window)
    window.select_row(0)
    window.table.setFocus()
    composer = window.conversation_pane.composer
    qtbot.keyClick(window.table, Qt.Key.Key_R)  # R: reply
    assert composer.editor.hasFocus()
    qtbot.keyClicks(composer.editor, "ready")  # letters type, they are not shortcuts here
    assert composer.editor.toPlainText() == "ready"
    helped = dict((what, keys) for keys, what in menu_shortcuts(window.menuBar()))
    assert helped["Reply: focus the composer"] == "R"
    assert (
        "Insert a canned response" in helped and "Send the reply (undo for a few seconds)" in helped
    )
    window.findChild(type(window.tools_menu.menuAction()), "shortcut_canned").trigger()
    assert composer.picker.isVisible()
