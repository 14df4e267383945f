from __future__ import annotations

from datetime import UTC, datetime, timedelta

from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtWidgets import QTableView

from ui.data_source import InboxFilter, MemorySource, sample_row
from ui.models.conversation_list import (
    COL_AGE,
    COL_CUSTOMER,
    OWN_POST,
    ConversationListModel,
    IdRole,
    age_text,
)

NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


def _model(source: MemorySource) -> ConversationListModel:
    model = ConversationListModel(source, clock=lambda: NOW)
    model.set_ids(source.ids(InboxFilter()))
    return model


def test_qtmodeltester(qtmodeltester, memory_source):
    model = _model(memory_source)
    qtmodeltester.check(model, force_py=True)


def test_modeltester_through_updates(qtmodeltester, memory_source):
    model = _model(memory_source)
    qtmodeltester.check(model, force_py=True)
    # insert, remove, reorder while the tester watches every signal
    model.set_ids([99, *model.ids()])
    model.set_ids([i for i in model.ids() if i not in (3, 4, 7)])
    model.set_ids([*list(reversed(model.ids())), 100])
    model.refresh([5, 6])
    model.tick()
    model.set_ids([])


def test_rows_are_fetched_lazily_and_only_for_a_window():
    source = MemorySource([sample_row(i, minutes_ago=i) for i in range(1, 5001)])
    model = _model(source)
    assert model.rowCount() == 5000
    assert source.row_fetches == 0  # ids only
    model.data(model.index(2500, COL_CUSTOMER))
    model.data(model.index(2501, COL_CUSTOMER))
    assert source.row_fetches == 1  # one window fetch served both rows
    assert model.cached_row(model.id_at(2500)) is not None
    assert model.cached_row(model.id_at(0)) is None


def test_display_text():
    source = MemorySource([sample_row(1, minutes_ago=90, customer="Jane Doe", now=NOW)])
    model = _model(source)
    assert model.data(model.index(0, COL_CUSTOMER)) == "● Jane Doe"
    assert model.data(model.index(0, COL_AGE)) == "1h"
    assert model.data(model.index(0, 0), IdRole) == 1
    assert model.data(model.index(0, COL_CUSTOMER), Qt.ItemDataRole.FontRole).bold()


def test_age_text():
    assert age_text(None, NOW) == ""
    assert age_text(NOW - timedelta(seconds=5), NOW) == "now"
    assert age_text(NOW - timedelta(minutes=5), NOW) == "5m"
    assert age_text(NOW - timedelta(hours=3), NOW) == "3h"
    assert age_text(NOW - timedelta(days=2), NOW) == "2d"
    assert age_text(NOW - timedelta(days=30), NOW) == "4w"


def _view(qtbot, model: ConversationListModel) -> QTableView:
    view = QTableView()
    qtbot.addWidget(view)
    view.setModel(model)
    view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QTableView.SelectionMode.SingleSelection)
    return view


def _select(view: QTableView, row: int) -> None:
    flags = (
        QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
    )
    view.selectionModel().setCurrentIndex(view.model().index(row, 0), flags)


def _selected_id(view: QTableView) -> int | None:
    rows = view.selectionModel().selectedRows()
    return rows[0].data(IdRole) if len(rows) == 1 else None


def test_new_id_at_the_top_keeps_the_selection(qtbot, memory_source):
    model = _model(memory_source)
    view = _view(qtbot, model)
    _select(view, 3)
    chosen = _selected_id(view)
    assert chosen is not None
    memory_source.put(sample_row(500, minutes_ago=0))
    model.set_ids(memory_source.ids(InboxFilter()))
    assert model.id_at(0) == 500
    assert _selected_id(view) == chosen
    assert view.selectionModel().currentIndex().row() == 4


def test_reorder_and_removal_keep_the_selection(qtbot, memory_source):
    model = _model(memory_source)
    view = _view(qtbot, model)
    _select(view, 5)
    chosen = _selected_id(view)
    ids = model.ids()
    # the bottom conversation gets a new message (moves to the top), another one vanishes
    moved, vanished = ids[-1], ids[0]
    new = [moved] + [i for i in ids if i not in (moved, vanished)]
    model.set_ids(new)
    assert model.ids() == new
    assert _selected_id(view) == chosen
    assert model.row_of(chosen) == view.selectionModel().currentIndex().row()


def test_refresh_refetches_only_named_rows(memory_source):
    model = _model(memory_source)
    for r in range(model.rowCount()):
        model.data(model.index(r, COL_CUSTOMER))
    fetches = memory_source.row_fetches
    target = model.id_at(2)
    memory_source.put(sample_row(target, minutes_ago=55, customer="Renamed"))
    model.refresh([target])
    assert model.cached_row(target) is None
    assert model.cached_row(model.id_at(3)) is not None
    assert model.data(model.index(2, COL_CUSTOMER)) == "● Renamed"
    assert memory_source.row_fetches == fetches + 1


def test_a_conversation_moving_to_the_top_is_a_row_move(qtbot, qtmodeltester):
    source = MemorySource([sample_row(i, minutes_ago=i) for i in range(1, 301)])
    model = _model(source)
    qtmodeltester.check(model, force_py=True)
    view = _view(qtbot, model)
    _select(view, 200)
    chosen = _selected_id(view)
    moves = []
    model.rowsMoved.connect(lambda *args: moves.append(args))
    resets = []
    model.modelReset.connect(lambda: resets.append(1))
    # the selected conversation gets a new message and a new conversation arrives with it
    ids = model.ids()
    model.set_ids([9001, chosen, *[i for i in ids if i != chosen]])
    assert model.ids()[:2] == [9001, chosen]
    assert len(moves) == 1 and not resets
    assert _selected_id(view) == chosen
    assert view.selectionModel().currentIndex().row() == 1
    # and back down again
    ids = model.ids()
    model.set_ids([*ids[:1], *ids[2:150], chosen, *ids[150:]])
    assert _selected_id(view) == chosen
    assert model.id_at(view.selectionModel().currentIndex().row()) == chosen


def test_prefix_and_suffix_helpers():
    from ui.models.conversation_list import _common_prefix, _common_suffix

    a = list(range(10_000))
    b = [*a[:5000], -1, *a[5000:]]
    assert _common_prefix(a, b) == 5000
    assert _common_suffix(a, b, 5000) == 5000
    assert _common_prefix(a, a[:3]) == 3
    assert _common_suffix([1, 2], [1, 2], 0) == 0


def test_a_thread_of_only_our_own_post_says_so_instead_of_a_blank_name():
    from dataclasses import replace

    row = replace(sample_row(1, now=NOW), customer_name="", customer_handle="", unread=False)
    model = _model(MemorySource([row]))
    assert model.data(model.index(0, COL_CUSTOMER)) == OWN_POST
