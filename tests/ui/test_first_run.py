"""First run: a profile with no account offers "Connect an account" or "Open the demo"; the
demo shows a populated inbox at once (a generated past on the sandbox's accounts) and then
syncs live traffic into it through the real connectors."""

from __future__ import annotations

import sys

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import text

from desktop.domain.enums import Platform
from desktop.store import Store, accounts, inbox
from tests.ui.conftest import show_active
from ui.context import AppContext
from ui.data_source import StoreSource
from ui.main_window import CLI_CONNECT, MainWindow


@pytest.fixture
def store(tmp_path):
    s = Store.open(tmp_path / "profile" / "switchboard.sqlite3")
    yield s
    s.close()


@pytest.fixture
def window(store, qloop, qtbot, tmp_path):
    source = StoreSource(store, qloop)
    w = MainWindow()
    qtbot.addWidget(w)
    w.set_source(source, None, AppContext(store=store, loop=qloop, profile=tmp_path / "profile"))
    w.show_first_run(True)
    show_active(qtbot, w)
    return w


def test_first_run_offers_both_ways_by_keyboard(window, qtbot):
    assert window.list_stack.currentWidget() is window.first_run
    assert window.first_run.connect_button.hasFocus()
    qtbot.keyClick(window.first_run.connect_button, Qt.Key.Key_Tab)
    assert window.first_run.demo_button.hasFocus()
    with qtbot.waitSignal(window.demo_requested, timeout=1000):
        qtbot.keyClick(window.first_run.demo_button, Qt.Key.Key_Space)
    with qtbot.waitSignal(window.demo_requested, timeout=1000):
        window.shortcuts["openDemo"].trigger()  # File > Open the demo workspace


def test_connect_opens_the_accounts_dialog(window, qtbot):
    pytest.importorskip("ui.accounts_dialog")
    qtbot.keyClick(window.first_run.connect_button, Qt.Key.Key_Return)
    dialog = window.accounts_dialog
    assert dialog is not None and dialog.isVisible()
    assert dialog.context is window.context
    assert dialog.connect_dialog is not None and dialog.connect_dialog.isVisible()
    dialog.connect_dialog.reject()
    dialog.reject()


def test_without_the_dialog_the_command_line_is_explained(window, qtbot, monkeypatch):
    monkeypatch.setitem(sys.modules, "ui.accounts_dialog", None)  # an import that fails
    window.first_run.connect_button.click()
    assert window.first_run.hint.isVisible()
    assert window.first_run.hint.text() == CLI_CONNECT
    assert "accounts add" in window.message_label.text()


def test_the_first_account_replaces_the_welcome(window, store, qtbot, qloop):
    def add(session):  # type: ignore[no-untyped-def]
        brand = accounts.ensure_brand(session, "Acme")
        accounts.ensure_me(session)
        return accounts.add_account(
            session,
            brand_id=brand.id,
            platform=Platform.MASTODON,
            handle="acme",
            base_url="https://mastodon.example",
        )

    qloop.create_task(store.run(add))
    qtbot.waitUntil(lambda: window.list_stack.currentWidget() is not window.first_run, timeout=5000)
    assert window.sidebar.account_model.rowCount() == 2  # All accounts, Acme


@pytest.mark.timeout(180)
def test_the_demo_has_a_past_and_a_present(tmp_path, qloop, qtbot):
    """prepare(): a generated history at once; connect(): its accounts sign in to the
    sandbox and live traffic lands on them."""
    from desktop.demo import live

    demo_task = qloop.create_task(live.prepare(tmp_path / "demo", history=600))
    qtbot.waitUntil(demo_task.done, timeout=60_000)
    demo = demo_task.result()
    try:
        with demo.store.reader() as s:
            before = inbox.count(s, inbox.InboxFilter())
            brands = [b.name for b in accounts.list_brands(s)]
            notes = s.execute(text("SELECT count(*) FROM notes")).scalar()
            canned = s.execute(text("SELECT count(*) FROM canned_responses")).scalar()
        assert before > 50 and len(brands) == 3 and notes and canned

        connect = qloop.create_task(live.connect(demo))
        qtbot.waitUntil(connect.done, timeout=90_000)
        assert connect.exception() is None
        served = {(a.platform, a.handle.split(".")[0]) for a in demo.accounts}
        assert {(p, "acme") for p in Platform} <= served
        with demo.store.reader() as s:
            synced = accounts.list_accounts(s)
        acme = [a for a in synced if a.id in {x.id for x in demo.accounts}]
        assert all(a.base_url.startswith(demo.sandbox.base_url) for a in acme)

        def grown() -> bool:
            with demo.store.reader() as s:
                return inbox.count(s, inbox.InboxFilter()) > before

        qtbot.waitUntil(grown, timeout=60_000)  # live items synced in, next to the past
        # the live items belong to the same accounts as the history
        with demo.store.reader() as s:
            rows = s.execute(
                text(
                    "SELECT DISTINCT account_id FROM conversations WHERE platform_root_id"
                    " NOT LIKE 'root-%'"
                )
            ).all()
        assert {r[0] for r in rows} <= {a.id for a in demo.accounts}
    finally:
        stop = qloop.create_task(live.stop(demo))
        qtbot.waitUntil(stop.done, timeout=30_000)


def test_every_widget_of_the_welcome_is_named(window):
    from tests.ui.test_main_window import _unnamed

    assert window.first_run.isVisible()
    assert _unnamed(window) == []
