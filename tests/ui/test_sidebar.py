"""The sidebar over a real store: brands with their accounts, sync states, counts, scoping the
list, and saved searches kept in the profile."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtCore import Qt

from desktop.demo.generator import generate
from desktop.domain.enums import Platform
from desktop.domain.errors import SyncError, SyncErrorKind
from desktop.store import Store, accounts
from desktop.store.inbound import StoreInbound
from desktop.store.ingest import record_sent
from desktop.sync.engine import SyncEngine
from desktop.sync.store_outbox import StoreOutbox
from tests.ui.conftest import counts, show_active
from ui.context import AppContext
from ui.data_source import StoreSource, View
from ui.main_window import MainWindow
from ui.models.account_tree import CountRole, EntityRole, KindRole, state_text
from ui.saved_searches import SavedSearch, SavedSearchModel


@pytest.fixture
def store(tmp_path):
    s = Store.open(tmp_path / "profile" / "switchboard.sqlite3")
    generate(s, 300, seed=3)
    yield s
    s.close()


@pytest.fixture
def engine(store):
    return SyncEngine(StoreInbound(store), StoreOutbox(store.run, on_sent=record_sent))


def open_window(qtbot, store, qloop, engine=None, profile=None):
    source = StoreSource(store, qloop)
    context = AppContext(
        store=store, loop=qloop, engine=engine, me_id=source.me_id, profile=profile
    )
    window = MainWindow()
    qtbot.addWidget(window)
    window.set_source(source, None, context)
    return window


def account_conversations(store, account_id):
    from sqlalchemy import text

    with store.reader() as s:
        return {
            r[0]
            for r in s.execute(
                text("SELECT id FROM conversations WHERE account_id = :a"), {"a": account_id}
            )
        }


def test_brands_list_their_accounts_with_icons_and_counts(store, qloop, qtbot, qtmodeltester):
    window = open_window(qtbot, store, qloop)
    model = window.sidebar.account_model
    # the counts are read on a worker thread and arrive through a queued signal
    qtbot.waitUntil(lambda: bool(model.index(0, 0).data(CountRole)), timeout=5000)
    qtmodeltester.check(model)
    top = [model.index(r, 0).data() for r in range(model.rowCount())]
    assert top == ["All accounts", "Acme Outdoor", "Globex Mobile", "Initech Coffee"]
    acme = model.index(1, 0)
    assert model.rowCount(acme) == len(Platform)
    first = model.index(0, 0, acme)
    assert first.data(KindRole) == "account"
    assert not first.data(Qt.ItemDataRole.DecorationRole).isNull()
    # the brand's needs-reply count is the sum of its accounts'
    per_account = [
        int((model.index(r, 0, acme).data(CountRole) or "0").replace(",", ""))
        for r in range(model.rowCount(acme))
    ]
    assert int((acme.data(CountRole) or "0").replace(",", "")) == sum(per_account)
    total = int(model.index(0, 0).data(CountRole).replace(",", ""))
    assert total == counts(qtbot, window)[View.NEEDS_REPLY]
    assert model.index(0, 0).data(Qt.ItemDataRole.AccessibleTextRole) == (
        f"All accounts, {total:,} conversations need a reply"
    )
    assert "need a reply" in acme.data(Qt.ItemDataRole.ToolTipRole)


def test_counts_follow_changes_without_blocking(store, qloop, qtbot):
    window = open_window(qtbot, store, qloop)
    model = window.sidebar.account_model
    qtbot.waitUntil(lambda: bool(model.index(0, 0).data(CountRole)), timeout=5000)
    before = int(model.index(0, 0).data(CountRole).replace(",", ""))
    window.go(View.NEEDS_REPLY)
    window.select_row(0)
    window.act("resolve")
    qtbot.waitUntil(lambda: window.counts.get(View.NEEDS_REPLY) == before - 1, timeout=5000)
    assert window.feed.dirty  # recounted on the next tick, not on the UI thread now
    window.feed.count_if_dirty()
    qtbot.waitUntil(
        lambda: model.index(0, 0).data(CountRole).replace(",", "") == str(before - 1),
        timeout=5000,
    )


def test_choosing_an_account_or_brand_scopes_the_list(store, qloop, qtbot):
    window = open_window(qtbot, store, qloop)
    model = window.sidebar.account_model
    acme = model.index(1, 0)
    account = model.index(0, 0, acme)
    window.sidebar.accounts.setCurrentIndex(account)
    account_id = account.data(EntityRole)
    assert window.filter.account_id == account_id
    shown = set(window.model.ids())
    assert shown and shown <= account_conversations(store, account_id)
    window.sidebar.accounts.setCurrentIndex(acme)
    assert window.filter.brand_id == acme.data(EntityRole) and window.filter.account_id is None
    brand_rows = window.model.rowCount()
    assert brand_rows > len(shown)
    window.sidebar.accounts.setCurrentIndex(model.index(0, 0))  # All accounts
    assert window.filter.brand_id is None
    assert window.model.rowCount() == counts(qtbot, window)[View.ALL]


def test_keyboard_reaches_the_account_tree(store, qloop, qtbot):
    window = open_window(qtbot, store, qloop)
    show_active(qtbot, window)
    window.sidebar.accounts.setFocus()
    window.sidebar.accounts.setCurrentIndex(window.sidebar.account_model.index(0, 0))
    qtbot.keyClick(window.sidebar.accounts, Qt.Key.Key_Down)
    assert window.filter.brand_id is not None


def test_sync_states_show_next_to_accounts(store, qloop, qtbot, engine):
    window = open_window(qtbot, store, qloop, engine)
    model = window.sidebar.account_model
    account = model.index(0, 0, model.index(1, 0))
    account_id = account.data(EntityRole)
    handle = account.data().split(" ")[0]
    until = datetime.now(UTC) + timedelta(minutes=5)
    engine.states.failed(
        account_id, SyncError(SyncErrorKind.RATE_LIMITED, "slow down", retry_at=until)
    )
    qtbot.waitUntil(lambda: model.phase(account_id) == "rate_limited", timeout=3000)
    assert "rate-limited until" in account.data()
    assert account.data().startswith(handle)
    engine.states.failed(account_id, SyncError(SyncErrorKind.AUTH, "token revoked"))
    qtbot.waitUntil(lambda: "needs sign-in" in account.data(), timeout=3000)
    assert "token revoked" in account.data(Qt.ItemDataRole.ToolTipRole)
    engine.states.online(account_id)
    qtbot.waitUntil(lambda: account.data() == handle, timeout=3000)
    window.close()


def test_state_words():
    assert state_text("online") == ""
    assert state_text("offline") == "offline"
    assert state_text("failing") == "sync failing"
    assert state_text("paused") == "paused"
    assert state_text("disconnected") == "removed, history kept"


def test_paused_and_removed_accounts_say_so(store, qloop, qtbot):
    from desktop.domain.enums import AccountStatus

    window = open_window(qtbot, store, qloop)
    model = window.sidebar.account_model
    first = model.index(0, 0, model.index(1, 0)).data(EntityRole)
    second = model.index(1, 0, model.index(1, 0)).data(EntityRole)

    def change(session):  # type: ignore[no-untyped-def]
        accounts.set_status(session, first, AccountStatus.PAUSED)
        accounts.remove_account(session, second, keep_history=True)

    qloop.create_task(store.run(change))
    qtbot.waitUntil(lambda: model.phase(first) == "paused", timeout=5000)
    assert model.index(0, 0, model.index(1, 0)).data().endswith("· paused")
    assert model.phase(second) in ("paused", "disconnected")


def test_a_new_account_appears_without_reopening(store, qloop, qtbot):
    window = open_window(qtbot, store, qloop)
    model = window.sidebar.account_model

    def add(session):  # type: ignore[no-untyped-def]
        brand = accounts.ensure_brand(session, "Zeta Bikes")
        return accounts.add_account(
            session,
            brand_id=brand.id,
            platform=Platform.BLUESKY,
            handle="zeta.bsky.social",
            base_url="https://bsky.example",
        )

    qloop.create_task(store.run(add))
    qtbot.waitUntil(lambda: model.rowCount() == 5, timeout=5000)
    zeta = model.index(4, 0)
    assert zeta.data() == "Zeta Bikes"
    assert model.index(0, 0, zeta).data() == "zeta.bsky.social"


def test_saved_search_model(qtmodeltester):
    model = SavedSearchModel()
    model.add(SavedSearch("Refunds", "refund", "needs_reply", {"platform": "mastodon"}))
    model.add(SavedSearch("VIP", "", "all", {"tag": "vip"}))
    qtmodeltester.check(model)
    assert model.setData(model.index(1), "Very important")
    assert not model.setData(model.index(1), "Refunds")  # names stay unique
    assert model.index(0).data(Qt.ItemDataRole.ToolTipRole) == (
        "refund platform:mastodon in needs reply"
    )
    model.set_counts({"Refunds": 1234})
    assert model.index(0).data(CountRole) == "1,234"
    assert model.index(1).data(CountRole) == ""  # not counted yet
    qtmodeltester.check(model)


def test_save_apply_rename_delete_saved_searches(store, qloop, qtbot, tmp_path):
    profile = tmp_path / "profile"
    window = open_window(qtbot, store, qloop, profile=profile)
    show_active(qtbot, window)
    window.go(View.NEEDS_REPLY)
    window.search_box.setText("refund")
    window.run_search()
    refunds = window.model.ids()
    assert refunds
    window.save_search()  # asks for a name in a dialog opened with open()
    dialog = window.save_dialog
    assert dialog.isVisible()
    dialog.setTextValue("Refunds waiting")
    dialog.accept()
    assert [s.name for s in window.sidebar.saved_model.searches()] == ["Refunds waiting"]
    assert "Refunds waiting" in (profile / "switchboard.ini").read_text()

    window.clear_filters()
    window.go(View.ALL)
    assert window.model.rowCount() == counts(qtbot, window)[View.ALL]
    window.sidebar.saved.setFocus()
    window.sidebar.saved.setCurrentIndex(window.sidebar.saved_model.index(0))
    qtbot.keyClick(window.sidebar.saved, Qt.Key.Key_Return)
    assert window.filter.view is View.NEEDS_REPLY
    assert window.search_box.text() == "refund"
    assert window.model.ids() == refunds

    # its count comes with the sidebar's next counts (on the worker)
    window.feed.count()
    qtbot.waitUntil(
        lambda: window.sidebar.saved_model.index(0).data(CountRole) == str(len(refunds)),
        timeout=5000,
    )

    # a new window on the same profile has it; rename and delete persist
    again = open_window(qtbot, store, qloop, profile=profile)
    saved = again.sidebar.saved_model
    assert [s.name for s in saved.searches()] == ["Refunds waiting"]
    assert again.sidebar.saved.model().rowCount() == 1 and again.sidebar.saved.isVisibleTo(again)
    saved.setData(saved.index(0), "Refund queue")
    third = open_window(qtbot, store, qloop, profile=profile)
    assert [s.name for s in third.sidebar.saved_model.searches()] == ["Refund queue"]
    show_active(qtbot, third)
    third.sidebar.saved.setFocus()
    third.sidebar.saved.setCurrentIndex(third.sidebar.saved_model.index(0))
    qtbot.keyClick(third.sidebar.saved, Qt.Key.Key_Delete)
    assert third.sidebar.saved_model.rowCount() == 0
    fourth = open_window(qtbot, store, qloop, profile=profile)
    assert fourth.sidebar.saved_model.rowCount() == 0


def test_every_sidebar_widget_is_named(store, qloop, qtbot, tmp_path):
    from tests.ui.test_main_window import _unnamed

    window = open_window(qtbot, store, qloop, profile=tmp_path / "p")
    window.save_search("Everything")
    show_active(qtbot, window)
    assert window.sidebar.saved.isVisible()
    window.resize(900, 420)  # small enough for the tree and lists to need their scroll bars
    bar = window.sidebar.accounts.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.isVisibleTo(window), timeout=3000)
    # the sidebar and the filter bar (other panels have their own tests)
    assert _unnamed(window.sidebar) == []
    assert _unnamed(window.filter_bar) == []


def test_saved_search_filters_survive_odd_values():
    from desktop.domain.enums import Platform as P
    from ui.saved_searches import to_filter

    f = to_filter(SavedSearch("x", "", "needs_reply", {"platform": "bluesky", "status": "nope"}))
    assert f.view is View.NEEDS_REPLY and f.platform is P.BLUESKY and f.status is None
    assert to_filter(SavedSearch("y", view="gone")).view is View.ALL
