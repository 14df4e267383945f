"""The status bar's sync line: per-account states in words, progress while syncing, offline and
online transitions, and the way into the sync panel."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from desktop.domain.enums import StreamKind
from desktop.domain.errors import SyncError, SyncErrorKind
from desktop.domain.inbound import Page
from desktop.store import Store, accounts
from desktop.sync.account_state import AccountState, Phase
from desktop.sync.engine import SyncEngine
from desktop.sync.memory_outbox import MemoryOutbox
from tests.desktop.sync.fake_client import FakeClient
from tests.desktop.sync.test_progress import history
from tests.desktop.sync.test_worker import MemoryInbound
from ui.context import AppContext
from ui.data_source import MemorySource, sample_row
from ui.main_window import MainWindow
from ui.models.sync_states import summary
from ui.status_bar import SyncStatus

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


class SlowInbound(MemoryInbound):
    """Stores like the real thing takes time: each page yields to the loop for `pause` s."""

    def __init__(self, pause: float) -> None:
        super().__init__()
        self.pause = pause

    async def store_page(self, account_id: int, stream: StreamKind, page: Page) -> None:
        await super().store_page(account_id, stream, page)
        await asyncio.sleep(self.pause)


@pytest.fixture
def store(tmp_path):
    s = Store.open(tmp_path / "profile" / "switchboard.sqlite3")

    def setup(session):  # type: ignore[no-untyped-def]
        from desktop.domain.enums import Platform

        brand = accounts.ensure_brand(session, "Acme")
        accounts.ensure_me(session)
        return [
            accounts.add_account(
                session, brand_id=brand.id, platform=p, handle=h, base_url="http://127.0.0.1:1"
            ).id
            for p, h in ((Platform.MASTODON, "acme"), (Platform.BLUESKY, "acme.bsky.social"))
        ]

    s.account_ids = s.run_sync(setup)  # type: ignore[attr-defined]
    yield s
    s.close()


def make_engine(store, pause: float = 0.0, pages: list[Page] | None = None) -> SyncEngine:
    engine = SyncEngine(SlowInbound(pause), MemoryOutbox())
    with store.reader() as session:
        for account in accounts.list_accounts(session):
            client = FakeClient(pages={StreamKind.MENTIONS: list(pages or [])})
            engine.add(account, client)
    return engine


def open_window(qtbot, store, qloop, engine):
    window = MainWindow(MemorySource([sample_row(1)]))
    qtbot.addWidget(window)
    status = window.sync_status  # installed by the window (ui/status_bar.py)
    assert isinstance(status, SyncStatus)
    status.set_time_zone(BERLIN)
    context = AppContext(store=store, loop=qloop, engine=engine, me_id=1)
    window.set_source(window.source, None, context)
    return window, status


# -- words ----------------------------------------------------------------------------------


def test_summary_words_in_the_users_time_zone():
    names = {1: "@acme", 2: "@acme.bsky.social", 3: "@acme_x"}
    until = datetime(2026, 11, 20, 13, 5, tzinfo=UTC)  # 14:05 in Berlin
    assert summary([AccountState(1), AccountState(2)], names, BERLIN, NOW) == (
        "All 2 accounts up to date"
    )
    limited = AccountState(1, Phase.RATE_LIMITED, until=until)
    assert summary([limited, AccountState(2)], names, BERLIN, NOW) == (
        "@acme rate-limited until 14:05"
    )
    reauth = AccountState(2, Phase.NEEDS_REAUTH, error="token revoked")
    syncing = AccountState(3, Phase.SYNCING, progress=0.42, items=12_400)
    assert summary([limited, reauth, syncing], names, BERLIN, NOW) == (
        "Syncing @acme_x 42% (12,400 items) · @acme.bsky.social needs sign-in"
        " · @acme rate-limited until 14:05"
    )
    tomorrow = AccountState(1, Phase.RATE_LIMITED, until=until + timedelta(days=1))
    assert summary([tomorrow], names, BERLIN, NOW) == "@acme rate-limited until 21 Nov 14:05"
    offline = [AccountState(1, Phase.OFFLINE), AccountState(2, Phase.OFFLINE)]
    assert summary(offline, names, BERLIN, NOW) == "All accounts offline"


# -- the window -----------------------------------------------------------------------------


def test_states_from_the_engine_reach_the_status_bar(store, qloop, qtbot):
    engine = make_engine(store)
    window, status = open_window(qtbot, store, qloop, engine)
    first, second = store.account_ids
    assert status.button.text() == "All 2 accounts up to date"
    assert window.statusBar().isAncestorOf(status)
    until = datetime.now(UTC) + timedelta(minutes=20)
    engine.states.failed(first, SyncError(SyncErrorKind.RATE_LIMITED, "429", retry_at=until))
    expected = f"@acme (Mastodon) rate-limited until {until.astimezone(BERLIN):%H:%M}"
    qtbot.waitUntil(lambda: status.button.text() == expected, timeout=3000)
    engine.states.failed(second, SyncError(SyncErrorKind.AUTH, "token revoked"))
    qtbot.waitUntil(
        lambda: "@acme.bsky.social (Bluesky) needs sign-in" in status.button.text(), timeout=3000
    )
    assert "needs sign-in" in status.button.accessibleName()
    engine.states.online(first)
    engine.states.online(second)
    qtbot.waitUntil(lambda: status.button.text() == "All 2 accounts up to date", timeout=3000)
    window.set_source(None)  # workspace closed: the engine is no longer followed
    engine.states.failed(first, SyncError(SyncErrorKind.AUTH, "x"))
    status.refresh()
    assert status.button.text() == "Sync: no workspace"


def test_offline_and_online_transitions(store, qloop, qtbot):
    engine = make_engine(store)
    window, status = open_window(qtbot, store, qloop, engine)
    first, second = store.account_ids
    # the machine loses its connection (Qt's reachability calls window.set_online)
    window.set_online(False)
    assert "Offline" in window.online_label.text()
    status.refresh()
    assert status.button.text().startswith("Offline: sync waits for the connection")
    workers = engine.workers.values()
    for worker in workers:
        worker._wake.clear()
    # ... and gets it back: every worker is woken at once, not at its next interval
    window.set_online(True)
    assert "Online" in window.online_label.text()
    assert all(w._wake.is_set() for w in workers)
    status.refresh()
    assert status.button.text() == "All 2 accounts up to date"
    # every account failing with "offline" turns the connection label offline too
    engine.states.failed(first, SyncError(SyncErrorKind.OFFLINE, "no route to host"))
    assert "Online" in window.online_label.text()  # one offline account is not the network
    engine.states.failed(second, SyncError(SyncErrorKind.OFFLINE, "no route to host"))
    qtbot.waitUntil(lambda: "Offline" in window.online_label.text(), timeout=3000)
    qtbot.waitUntil(lambda: status.button.text() == "All accounts offline", timeout=3000)
    # a pass that gets through brings it back
    engine.states.online(first)
    qtbot.waitUntil(lambda: "Online" in window.online_label.text(), timeout=3000)
    qtbot.waitUntil(
        lambda: status.button.text() == "@acme.bsky.social (Bluesky) offline", timeout=3000
    )


def test_progress_of_a_100k_history_shows_while_it_syncs(store, qloop, qtbot):
    now = datetime.now(UTC)
    pages = history(100_000, 500, start=now - timedelta(days=60), end=now)
    engine = make_engine(store, pause=0.005, pages=pages)
    _window, status = open_window(qtbot, store, qloop, engine)
    shown: list[tuple[str, bool, int]] = []
    status.refreshed.connect(
        lambda line: shown.append((line, status.bar.isVisibleTo(status), status.bar.value()))
    )
    first = store.account_ids[0]
    task = qloop.create_task(engine.workers[first].run_once())
    qtbot.waitUntil(task.done, timeout=60_000)
    assert task.result() is None
    qtbot.waitUntil(lambda: status.button.text() == "All 2 accounts up to date", timeout=3000)
    during = [s for s in shown if s[0].startswith("Syncing @acme (Mastodon) ")]
    assert len(during) >= 2, shown
    assert all(visible for _, visible, _ in during)
    values = [v for _, _, v in during]
    assert values == sorted(values) and values[-1] > values[0]
    assert " items)" in during[-1][0]
    assert not status.bar.isVisibleTo(status)  # gone once caught up
    assert len(engine.inbound.items) == 100_000  # type: ignore[attr-defined]


def test_clicking_the_sync_line_opens_the_panel(store, qloop, qtbot):
    engine = make_engine(store)
    window, status = open_window(qtbot, store, qloop, engine)
    window.show()
    qtbot.waitExposed(window)
    qtbot.mouseClick(status.button, __import__("PySide6.QtCore").QtCore.Qt.MouseButton.LeftButton)
    assert status.panel is not None
    qtbot.waitUntil(status.panel.isVisible, timeout=3000)
    assert status.panel.objectName() == "syncPanel"
    status.panel.hide()
