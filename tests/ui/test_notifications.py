"""Notifications for new inbound messages in the chosen views: checked by what the notifier
would show (offscreen has no system tray, so the status line gets it)."""

from __future__ import annotations

import pytest

from desktop.domain.enums import Platform
from desktop.store import Store, accounts
from desktop.store.ingest import ingest
from tests.desktop.store.factories import customer, item
from ui.context import AppContext
from ui.data_source import StoreSource, View
from ui.main_window import MainWindow
from ui.notifications import KEY
from ui.settings import ProfileSettings


@pytest.fixture
def store(tmp_path):
    s = Store.open(tmp_path / "profile" / "switchboard.sqlite3")

    def setup(session):  # type: ignore[no-untyped-def]
        brand = accounts.ensure_brand(session, "Acme")
        accounts.ensure_me(session)
        return accounts.add_account(
            session,
            brand_id=brand.id,
            platform=Platform.MASTODON,
            handle="acme",
            base_url="https://mastodon.example",
        )

    s.account = s.run_sync(setup)  # type: ignore[attr-defined]
    yield s
    s.close()


@pytest.fixture
def window(store, qloop, qtbot, tmp_path):
    w = MainWindow()
    qtbot.addWidget(w)
    source = StoreSource(store, qloop)
    w.set_source(source, None, AppContext(store=store, loop=qloop, profile=tmp_path / "profile"))
    return w  # not shown: not the active window, so notifications are delivered


def arrive(qloop, qtbot, store, window, items):
    before = len(window.notifier.shown)
    task = qloop.create_task(store.run(lambda s: ingest(s, store.account.id, items)))
    qtbot.waitUntil(task.done, timeout=5000)
    qtbot.waitUntil(lambda: window.model.rowCount() > 0, timeout=5000)
    qtbot.wait(50)  # the change record reaches the window on the loop
    return window.notifier.shown[before:]


def test_a_new_inbound_message_in_needs_reply_is_notified(window, store, qloop, qtbot):
    shown = arrive(qloop, qtbot, store, window, [item("1", "Where is my order <b>#4411</b>?")])
    assert len(shown) == 1
    note = shown[0]
    assert note.title.startswith("User 1 · Mastodon acme")
    assert "(Needs reply)" in note.title
    assert note.body == "Where is my order <b>#4411</b>?"  # shown as given, never as markup
    assert note.conversation_id == window.model.id_at(0)
    assert note.title in window.message_label.text()  # no tray offscreen: the status line


def test_our_own_reply_is_not_notified(window, store, qloop, qtbot):
    arrive(qloop, qtbot, store, window, [item("1", "hello?")])
    shown = arrive(qloop, qtbot, store, window, [item("2", "Hi! Checking now.", out=True)])
    assert shown == []


def test_only_the_chosen_views(window, store, qloop, qtbot, tmp_path):
    window.notifier.actions[View.NEEDS_REPLY].setChecked(False)
    window.notifier.actions[View.HANDED_TO_ME].setChecked(False)
    window.notifier.actions[View.MINE].setChecked(True)
    assert window.notifier.views == (View.MINE,)
    assert ProfileSettings(tmp_path / "profile").data(KEY) == ["mine"]
    assert arrive(qloop, qtbot, store, window, [item("1", "unassigned, not mine")]) == []
    window.notifier.actions[View.UNASSIGNED].setChecked(True)
    shown = arrive(qloop, qtbot, store, window, [item("3", "again", thread="t2")])
    assert len(shown) == 1 and "(Unassigned)" in shown[0].title


def test_a_burst_is_one_summary(window, store, qloop, qtbot):
    batch = [item(str(n), f"message {n}", thread=f"t{n}", who=customer(n)) for n in range(1, 7)]
    shown = arrive(qloop, qtbot, store, window, batch)
    assert len(shown) == 1
    assert shown[0].title == "6 new messages in Needs reply"
    assert shown[0].body == "From User 1, User 2, User 3 and 3 more"
    assert shown[0].conversation_id is None


def test_the_choice_is_kept_per_profile(store, qloop, qtbot, tmp_path):
    settings = ProfileSettings(tmp_path / "profile")
    settings.set_data(KEY, ["resolved", "snoozed"])
    settings.sync()
    w = MainWindow()
    qtbot.addWidget(w)
    w.set_source(
        StoreSource(store, qloop),
        None,
        AppContext(store=store, loop=qloop, profile=tmp_path / "profile"),
    )
    assert w.notifier.views == (View.SNOOZED, View.RESOLVED)
    assert w.notifier.actions[View.SNOOZED].isChecked()
    assert not w.notifier.actions[View.NEEDS_REPLY].isChecked()


def test_clicking_a_notification_reveals_its_conversation(window, store, qloop, qtbot):
    (note,) = arrive(qloop, qtbot, store, window, [item("1", "hello")])
    window.go(View.RESOLVED)
    assert window.model.rowCount() == 0
    window.reveal(note.conversation_id)
    assert window.filter.view is View.ALL
    assert window.current_id() == note.conversation_id
