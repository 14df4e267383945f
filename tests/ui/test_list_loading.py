"""The list loads its first rows and more as the user scrolls, so a re-query at 1M messages
costs the same as at 300; a jump to a conversation further down loads down to it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from PySide6.QtCore import QModelIndex

from tests.ui.conftest import show_active
from ui.data_source import MemorySource, sample_row
from ui.main_window import LOAD_ROWS, MainWindow
from ui.models.conversation_list import RESET_ABOVE, ConversationListModel

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
N = 2 * LOAD_ROWS + 500


@pytest.fixture
def big_source() -> MemorySource:
    return MemorySource([sample_row(i, minutes_ago=i, now=NOW) for i in range(1, N + 1)])


@pytest.fixture
def window(qtbot, big_source):
    w = MainWindow(big_source)
    qtbot.addWidget(w)
    show_active(qtbot, w)
    return w


def test_only_the_first_page_of_ids_is_read(window, big_source):
    assert window.model.rowCount() == LOAD_ROWS
    assert LOAD_ROWS + 1 in big_source.id_queries  # one more: are there further rows?
    assert window.model.canFetchMore()
    assert window.counts  # the views' counts still count everything
    assert max(window.counts.values()) == N


def test_scrolling_to_the_end_loads_more_and_a_requery_keeps_them(window, big_source, qtbot):
    window.table.scrollToBottom()
    qtbot.waitUntil(lambda: window.model.rowCount() >= 2 * LOAD_ROWS, timeout=3000)
    window.model.fetchMore(QModelIndex())
    assert window.model.rowCount() == N and not window.model.canFetchMore()
    big_source.put(sample_row(N + 1, minutes_ago=-1, now=NOW))  # a new conversation arrives
    window.requery()
    assert window.model.rowCount() == N + 1
    assert window.model.id_at(0) == N + 1


def test_another_view_starts_from_its_first_page(window, big_source):
    window.model.fetchMore(QModelIndex())
    assert window.model.rowCount() == 2 * LOAD_ROWS
    window._sort_chosen(next(s for s in type(window.sort) if s is not window.sort))
    assert window.model.rowCount() == LOAD_ROWS


def test_selecting_a_conversation_further_down_loads_down_to_it(window):
    far = N - 3  # ids are in newest-first order: the oldest are at the bottom
    assert window.model.row_of(far) is None
    assert window.select_id(far)
    assert window.current_id() == far
    assert window.model.rowCount() >= window.model.row_of(far) + 1


def test_a_different_list_resets_instead_of_diffing_row_by_row(qtbot, qtmodeltester):
    source = MemorySource([sample_row(i, now=NOW) for i in range(1, 3 * RESET_ABOVE)])
    model = ConversationListModel(source)
    first = list(range(1, RESET_ABOVE + 2))
    model.set_ids(first)
    removed: list[tuple[int, int]] = []
    model.rowsRemoved.connect(lambda _p, a, b: removed.append((a, b)))
    with qtbot.waitSignal(model.modelReset, timeout=1000):
        model.set_ids([i for i in range(3 * RESET_ABOVE - 1, 0, -2)])  # other ids, other order
    assert removed == []
    qtmodeltester.check(model)
