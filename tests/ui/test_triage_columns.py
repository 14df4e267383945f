"""The list's Due and Priority columns: wording, colour, the reasons as a tooltip, sorting."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from PySide6.QtCore import Qt

from desktop.domain.enums import Platform
from desktop.domain.triage.priority import NEGATIVE, PUBLIC, WAITING, Reason
from desktop.store import Store, accounts, triage
from desktop.store.ingest import ingest
from tests.desktop.store.factories import T0, customer, item
from ui.data_source import InboxFilter, MemorySource, Sort, StoreSource, sample_row
from ui.models.conversation_list import (
    COL_DUE,
    COL_PRIORITY,
    OVERDUE_COLOR,
    ConversationListModel,
)

NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
REASONS = (
    Reason(WAITING, 25, "overdue 1 h 5 min"),
    Reason(NEGATIVE, 20.5, "Negative tone (-0.62)"),
    Reason(PUBLIC, 15, "Public complaint: others can see it"),
)


def _source() -> MemorySource:
    overdue = replace(
        sample_row(1, minutes_ago=130, now=NOW),
        priority=60.5,
        due_at=NOW - timedelta(hours=1, minutes=5),
        reasons=REASONS,
    )
    soon = replace(
        sample_row(2, minutes_ago=48, now=NOW),
        priority=5,
        due_at=NOW + timedelta(minutes=12),
        reasons=(Reason(PUBLIC, 5, "Public: others can see it"),),
    )
    answered = sample_row(3, minutes_ago=1, now=NOW, needs_reply=False)
    return MemorySource([overdue, soon, answered])


def _model(source: MemorySource, sort: Sort = Sort.NEWEST) -> ConversationListModel:
    model = ConversationListModel(source, clock=lambda: NOW)
    model.set_ids(source.ids(InboxFilter(), sort))
    return model


def test_qtmodeltester_with_triage_columns(qtmodeltester) -> None:  # type: ignore[no-untyped-def]
    model = _model(_source())
    qtmodeltester.check(model, force_py=True)
    model.tick()


def test_due_wording_and_overdue_colour() -> None:
    model = _model(_source(), Sort.DUE)
    assert model.ids() == [1, 2, 3]
    due = [model.data(model.index(r, COL_DUE)) for r in range(3)]
    assert due == ["overdue 1 h 5 min", "due in 12 min", ""]
    assert model.data(model.index(0, COL_DUE), Qt.ItemDataRole.ForegroundRole) == OVERDUE_COLOR
    assert model.data(model.index(1, COL_DUE), Qt.ItemDataRole.ForegroundRole) is None
    assert model.headerData(COL_DUE, Qt.Orientation.Horizontal) == "Due"


def test_priority_shows_the_score_and_its_reasons_as_tooltip() -> None:
    model = _model(_source(), Sort.PRIORITY)
    assert model.ids() == [1, 2, 3]
    assert model.data(model.index(0, COL_PRIORITY)) == "60"
    assert model.data(model.index(2, COL_PRIORITY)) == ""
    tip = model.data(model.index(0, COL_PRIORITY), Qt.ItemDataRole.ToolTipRole)
    assert tip.splitlines() == [
        "Priority 60.5",
        "+25  Overdue 1 h 5 min",
        "+20.5  Negative tone (-0.62)",
        "+15  Public complaint: others can see it",
    ]
    # the Due cell explains itself the same way; screen readers get it on one line
    assert model.data(model.index(0, COL_DUE), Qt.ItemDataRole.ToolTipRole) == tip
    spoken = model.data(model.index(0, COL_PRIORITY), Qt.ItemDataRole.AccessibleTextRole)
    assert spoken.startswith("Priority 60.5, +25  Overdue")


def test_the_waiting_reason_ages_with_the_clock() -> None:
    clock = [NOW]
    model = ConversationListModel(_source(), clock=lambda: clock[0])
    model.set_ids([2])
    assert model.data(model.index(0, COL_DUE)) == "due in 12 min"
    clock[0] = NOW + timedelta(minutes=20)
    model.tick()
    assert model.data(model.index(0, COL_DUE)) == "overdue 8 min"


def test_store_rows_carry_due_time_and_reasons(tmp_path: Path) -> None:
    with Store.open(tmp_path / "s.sqlite3") as store:

        def seed(s):  # type: ignore[no-untyped-def]
            brand = accounts.ensure_brand(s, "Acme")
            accounts.ensure_me(s)
            acc = accounts.add_account(
                s, brand_id=brand.id, platform=Platform.MASTODON, handle="acme",
                base_url="http://127.0.0.1:1/mastodon",
            )  # fmt: skip
            batch = [item("1", "I want a refund, awful", who=customer(1))]
            result = ingest(s, acc.id, batch)
            triage.recompute_for_conversations(s, result.conversation_ids, T0)

        store.run_sync(seed)
        source = StoreSource(store)
        monday_9_30 = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
        model = ConversationListModel(source, clock=lambda: monday_9_30)
        model.set_ids(source.ids(InboxFilter(), Sort.DUE))
        assert model.data(model.index(0, COL_DUE)) == "due in 30 min"
        tip = model.data(model.index(0, COL_PRIORITY), Qt.ItemDataRole.ToolTipRole)
        assert "Urgent words: refund" in tip and "Negative tone" in tip


def test_the_sort_box_sorts_the_window_by_due_time_and_by_priority(qtbot) -> None:  # type: ignore[no-untyped-def]
    from ui.main_window import MainWindow

    source = _source()
    # the answered conversation is the newest: the default order puts it first
    window = MainWindow(source)
    qtbot.addWidget(window)
    assert window.model.ids()[0] == 3
    box = window.sort_box
    labels = [box.itemText(i) for i in range(box.count())]
    assert "Priority" in labels and "Due soonest" in labels
    box.setCurrentIndex(box.findData(Sort.DUE.value))
    assert window.sort is Sort.DUE and window.model.ids() == [1, 2, 3]
    source.put(replace(source.rows([2])[0], priority=99.0))
    box.setCurrentIndex(box.findData(Sort.PRIORITY.value))
    assert window.model.ids() == [2, 1, 3]


def test_an_opened_profile_is_backfilled_and_kept_current(tmp_path: Path) -> None:
    import argparse
    import asyncio

    from desktop.store.paths import database_path
    from ui.workspace import open_workspace

    with Store.open(database_path(tmp_path)) as store:

        def seed(s):  # type: ignore[no-untyped-def]
            brand = accounts.ensure_brand(s, "Acme")
            accounts.ensure_me(s)
            acc = accounts.add_account(
                s, brand_id=brand.id, platform=Platform.MASTODON, handle="acme",
                base_url="http://127.0.0.1:1/mastodon",
            )  # fmt: skip
            ingest(s, acc.id, [item("1", "refund please", who=customer(1))])  # no triage

        store.run_sync(seed)

    async def go() -> int:
        workspace = await open_workspace(argparse.Namespace(demo=False, profile=tmp_path))
        try:
            store = workspace.context.store
            for _ in range(200):
                with store.reader() as s:
                    n = triage.triage_for(s, [1])
                if n:
                    return len(n)
                await asyncio.sleep(0.02)
            return 0
        finally:
            await workspace.close()

    assert asyncio.run(go()) == 1
