"""The reports window over the hand-worked workspace of tests/desktop/store/test_reports.py:
it shows the same figures, in tiles, charts and tables, filters re-compute, CSV exports."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QWidget

from desktop.store import Store
from tests.desktop.store.test_reports import NOW, ids  # noqa: F401  (the hand-worked fixture)
from ui.reports import tables
from ui.reports.table_model import ReportTableModel
from ui.reports.window import ReportsWindow


@pytest.fixture
def store(tmp_path: Path) -> Store:
    s = Store.open(tmp_path / "profile" / "switchboard.sqlite3")
    yield s  # type: ignore[misc]
    s.close()


@pytest.fixture
def window(qtbot, store: Store, ids) -> ReportsWindow:  # type: ignore[no-untyped-def]  # noqa: F811
    w = ReportsWindow(store, clock=lambda: NOW)
    qtbot.addWidget(w)
    with qtbot.waitSignal(w.report_ready, timeout=10_000):
        w.set_range(date(2026, 3, 23), date(2026, 3, 31))
    return w


def _cells(w: ReportsWindow, key: str) -> list[list[str]]:
    model = w.sections[key].model
    return [
        [model.index(r, c).data() for c in range(model.columnCount())]
        for r in range(model.rowCount())
    ]


def test_tiles_show_the_hand_worked_figures(window: ReportsWindow) -> None:
    t = window.tile_widgets
    assert t["inbound"].value.text() == "6"
    assert t["inbound"].detail.text() == "3 replies sent"
    assert t["responseRate"].value.text() == "60.0 %"
    assert t["responseRate"].detail.text() == "3 of 5 conversations"
    # business-hours first response [1200, 3000, 7200]: median 50 min, p90 2 h
    assert t["firstResponse"].value.text() == "50 min"
    assert t["firstResponse"].detail.text() == "median · p90 2 h"
    assert t["firstResponseWall"].detail.text() == "median · p90 2 d 15 h"
    assert t["withinTarget"].value.text() == "40.0 %"
    assert t["resolution"].value.text() == "2 h"
    assert t["sentiment"].value.text().count("→") == 1
    assert "computed in" in window.status.text()


def test_each_chart_has_its_table(window: ReportsWindow) -> None:
    daily = _cells(window, "daily")
    assert [row[0] for row in daily] == [f"2026-03-{d}" for d in (24, 25, 26, 27, 28, 30)]
    assert [(row[1], row[2]) for row in daily][:2] == [("1", "0"), ("1", "1")]
    assert window.daily_chart.has_data() and len(window.daily_chart.days) == 6
    hours = _cells(window, "hours")
    assert hours[0][0] == "Mon" and hours[0][1 + 10] == "1"  # A at 10:00 CEST
    assert hours[4][1 + 16] == "1"  # A on Friday 16:30 CET
    assert window.heat_chart.cells == window.report.heat  # type: ignore[union-attr]
    sentiment = dict((row[0], row[1]) for row in _cells(window, "sentiment"))
    assert sentiment["Improved"] == "1" and sentiment["Conversations compared"] == "1"
    assert window.sentiment_chart.has_data()
    assert _cells(window, "customers")[0] == ["Customer 1", "2", "1"]
    platforms = {row[0]: row[1:4] for row in _cells(window, "platforms")}
    assert platforms == {"Mastodon": ["4", "2", "50.0 %"], "X": ["1", "1", "100.0 %"]}
    brands = {row[0]: row[1:3] for row in _cells(window, "brands")}
    assert brands == {"Acme": ["4", "2"], "Globex": ["1", "1"]}
    assert [row[0] for row in _cells(window, "accounts")] == [
        "Acme · mastodon @acme",
        "Globex · x @globex",
    ]
    assert _cells(window, "posts") == [["1", "3", "2", "10", "3.00", "2.00", "10.00"]]
    summary = dict((row[0], row[1]) for row in _cells(window, "summary"))
    assert summary["First response (wall clock), median"] == "2 h"
    assert summary["Resolution time, 90th percentile"] == "2 h"


def test_filters_recompute_off_the_ui_thread(qtbot, window: ReportsWindow) -> None:  # type: ignore[no-untyped-def]
    box = window.platform_box
    with qtbot.waitSignal(window.report_ready, timeout=10_000) as got:
        box.setCurrentIndex(box.findData("x"))
    r = got.args[0]
    assert (r.inbound, r.replies_sent, r.response.conversations) == (1, 1, 1)
    assert window.tile_widgets["inbound"].value.text() == "1"
    with qtbot.waitSignal(window.report_ready, timeout=10_000) as got:
        window.colleague_box.setCurrentIndex(window.colleague_box.findText("Tom"))
    assert got.args[0].filter.agent_id is not None
    assert [b.label for b in window.options.brands] == ["Acme", "Globex"]


def test_a_stale_answer_is_dropped(qtbot, window: ReportsWindow) -> None:  # type: ignore[no-untyped-def]
    shown = []
    window.report_ready.connect(shown.append)
    window.refresh()
    window.refresh()  # the first answer is now stale
    qtbot.waitUntil(lambda: bool(shown), timeout=10_000)
    qtbot.wait(200)
    assert len(shown) == 1


def test_csv_export_of_every_table(qtbot, window: ReportsWindow, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    for key in window.sections:
        path = tmp_path / f"{key}.csv"
        window.export_csv(key, path)
        rows = list(csv.reader(path.open(encoding="utf-8")))
        assert rows[0] == [c.csv_title for c in window.tables[key].columns]
        assert len(rows) == 1 + len(window.tables[key].rows)
    daily = list(csv.reader((tmp_path / "daily.csv").open(encoding="utf-8")))
    assert daily[1] == ["2026-03-24", "1", "0"]
    summary = {r[0]: r[1] for r in csv.reader((tmp_path / "summary.csv").open(encoding="utf-8"))}
    # raw values for spreadsheets: seconds and ratios, not "50 min" and "60.0 %"
    assert summary["Response rate"] == "0.6"
    assert summary["First response (business hours), median"] == "3000.0"


def test_the_export_button_asks_where_without_exec(
    qtbot, window: ReportsWindow, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    qtbot.mouseClick(window.sections["hours"].export, Qt.MouseButton.LeftButton)
    dialog = window.findChild(QFileDialog, "csvDialog")
    assert dialog is not None and dialog.isVisible()
    assert dialog.selectedFiles()[0].endswith("switchboard-hours-2026-03-23-2026-03-31.csv")
    target = tmp_path / "hours.csv"
    dialog.fileSelected.emit(str(target))
    assert target.read_text(encoding="utf-8").startswith("weekday,00:00,01:00")
    dialog.reject()


def test_every_interactive_widget_is_named(qtbot, window: ReportsWindow) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QAbstractButton, QAbstractSlider

    window.show()
    qtbot.waitExposed(window)
    missing = []
    for n in range(window.tabs.count()):
        window.tabs.setCurrentIndex(n)
        for w in [window, *window.findChildren(QWidget)]:
            if not w.isVisibleTo(window):
                continue
            if not isinstance(w, QAbstractSlider | QAbstractButton) and (
                w.focusPolicy() == Qt.FocusPolicy.NoFocus
            ):
                continue
            if not w.objectName() or not w.accessibleName():
                parent = w.parent()
                missing.append(f"{type(w).__name__}({w.objectName()!r}, {parent.objectName()!r})")
    assert not missing, sorted(set(missing))


def test_table_text_and_csv_agree_on_a_report(window: ReportsWindow) -> None:
    r = window.report
    assert r is not None
    table = tables.by_colleague(r)
    assert table.rows[0][0] == "Unassigned" and table.text(0, 3) == "50.0 %"
    assert table.csv().splitlines()[1].startswith("Unassigned,4,2,0.5,")


def test_qtmodeltester_on_every_report_table(qtmodeltester, window: ReportsWindow) -> None:  # type: ignore[no-untyped-def]
    for section in window.sections.values():
        qtmodeltester.check(section.model, force_py=True)
    empty = ReportTableModel()
    qtmodeltester.check(empty, force_py=True)
    empty.set_table(window.tables["hours"])
    assert empty.columnCount() == 25 and empty.rowCount() == 7


def test_tools_reports_opens_the_window_for_the_open_workspace(qtbot, store: Store, ids) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    import asyncio

    from ui.context import AppContext
    from ui.data_source import StoreSource
    from ui.main_window import MainWindow

    main = MainWindow()
    qtbot.addWidget(main)
    action = main.reports_action
    assert action in main.tools_menu.actions() and not action.isEnabled()
    loop = asyncio.new_event_loop()
    try:
        context = AppContext(store=store, loop=loop)
        main.set_source(StoreSource(store, loop), None, context)
        assert action.isEnabled()
        action.trigger()
        reports_window = main.reports_window
        assert isinstance(reports_window, ReportsWindow) and reports_window.isVisible()
        qtbot.waitUntil(lambda: reports_window.report is not None, timeout=10_000)
        action.trigger()  # a second time: the same window comes to the front
        assert main.reports_window is reports_window
        reports_window.refresh()
        reports_window.close()  # closed while computing, then opened again: computes again
        with qtbot.waitSignal(reports_window.report_ready, timeout=10_000):
            action.trigger()
        assert main.reports_window is reports_window and reports_window.isVisible()
        main.set_source(None)  # the workspace closed: its reports go with it
        assert main.reports_window is None and not action.isEnabled()
    finally:
        loop.close()


def test_charts_paint_every_tab_and_explain_a_point(qtbot, window: ReportsWindow) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtCore import QPoint

    from ui.reports.charts import nice_axis

    window.show()
    qtbot.waitExposed(window)
    for n in range(window.tabs.count()):
        window.tabs.setCurrentIndex(n)
        assert not window.grab().isNull()
    heat = window.heat_chart
    window.tabs.setCurrentIndex(1)
    plot, cw, ch = heat._grid()
    monday_10 = QPoint(int(plot.left() + 10.5 * cw), int(plot.top() + 0.5 * ch))
    assert heat.tip_at(monday_10) == "Mon 10:00–11:00: 1 inbound"
    daily = window.daily_chart
    window.tabs.setCurrentIndex(0)
    first = daily._plot()
    tip = daily.tip_at(QPoint(int(first.left() + 2), int(first.center().y())))
    assert tip == "2026-03-24: 1 inbound, 0 replies"
    assert nice_axis(37) == (50.0, 5) and nice_axis(12) == (20.0, 4) and nice_axis(3) == (5.0, 5)
