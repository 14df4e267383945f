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
