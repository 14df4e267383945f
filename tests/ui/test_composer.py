"""The composer over a real store: per-platform length in the platform's unit with the
overflow marked and sending blocked with the reason, reply/DM modes, draft autosave that
survives a restart and a kill, canned insertion with variables and fallbacks."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from desktop.domain.enums import OpKind
from desktop.store import Store, canned, drafts
from tests.ui.composer_support import build
from ui.composer.composer import Composer
from ui.composer.length import qt_position

FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467"  # one grapheme, 8 UTF-16 units

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def ws(tmp_path):
    w = build(tmp_path / "profile" / "switchboard.sqlite3")
    yield w
    w.store.close()


@pytest.fixture
def composer(ws, qloop, qtbot):
    c = Composer()
    qtbot.addWidget(c)
    c.set_context(ws.context(qloop))
    c.resize(700, 400)
    c.show()
    yield c
    c.autosaver.cancel()


def test_bluesky_over_the_limit_counts_graphemes_marks_and_blocks(ws, composer):
    composer.set_conversation(ws.conversations["bluesky"])
    text = FAMILY * 300 + "ab"
    composer.editor.setPlainText(text)
    assert composer.counter.text() == "302 / 300 graphemes"
    assert not composer.send_button.isEnabled()
    assert "Too long for Bluesky: 2 graphemes over the 300 limit" in composer.reason.text()
    (mark,) = composer.editor.extraSelections()
    assert mark.cursor.selectionStart() == qt_position(text, 1500) == 2400
    assert mark.cursor.selectedText() == "ab"
    composer.editor.setPlainText(FAMILY * 300)
    assert composer.counter.text() == "300 / 300 graphemes"
    assert composer.send_button.isEnabled() and composer.reason.text() == ""
    assert composer.editor.extraSelections() == []


def test_x_counts_weighted_characters_and_dm_has_its_own_limit(ws, composer):
    composer.set_conversation(ws.conversations["x"])
    assert composer.target is not None
    assert composer.target.modes == (OpKind.REPLY, OpKind.DIRECT_MESSAGE)
    composer.editor.setPlainText("a" * 281)
    assert composer.counter.text() == "281 / 280 weighted characters"
    assert "1 weighted character over" in composer.reason.text()
    assert not composer.send_button.isEnabled()
    composer.set_mode(OpKind.DIRECT_MESSAGE)  # X DMs allow 10,000 characters
    assert composer.counter.text() == "281 / 10,000 characters"
    assert composer.send_button.isEnabled() and composer.send_button.text() == "Send DM"
    assert composer.target.send_thread_key(OpKind.DIRECT_MESSAGE) == "with:42"


def test_mastodon_uses_the_instance_limit(ws, composer):
    composer.set_conversation(ws.conversations["mastodon"])
    composer.editor.setPlainText("a" * 550)
    assert composer.counter.text() == "550 / 600 characters"
    assert composer.send_button.isEnabled()
    composer.editor.setPlainText("a" * 601)
    assert not composer.send_button.isEnabled()


def test_dm_conversation_offers_only_direct_message(ws, composer):
    composer.set_conversation(ws.conversations["x_dm"])
    assert composer.mode() is OpKind.DIRECT_MESSAGE
    reply = composer.mode_model.item(0)
    assert not reply.isEnabled() and "privately" in reply.toolTip()
    # Bluesky posts cannot open a chat from here: the choice is there, disabled, with a reason
    composer.set_conversation(ws.conversations["bluesky"])
    dm = composer.mode_model.item(1)
    assert not dm.isEnabled() and "Bluesky does not let" in dm.toolTip()
    # Mastodon's DM is a private mention answering the thread
    composer.set_conversation(ws.conversations["mastodon"])
    assert composer.target.modes == (OpKind.REPLY, OpKind.DIRECT_MESSAGE)
    composer.set_mode(OpKind.DIRECT_MESSAGE)
    assert composer.target.send_thread_key(OpKind.DIRECT_MESSAGE) == "m-1"
    assert composer.counter.text().endswith("/ 600 characters")


def test_no_workspace_or_conversation_disables_the_editor(qtbot):
    c = Composer()
    qtbot.addWidget(c)
    assert not c.editor.isEnabled() and not c.send_button.isEnabled()
    assert "Open a workspace" in c.editor.placeholderText()


def test_draft_autosaves_and_survives_a_restart(ws, composer, qtbot, qloop, tmp_path):
    cid = ws.conversations["bluesky"]
    composer.set_conversation(cid)
    qtbot.keyClicks(composer.editor, "Half-written answer")
    with qtbot.waitSignal(composer.autosaver.saved, timeout=3000):
        pass
    with ws.store.reader() as s:
        draft = drafts.get(s, cid)
    assert draft is not None and draft.body == "Half-written answer"
    path = ws.store.path
    ws.store.close()
    reopened = Store.open(path)
    try:
        fresh = Composer()
        qtbot.addWidget(fresh)
        ctx = ws.context(qloop)
        ctx.store = reopened
        fresh.set_context(ctx)
        fresh.set_conversation(cid)
        assert fresh.editor.toPlainText() == "Half-written answer"
        # switching conversations keeps each draft apart; emptying discards it
        fresh.set_conversation(ws.conversations["x"])
        assert fresh.editor.toPlainText() == ""
        fresh.set_conversation(cid)
        fresh.editor.clear()
        with qtbot.waitSignal(fresh.autosaver.saved, timeout=3000):
            pass
        with reopened.reader() as s:
            assert drafts.get(s, cid) is None
    finally:
        reopened.close()
        ws.store = Store.open(path)  # the fixture closes it


KILLED = textwrap.dedent(
    """
    import os, signal, sys, asyncio
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    import PySide6
    import qasync
    from PySide6.QtWidgets import QApplication
    from desktop.store import Store
    from ui.composer.composer import Composer
    from ui.context import AppContext

    app = QApplication([])
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    store = Store.open(sys.argv[1])
    composer = Composer()
    composer.set_context(AppContext(store=store, loop=loop, me_id=1))
    composer.set_conversation(int(sys.argv[2]))
    composer.editor.insertPlainText("typed before the kill")
    # the autosave commits, then the process dies without any shutdown code
    composer.autosaver.saved.connect(lambda _cid: os.kill(os.getpid(), signal.SIGKILL))
    with loop:
        loop.run_forever()
    """
)


@pytest.mark.timeout(60)
def test_draft_survives_a_kill(ws):
    cid = ws.conversations["bluesky"]
    path = ws.store.path
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "QT_API": "pyside6"}
    done = subprocess.run(
        [sys.executable, "-c", KILLED, str(path), str(cid)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=50,
    )
    assert done.returncode == -signal.SIGKILL, done.stderr
    with ws.store.reader() as s:
        draft = drafts.get(s, cid)
    assert draft is not None and draft.body == "typed before the kill"


def _add_canned(ws):
    def setup(s):  # type: ignore[no-untyped-def]
        hi = canned.add(
            s, "Hello", "hi", "Hi {customer.first_name|there}, {agent.name} from {brand.name} here."
        )
        nick = canned.add(s, "Nickname", "nick", "Hey {customer.nickname}!")
        canned.add(s, "Refund policy", "refund", "Refunds take 5 days.")
        return hi.id, nick.id

    return ws.store.run_sync(setup)


def test_slash_shortcut_inserts_with_variables_filled(ws, composer, qtbot):
    hi_id, _ = _add_canned(ws)
    composer.set_conversation(ws.conversations["bluesky"])
    qtbot.keyClicks(composer.editor, "/hi")
    assert composer.picker.isVisible() and composer.picker.inline
    assert composer.picker.current().id == hi_id
    # shown before insertion, filled from this conversation
    assert composer.picker.preview.text() == "Hi Ana, Sam from Acme here."
    qtbot.keyClick(composer.editor, "\r")
    assert composer.editor.toPlainText() == "Hi Ana, Sam from Acme here."
    assert not composer.picker.isVisible()
    assert composer.send_button.isEnabled()
    qtbot.waitUntil(lambda: _usage(ws, hi_id) == 1, timeout=3000)


def test_fallback_when_the_customer_has_no_name(ws, composer, qtbot):
    _add_canned(ws)
    composer.set_conversation(ws.conversations["nameless"])
    qtbot.keyClicks(composer.editor, "Sure. /hi")
    qtbot.keyClick(composer.editor, "\t")
    assert composer.editor.toPlainText() == "Sure. Hi there, Sam from Acme here."


def test_unknown_variable_is_flagged_and_never_sent_raw(ws, composer, qtbot):
    _add_canned(ws)
    composer.set_conversation(ws.conversations["bluesky"])
    qtbot.keyClicks(composer.editor, "/nick")
    assert "unknown variable {customer.nickname}" in composer.picker.problems.text()
    qtbot.keyClick(composer.editor, "\r")
    assert composer.editor.toPlainText() == "Hey {customer.nickname}!"
    assert not composer.send_button.isEnabled()
    assert "unknown variable {customer.nickname}" in composer.reason.text()
    (mark,) = composer.editor.extraSelections()
    assert mark.cursor.selectedText() == "{customer.nickname}"
    composer.send()  # Ctrl+Enter does the same: refused, nothing queued
    with ws.store.reader() as s:
        from desktop.store import outbox

        assert outbox.list_items(s) == []
    composer.editor.setPlainText("Hey Ana!")
    assert composer.send_button.isEnabled()


def test_escape_closes_the_slash_picker_and_keeps_the_text(ws, composer, qtbot):
    _add_canned(ws)
    composer.set_conversation(ws.conversations["bluesky"])
    qtbot.keyClicks(composer.editor, "path /re")
    assert composer.picker.isVisible()
    qtbot.keyClick(composer.editor, "\x1b")
    assert not composer.picker.isVisible()
    qtbot.keyClicks(composer.editor, "f")  # same token: stays closed
    assert not composer.picker.isVisible()
    assert composer.editor.toPlainText() == "path /ref"


def test_picker_fuzzy_search_from_the_button(ws, composer, qtbot):
    _add_canned(ws)
    composer.set_conversation(ws.conversations["bluesky"])
    composer.editor.setPlainText("Thanks! ")
    composer.editor.moveCursor(composer.editor.textCursor().MoveOperation.End)
    composer.canned_button.click()
    assert composer.picker.search.isVisible()
    qtbot.keyClicks(composer.picker.search, "refnd polcy")
    assert composer.picker.current().shortcut == "refund"
    qtbot.keyClick(composer.picker.search, "\r")
    assert composer.editor.toPlainText() == "Thanks! Refunds take 5 days."


def _usage(ws, canned_id):
    with ws.store.reader() as s:
        return canned.get(s, canned_id).usage_count


def test_every_interactive_widget_is_named(ws, composer, qtbot, qloop):
    from tests.ui.test_main_window import _unnamed
    from ui.canned.manager import CannedManager

    _add_canned(ws)
    composer.set_conversation(ws.conversations["x"])
    composer.open_picker()
    composer.send_bar.show_state("Sending in 5 s", undo=True, retry=True)
    assert _unnamed(composer) == []
    manager = CannedManager(ws.store, loop=qloop)
    qtbot.addWidget(manager)
    manager.show()
    assert _unnamed(manager) == []


def test_keyboard_send_and_picker_shortcuts(ws, composer, qtbot):
    from PySide6.QtCore import Qt

    _add_canned(ws)
    composer.set_conversation(ws.conversations["bluesky"])
    composer.activateWindow()
    qtbot.waitUntil(composer.isActiveWindow, timeout=3000)
    composer.editor.setFocus()
    qtbot.keyClick(
        composer.editor,
        Qt.Key.Key_C,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    assert composer.picker.isVisible() and composer.picker.search.hasFocus()
    qtbot.keyClick(composer.picker.search, Qt.Key.Key_Escape)
    assert not composer.picker.isVisible() and composer.editor.hasFocus()
    qtbot.keyClicks(composer.editor, "On it")
    qtbot.keyClick(composer.editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: composer.current_item() is not None, timeout=5000)
    assert composer.current_item().text == "On it"


def test_direct_message_mode_is_kept_with_the_draft(ws, composer, qtbot, qloop):
    cid = ws.conversations["x"]
    composer.set_conversation(cid)
    composer.set_mode(OpKind.DIRECT_MESSAGE)
    qtbot.keyClicks(composer.editor, "Sending you the details privately")
    with qtbot.waitSignal(composer.autosaver.saved, timeout=3000):
        pass
    fresh = Composer()
    qtbot.addWidget(fresh)
    fresh.set_context(ws.context(qloop))
    fresh.set_conversation(cid)
    assert fresh.mode() is OpKind.DIRECT_MESSAGE
    assert fresh.editor.toPlainText() == "Sending you the details privately"


def test_a_new_customer_message_becomes_what_the_reply_answers(ws, composer, qtbot):
    from desktop.domain.enums import Platform
    from desktop.domain.inbound import ProfileInfo
    from desktop.store.ingest import ingest
    from tests.ui.composer_support import message

    cid = ws.conversations["bluesky"]
    composer.set_conversation(cid)
    assert composer.target.in_reply_to == "at://ana/1"
    qtbot.keyClicks(composer.editor, "Looking into it")
    ana = ProfileInfo(Platform.BLUESKY, "did:ana", "ana.bsky.social", "Ana López")
    later = message(
        Platform.BLUESKY, "at://ana/2", "Any news?", thread="at://ana/1", who=ana, minutes=5
    )
    ws.store.run_sync(lambda s: ingest(s, ws.accounts[Platform.BLUESKY], [later]))
    qtbot.waitUntil(lambda: composer.target.in_reply_to == "at://ana/2", timeout=3000)
    assert composer.editor.toPlainText() == "Looking into it"  # the typing is kept


def test_queued_says_why_it_waits(ws, qloop, qtbot):
    c = Composer(grace_seconds=0.2)
    qtbot.addWidget(c)
    c.set_context(ws.context(qloop))  # no sync engine: nothing will send it yet
    c.set_conversation(ws.conversations["bluesky"])
    qtbot.keyClicks(c.editor, "Thanks!")
    c.send()
    qtbot.waitUntil(
        lambda: c.send_bar.text() == "Queued — will send when this account syncs again",
        timeout=5000,
    )
    c.set_online(False)
    assert c.send_bar.text() == "Queued — will send when online"
