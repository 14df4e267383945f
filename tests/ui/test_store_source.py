"""The window over the real store: StoreSource reads, writes through the writer thread, and
change records come back over the bus to refresh the list."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from PySide6.QtCore import Qt

from desktop.demo.generator import generate
from desktop.domain.enums import ConversationStatus
from desktop.store import Store
from tests.ui.conftest import counts, show_active
from ui.data_source import InboxFilter, StoreSource, View, snooze_until
from ui.main_window import MainWindow


@pytest.fixture
def store(tmp_path):
    s = Store.open(tmp_path / "switchboard.sqlite3")
    generate(s, 300, seed=3)
    yield s
    s.close()


def test_store_source_reads(store, qloop):
    source = StoreSource(store, qloop)
    assert source.me_id is not None
    ids = source.ids(InboxFilter())
    assert len(ids) == source.view_counts()[View.ALL] > 0
    rows = source.rows(ids[:5])
    assert [r.id for r in rows] == ids[:5]
    thread = source.thread(ids[0])
    assert thread and all(m.text for m in thread)
    assert source.outbox_count() >= 0
    assert source.search("refund")


def test_resolve_through_the_store_updates_the_window(store, qloop, qtbot):
    source = StoreSource(store, qloop)
    window = MainWindow(source)
    qtbot.addWidget(window)
    show_active(qtbot, window)
    window.go(View.NEEDS_REPLY)
    window.select_row(0)
    window.table.setFocus()
    first, second = window.model.id_at(0), window.model.id_at(1)
    before = counts(qtbot, window)[View.RESOLVED]
    qtbot.keyClick(window.table, Qt.Key.Key_E)
    qtbot.waitUntil(lambda: first not in window.model.ids(), timeout=5000)
    assert window.current_id() == second
    assert counts(qtbot, window)[View.RESOLVED] == before + 1
    with store.reader() as session:
        from desktop.store import conversations

        assert conversations.get(session, first).status is ConversationStatus.RESOLVED
    window.close()


def test_snooze_wakes_next_morning():
    assert snooze_until(datetime(2026, 11, 3, 22, 15, tzinfo=UTC)) == datetime(
        2026, 11, 4, 9, 0, tzinfo=UTC
    )
