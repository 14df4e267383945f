"""The sync panel: per-account state, progress and errors, sync now, poll interval."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from PySide6.QtCore import Qt

from desktop.domain.enums import StreamKind
from desktop.domain.errors import SyncError, SyncErrorKind
from desktop.store import accounts
from desktop.sync.intervals import SETTINGS_KEY
from tests.ui.test_status_bar import BERLIN, make_engine, open_window, store  # noqa: F401
from ui.models.sync_states import (
    COL_INTERVAL,
    COL_PROGRESS,
    COL_STATE,
    PhaseRole,
    ProgressRole,
    SyncStatesModel,
)
from ui.sync_panel import SyncPanel


def open_panel(qtbot, store, qloop, engine=None):  # noqa: F811
    window, status = open_window(qtbot, store, qloop, engine or make_engine(store))
    status.open_panel()
    panel = status.panel
    assert isinstance(panel, SyncPanel)
    return window, status, panel


def test_model_passes_qtmodeltester_through_updates(store, qloop, qtbot, qtmodeltester):  # noqa: F811
    engine = make_engine(store)
    _window, status, panel = open_panel(qtbot, store, qloop, engine)
    model = status.model
    assert isinstance(model, SyncStatesModel)
    qtmodeltester.check(model, force_py=True)
    first, second = store.account_ids
    engine.states.syncing(first, 0.3, "mentions: 600 items", items=600)
    engine.states.failed(second, SyncError(SyncErrorKind.AUTH, "token revoked"))
    qtmodeltester.check(model, force_py=True)
    assert model.index(0, COL_STATE).data() == "syncing 30%"
    assert model.index(0, COL_PROGRESS).data(ProgressRole) == 30
    assert model.index(0, COL_PROGRESS).data() == "mentions: 600 items"
    assert model.index(1, COL_STATE).data() == "needs sign-in"
    assert model.index(1, 0).data(PhaseRole) == "needs_reauth"
    assert model.index(1, COL_PROGRESS).data() == "token revoked"
    assert model.index(0, COL_INTERVAL).data() == "60 s"
    engine.states.online(first)
    assert model.index(0, COL_PROGRESS).data(ProgressRole) is None
    panel.hide()


def test_details_show_the_whole_error_as_plain_text(store, qloop, qtbot):  # noqa: F811
    engine = make_engine(store)
    _window, _status, panel = open_panel(qtbot, store, qloop, engine)
    first, second = store.account_ids
    nasty = '<img src="http://tracker.example/x.png"> 401: <b>token</b> revoked'
    engine.states.failed(second, SyncError(SyncErrorKind.AUTH, nasty))
    until = datetime.now(UTC) + timedelta(minutes=5)
    engine.states.failed(first, SyncError(SyncErrorKind.RATE_LIMITED, "429", retry_at=until))
    panel.table.selectRow(1)
    text = panel.details.toPlainText()
    assert nasty in text  # shown literally, never interpreted
    assert "needs sign-in" in text and "Sign in again" in text
    panel.table.selectRow(0)
    assert f"Retries at {until.astimezone(BERLIN):%H:%M}" in panel.details.toPlainText()
    qtbot.waitUntil(lambda: "rate-limited until" in panel.summary.text(), timeout=3000)
    for widget in (panel.table, panel.details, panel.sync_now, panel.interval_box):
        assert widget.objectName() and widget.accessibleName()
    panel.hide()


def test_sync_now_wakes_the_selected_account(store, qloop, qtbot):  # noqa: F811
    engine = make_engine(store)
    _window, _status, panel = open_panel(qtbot, store, qloop, engine)
    first, second = store.account_ids
    for worker in engine.workers.values():
        worker._wake.clear()
    panel.table.selectRow(1)
    qtbot.mouseClick(panel.sync_now, Qt.MouseButton.LeftButton)
    assert engine.workers[second]._wake.is_set()
    assert not engine.workers[first]._wake.is_set()
    panel.hide()


def test_interval_is_saved_and_applied_to_the_running_worker(store, qloop, qtbot):  # noqa: F811
    engine = make_engine(store)
    _window, status, panel = open_panel(qtbot, store, qloop, engine)
    first, _ = store.account_ids
    panel.table.selectRow(0)
    panel.interval_box.setValue(300)
    qtbot.mouseClick(panel.interval_apply, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: status.model.index(0, COL_INTERVAL).data() == "5 min", timeout=5000)
    assert engine.workers[first].interval(StreamKind.MENTIONS) == 300.0
    with store.reader() as session:
        assert accounts.get_account(session, first).settings[SETTINGS_KEY] == 300.0
    assert "Polls every 5 min" in panel.message.text()
    panel.hide()


def test_without_an_engine_the_panel_says_sync_is_off(store, qloop, qtbot):  # noqa: F811
    _window, status = open_window(qtbot, store, qloop, None)
    status.open_panel()
    assert status.panel is not None
    assert not status.panel.sync_now.isEnabled()
    assert status.button.text() == "Sync off"
    assert status.model.index(0, COL_INTERVAL).data() == "—"
    status.panel.hide()


def test_interval_for_every_account_of_a_platform_is_kept_in_the_profile(store, qloop, qtbot):  # noqa: F811
    from desktop.domain.enums import Platform
    from desktop.sync.intervals import save_account_interval
    from ui.context import AppContext
    from ui.status_bar import PLATFORM_INTERVALS_KEY

    def second_mastodon(session):  # type: ignore[no-untyped-def]
        brand = accounts.ensure_brand(session, "Acme")
        made = accounts.add_account(
            session, brand_id=brand.id, platform=Platform.MASTODON, handle="acme_eu", base_url="x"
        )
        save_account_interval(session, made.id, 45)
        return made.id

    eu = store.run_sync(second_mastodon)
    profile = store.path.parent
    engine = make_engine(store)
    window, status = open_window(qtbot, store, qloop, engine)
    window.set_source(window.source, None, AppContext(store, qloop, engine, 1, profile))
    status.open_panel()
    panel = status.panel
    rows = {a.id: n for n, a in enumerate(status.model.accounts())}
    assert status.model.index(rows[eu], COL_INTERVAL).data() == "45 s"
    panel.table.selectRow(rows[store.account_ids[0]])
    assert panel.interval_platform.text() == "every Mastodon account"
    panel.interval_box.setValue(600)
    panel.interval_platform.setChecked(True)
    qtbot.mouseClick(panel.interval_apply, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: status.model.index(rows[eu], COL_INTERVAL).data() == "10 min", timeout=5000
    )
    first, bluesky = store.account_ids
    assert status.model.index(rows[first], COL_INTERVAL).data() == "10 min"
    assert status.model.index(rows[bluesky], COL_INTERVAL).data() == "60 s"
    with store.reader() as session:
        assert SETTINGS_KEY not in accounts.get_account(session, eu).settings
    assert window.settings.data(PLATFORM_INTERVALS_KEY) == {"mastodon": 600.0}
    panel.hide()
    # the next time the profile opens, a fresh engine polls Mastodon at the chosen interval
    fresh = make_engine(store)
    window.set_source(window.source, None, AppContext(store, qloop, fresh, 1, profile))
    assert fresh.workers[eu].interval(StreamKind.MENTIONS) == 600.0
    assert fresh.workers[bluesky].interval(StreamKind.MENTIONS) == 60.0
