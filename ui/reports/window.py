"""The reports window: a date range and filters, figure tiles, charts each with its table, and
CSV export of every table.

The report is computed on a worker thread on its own reader connection (SQLite releases the
GIL while it reads), and handed back through a queued signal, so the window never blocks
the UI thread; a newer request makes an older answer stale (dropped by generation number).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from functools import partial
from pathlib import Path

from PySide6.QtCore import QDate, QObject, Qt, Signal
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QFileDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.enums import Platform
from desktop.domain.triage.sentiment import LANGUAGE_NOTE
from desktop.store import reports
from desktop.store.db import Store
from desktop.store.reports import Report, ReportFilter, ReportOptions
from ui.naming import named
from ui.reports import tables
from ui.reports.charts import Chart, DailyBars, HeatMap, SentimentBars
from ui.reports.table_model import ReportTableModel

DEFAULT_DAYS = 30
Clock = Callable[[], datetime]


class _Bridge(QObject):
    """Carries a finished computation from the worker thread to the UI thread (queued)."""

    finished = Signal(int, object, float)  # generation, Report | Exception, seconds


class TableSection(QWidget):
    """A report table with its title and an "Export CSV…" button."""

    export_requested = Signal(str)  # table key

    def __init__(self, key: str, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.key = key
        self.setObjectName(f"section_{key}")
        self.model = ReportTableModel(parent=self)
        self.title = QLabel(title)
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        self.view = named(QTableView(), f"table_{key}", f"{title} table")
        self.view.setModel(self.model)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setAlternatingRowColors(True)
        self.view.verticalHeader().hide()
        named(self.view.horizontalHeader(), f"header_{key}", f"{title} columns")
        for bar in (self.view.verticalScrollBar(), self.view.horizontalScrollBar()):
            named(bar, f"scroll_{key}", f"Scroll {title}")
        self.view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.export = named(QPushButton("Export CSV…"), f"export_{key}", f"Export {title} as CSV")
        self.export.clicked.connect(lambda: self.export_requested.emit(self.key))
        head = QHBoxLayout()
        head.addWidget(self.title, 1)
        head.addWidget(self.export)
        col = QVBoxLayout(self)
        col.setContentsMargins(0, 0, 0, 0)
        col.addLayout(head)
        col.addWidget(self.view, 1)


class FigureTile(QFrame):
    def __init__(self, key: str, label: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(f"tile_{key}")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.label = QLabel(label)
        self.value = QLabel("—")
        self.detail = QLabel("")
        for w in (self.label, self.value, self.detail):
            w.setTextFormat(Qt.TextFormat.PlainText)
        font = self.value.font()
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        self.value.setFont(font)
        col = QVBoxLayout(self)
        col.setContentsMargins(10, 6, 10, 6)
        col.addWidget(self.label)
        col.addWidget(self.value)
        col.addWidget(self.detail)

    def show_tile(self, tile: tables.Tile) -> None:
        self.value.setText(tile.value)
        self.detail.setText(tile.detail)
        self.setAccessibleName(f"{tile.label}: {tile.value}, {tile.detail}")
        self.setToolTip(f"{tile.label}: {tile.value}\n{tile.detail}")


class ReportsWindow(QWidget):
    """Top-level window; `report_ready(Report)` after each computation lands."""

    report_ready = Signal(object)

    def __init__(
        self, store: Store, *, clock: Clock | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        named(self, "reportsWindow", "Reports")
        self.setWindowTitle("Reports — Switchboard")
        self.store = store
        self._clock = clock or (lambda: datetime.now(UTC))
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="reports")
        # closing only hides the window (Tools > Reports… shows it again); the worker goes
        # when the window is deleted
        self.destroyed.connect(partial(_shutdown, self._executor))
        self._bridge = _Bridge(self)
        self._bridge.finished.connect(self._finished)
        self._generation = 0
        self._dropped = False  # an answer was dropped by closing the window
        self._loading = False  # while filling the combos: no report per added item
        self.report: Report | None = None
        self.tables: dict[str, tables.Table] = {}
        self.elapsed: float | None = None
        self.dialog: QFileDialog | None = None
        self._build()
        self.load_options()
        self.refresh()
        self.resize(1180, 820)

    # -- building ---------------------------------------------------------------------------
    def _build(self) -> None:
        self.start_edit = self._date_edit("reportStart", "From date")
        self.end_edit = self._date_edit("reportEnd", "To date (inclusive)")
        self.brand_box = named(QComboBox(), "reportBrand", "Brand")
        self.account_box = named(QComboBox(), "reportAccount", "Account")
        self.platform_box = named(QComboBox(), "reportPlatform", "Platform")
        self.colleague_box = named(QComboBox(), "reportColleague", "Colleague")
        self.refresh_button = named(QPushButton("Refresh"), "reportRefresh", "Refresh report")
        self.refresh_button.clicked.connect(self.refresh)
        refresh_key = QShortcut(QKeySequence("F5"), self, self.refresh)
        refresh_key.setObjectName("shortcut_reportRefresh")
        bar = QHBoxLayout()
        for label, widget in (
            ("From", self.start_edit),
            ("to", self.end_edit),
            ("Brand", self.brand_box),
            ("Account", self.account_box),
            ("Platform", self.platform_box),
            ("Colleague", self.colleague_box),
        ):
            text = QLabel(label)
            text.setBuddy(widget)
            bar.addWidget(text)
            bar.addWidget(widget)
        bar.addStretch(1)
        bar.addWidget(self.refresh_button)
        for box in (self.brand_box, self.account_box, self.platform_box, self.colleague_box):
            box.currentIndexChanged.connect(lambda _i: self._filters_changed())
            named(box.view(), f"{box.objectName()}Popup", box.accessibleName())
        for edit in (self.start_edit, self.end_edit):
            edit.dateChanged.connect(lambda _d: self._filters_changed())

        self.status = named(QLabel(""), "reportStatus", "Report status")
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.status.setWordWrap(True)

        self.tile_widgets: dict[str, FigureTile] = {}
        tiles_row = QGridLayout()
        placeholder = tables.tiles(_empty_report())
        for n, tile in enumerate(placeholder):
            widget = FigureTile(tile.key, tile.label)
            self.tile_widgets[tile.key] = widget
            tiles_row.addWidget(widget, 0, n)

        self.sections: dict[str, TableSection] = {}
        self.daily_chart = named(DailyBars(), "chartDaily", "Messages per day chart")
        self.heat_chart = named(HeatMap(), "chartHours", "Busiest hours heat map")
        self.sentiment_chart = named(
            SentimentBars(), "chartSentiment", "Sentiment before and after chart"
        )
        self.tabs = named(QTabWidget(), "reportTabs", "Report sections")
        self.tabs.addTab(self._with_chart(self.daily_chart, "daily"), "Volume")
        self.tabs.addTab(self._with_chart(self.heat_chart, "hours", vertical=True), "Busiest hours")
        sentiment_tab = self._with_chart(self.sentiment_chart, "sentiment")
        sentiment_tab.setToolTip(LANGUAGE_NOTE)
        self.tabs.addTab(sentiment_tab, "Sentiment")
        self.tabs.addTab(self._section("customers"), "Top customers")
        breakdowns = QWidget()
        grid = QGridLayout(breakdowns)
        for n, key in enumerate(("brands", "accounts", "platforms", "colleagues")):
            grid.addWidget(self._section(key), n // 2, n % 2)
        self.tabs.addTab(breakdowns, "Brands, accounts, platforms, colleagues")
        self.tabs.addTab(self._section("posts"), "Own posts")
        self.tabs.addTab(self._section("summary"), "All figures")
        named(self.tabs.tabBar(), "reportTabBar", "Report sections")

        col = QVBoxLayout(self)
        col.addLayout(bar)
        col.addLayout(tiles_row)
        col.addWidget(self.status)
        col.addWidget(self.tabs, 1)

    def _date_edit(self, name: str, accessible: str) -> QDateEdit:
        edit = named(QDateEdit(), name, accessible)
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("yyyy-MM-dd")
        inner = edit.findChild(QLineEdit)
        if inner is not None:  # the spin box's editor takes the focus: name it too
            inner.setAccessibleName(accessible)
        return edit

    def _section(self, key: str) -> TableSection:
        titles = {
            "daily": "Messages per day",
            "hours": "Inbound by weekday and local hour",
            "sentiment": "Sentiment before and after our replies",
            "customers": "Top customers by conversations",
            "brands": "By brand",
            "accounts": "By account",
            "platforms": "By platform",
            "colleagues": "By colleague (assignee)",
            "posts": "The brand's own posts",
            "summary": "All figures",
        }
        section = TableSection(key, titles[key])
        section.export_requested.connect(self.choose_csv_file)
        self.sections[key] = section
        return section

    def _with_chart(self, chart: Chart, key: str, vertical: bool = False) -> QSplitter:
        orientation = Qt.Orientation.Vertical if vertical else Qt.Orientation.Horizontal
        split = QSplitter(orientation)
        split.addWidget(chart)
        split.addWidget(self._section(key))
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        return split

    # -- filters ----------------------------------------------------------------------------
    def load_options(self) -> None:
        """Fill the combos and the default range (the last 30 days with activity)."""
        with self.store.reader() as s:
            opts = reports.options(s)
            start, end = reports.default_range(s, DEFAULT_DAYS)
        self.options: ReportOptions = opts
        self._loading = True
        try:
            for box, everyone, choices in (
                (self.brand_box, "All brands", [(c.label, c.id) for c in opts.brands]),
                (self.account_box, "All accounts", [(c.label, c.id) for c in opts.accounts]),
                (
                    self.platform_box,
                    "All platforms",
                    [(p.value.capitalize(), p.value) for p in opts.platforms],
                ),
                (self.colleague_box, "Everyone", [(c.label, c.id) for c in opts.colleagues]),
            ):
                box.clear()
                box.addItem(everyone, None)
                for label, data in choices:
                    box.addItem(label, data)
            self.set_range(start.date(), (end - timedelta(days=1)).date())
        finally:
            self._loading = False

    def set_range(self, first: date, last: date) -> None:
        """Whole UTC days, both inclusive."""
        loading, self._loading = self._loading, True
        try:
            self.start_edit.setDate(QDate(first.year, first.month, first.day))
            self.end_edit.setDate(QDate(last.year, last.month, last.day))
        finally:
            self._loading = loading
        if not loading:
            self.refresh()

    def current_filter(self) -> ReportFilter:
        first = self.start_edit.date().toPython()
        last = self.end_edit.date().toPython()
        assert isinstance(first, date) and isinstance(last, date)
        if last < first:
            first, last = last, first
        platform = self.platform_box.currentData()
        return ReportFilter(
            start=datetime.combine(first, datetime.min.time(), tzinfo=UTC),
            end=datetime.combine(last + timedelta(days=1), datetime.min.time(), tzinfo=UTC),
            brand_id=self.brand_box.currentData(),
            account_id=self.account_box.currentData(),
            platform=Platform(platform) if platform else None,
            agent_id=self.colleague_box.currentData(),
        )

    def _filters_changed(self) -> None:
        if not self._loading:
            self.refresh()

    # -- computing --------------------------------------------------------------------------
    def refresh(self) -> None:
        """Compute the report for the current filter on the worker thread."""
        self._generation += 1
        generation = self._generation
        f, now, store = self.current_filter(), self._clock(), self.store
        self.status.setText("Computing…")
        self.refresh_button.setEnabled(False)

        def compute() -> tuple[Report, float]:
            started = time.perf_counter()
            with store.reader() as s:
                result = reports.report(s, f, now)
            return result, time.perf_counter() - started

        future = self._executor.submit(compute)
        bridge = self._bridge

        def done(fut: Future[tuple[Report, float]]) -> None:  # on the worker thread
            if fut.cancelled():
                return
            exc = fut.exception()
            answer: object = exc if exc is not None else fut.result()
            with contextlib.suppress(RuntimeError):  # the window was deleted meanwhile
                if isinstance(answer, tuple):
                    bridge.finished.emit(generation, answer[0], answer[1])
                else:
                    bridge.finished.emit(generation, answer, 0.0)

        future.add_done_callback(done)

    def _finished(self, generation: int, result: object, seconds: float) -> None:
        if generation != self._generation:
            return  # a newer filter is on its way
        self.refresh_button.setEnabled(True)
        if isinstance(result, Exception):
            self.status.setText(f"The report failed: {result}")
            return
        assert isinstance(result, Report)
        self.show_report(result, seconds)

    def show_report(self, r: Report, seconds: float | None = None) -> None:
        self.report, self.elapsed = r, seconds
        self.tables = tables.all_tables(r)
        for tile in tables.tiles(r):
            self.tile_widgets[tile.key].show_tile(tile)
        for key, section in self.sections.items():
            section.model.set_table(self.tables[key])
        self.daily_chart.set_days([(d.day, d.inbound, d.replies) for d in r.days])
        self.heat_chart.set_cells(r.heat)
        s = r.sentiment
        self.sentiment_chart.set_values(
            s.before_mean, s.after_mean, (s.improved, s.unchanged, s.worsened)
        )
        self.status.setText(self._status_text(r, seconds))
        self.report_ready.emit(r)

    def _status_text(self, r: Report, seconds: float | None) -> str:
        f = r.filter
        last = (f.end - timedelta(days=1)).date()
        parts = [
            f"{f.start.date().isoformat()} to {last.isoformat()} (whole days in UTC; "
            "busiest hours in each brand's local time)"
        ]
        if seconds is not None:
            parts.append(f"computed in {seconds * 1000:,.0f} ms")
        if r.response.pending_triage:
            parts.append(
                f"{r.response.pending_triage:,} conversations are still being scored "
                "and are not in the response figures yet"
            )
        parts.append("colleague = the conversation's assignee")
        return " · ".join(parts)

    # -- CSV --------------------------------------------------------------------------------
    def choose_csv_file(self, key: str) -> None:
        """Ask where to save (open(), never exec()), then write the table there."""
        if key not in self.tables:
            return
        if self.dialog is not None:
            self.dialog.deleteLater()
        dialog = QFileDialog(self, f"Export {self.sections[key].title.text()} as CSV")
        named(dialog, "csvDialog", "Export CSV")
        dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setNameFilter("CSV files (*.csv)")
        dialog.setDefaultSuffix("csv")
        dialog.selectFile(self.csv_name(key))
        dialog.fileSelected.connect(lambda path: self.export_csv(key, Path(path)))
        self.dialog = dialog
        dialog.open()

    def csv_name(self, key: str) -> str:
        f = self.current_filter()
        last = (f.end - timedelta(days=1)).date()
        return f"switchboard-{key}-{f.start.date().isoformat()}-{last.isoformat()}.csv"

    def export_csv(self, key: str, path: Path) -> None:
        try:
            self.tables[key].write_csv(path)
        except OSError as exc:
            self.status.setText(f"Could not write {path}: {exc.strerror or exc}")
            return
        self.status.setText(f"Saved {path.name}")

    # -- closing ----------------------------------------------------------------------------
    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.refresh_button.isEnabled():  # closed while computing
            self._generation += 1  # drop that answer; showing again computes afresh
            self.refresh_button.setEnabled(True)
            self._dropped = True
        super().closeEvent(event)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._dropped:
            self._dropped = False
            self.refresh()


def _shutdown(executor: ThreadPoolExecutor) -> None:
    executor.shutdown(wait=False, cancel_futures=True)


def _empty_report() -> Report:
    """A report of nothing, for the tiles' labels before the first answer lands."""
    none = reports.Percentiles(0, None, None)
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    return Report(
        filter=ReportFilter(epoch, epoch),
        inbound=0,
        replies_sent=0,
        response=reports.ResponseFigures(0, 0, None, none, none, 0, 0, None, 0, none, 0),
        sentiment=reports.SentimentFigures(0, None, None, 0, 0, 0),
        days=(),
        heat=tuple((0,) * 24 for _ in range(7)),
        top_customers=(),
        posts=reports.PostFigures(0, 0, 0, 0),
        by_platform=(),
        by_colleague=(),
    )
