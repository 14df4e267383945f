"""Reports and triage sorts at scale (make bench). Printed as ratios to baselines measured in
the same run; nothing asserts a time (shared, noisy machines).

SWITCHBOARD_BENCH_MESSAGES (default 1,000,000) sets the size. The workspace is the store
benchmark's generated one with triage backfilled (tests/bench/reports_workspace.py), cached
under /tmp: the first run at 1M spends ~10 minutes scoring sentiment for every message.
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from desktop.store import Store, inbox, reports
from desktop.store.inbox import InboxFilter, Sort, View
from desktop.store.reports import ReportFilter
from tests.bench.reports_workspace import workspace

pytestmark = pytest.mark.bench
N = int(os.environ.get("SWITCHBOARD_BENCH_MESSAGES", "1000000"))


@pytest.fixture(scope="module")
def big() -> Iterator[Store]:
    store = Store.open(workspace(N))
    try:
        yield store
    finally:
        store.close()


def _ms(fn: Callable[[], object], repeat: int = 3) -> float:
    """Median wall time in ms of `repeat` runs after one warm-up run."""
    fn()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def test_reports_at_scale(big: Store) -> None:
    with big.reader() as s:
        messages = s.execute(text("SELECT COUNT(*) FROM messages")).scalar_one()
        start30, end = reports.default_range(s, 30)
        ranges = {
            "30 days": ReportFilter(start30, end),
            "90 days": ReportFilter(end - timedelta(days=90), end),
            "whole year": ReportFilter(end - timedelta(days=366), end),
        }
        opts = reports.options(s)
        ranges["whole year, one brand"] = ReportFilter(
            end - timedelta(days=366), end, brand_id=opts.brands[0].id
        )
        busiest = s.execute(
            text(
                "SELECT assignee_id FROM conversations WHERE assignee_id IS NOT NULL"
                " GROUP BY assignee_id ORDER BY COUNT(*) DESC LIMIT 1"
            )
        ).scalar()
        ranges["whole year, one colleague"] = ReportFilter(
            end - timedelta(days=366), end, agent_id=busiest or opts.colleagues[-1].id
        )
        baseline = _ms(lambda: s.execute(text("SELECT COUNT(*) FROM messages")).all())
        lines = [
            f"\nreports over {messages:,} messages; baseline COUNT(*) over messages "
            f"{baseline:.0f} ms (budget: a report renders within 1 s)"
        ]
        for name, f in ranges.items():
            scan = _ms(
                lambda f=f: s.execute(
                    text(
                        "SELECT COUNT(*), SUM(first_response_at IS NOT NULL) FROM conversations"
                        " WHERE first_inbound_at >= :a AND first_inbound_at < :b"
                    ),
                    {"a": reports._bound(f.start), "b": reports._bound(f.end)},
                ).all()
            )
            took = _ms(lambda f=f: reports.report(s, f), repeat=2)
            r = reports.report(s, f)
            lines.append(
                f"  {name:<24} {took:7.0f} ms  ({took / baseline:5.1f}x COUNT(*), "
                f"{took / scan:5.1f}x a bare range scan of its {r.response.conversations:,} "
                f"conversations; {r.inbound:,} inbound)"
            )
        ms_options = _ms(lambda: reports.options(s))
        lines.append(f"  filter choices and data span {ms_options:.0f} ms (on the UI thread)")
    print("\n".join(lines))


def test_reports_window_at_scale(big: Store, qtbot) -> None:  # type: ignore[no-untyped-def]
    """Open the window on the default range: time to the figures on screen, and the longest
    the UI thread is busy (building the window, showing the answer, painting)."""
    from ui.reports.window import ReportsWindow

    started = time.perf_counter()
    window = ReportsWindow(big)
    built = time.perf_counter() - started
    qtbot.addWidget(window)
    window.show()
    with qtbot.waitSignal(window.report_ready, timeout=120_000):
        pass
    shown = time.perf_counter() - started
    report = window.report
    assert report is not None
    apply_started = time.perf_counter()
    window.show_report(report, window.elapsed)
    applied = time.perf_counter() - apply_started
    paint_ms = _ms(lambda: window.grab())
    print(
        f"\nreports window at {N:,} messages (default 30 days): figures on screen after "
        f"{shown * 1000:.0f} ms (report computed off the UI thread in "
        f"{(window.elapsed or 0) * 1000:.0f} ms); UI thread: build {built * 1000:.0f} ms, "
        f"show the answer {applied * 1000:.0f} ms, paint {paint_ms:.0f} ms (budget 100 ms each)"
    )


def test_triage_sorts_at_scale(big: Store) -> None:
    now = datetime.now(UTC)
    with big.reader() as s:
        first_page = {
            sort: _ms(lambda sort=sort: inbox.ids(s, InboxFilter(), sort, limit=50))
            for sort in Sort
        }
        waiting = {
            sort: _ms(
                lambda sort=sort: inbox.ids(s, InboxFilter(view=View.NEEDS_REPLY), sort, limit=50)
            )
            for sort in Sort
        }
        page = inbox.ids(s, InboxFilter(view=View.NEEDS_REPLY), Sort.DUE, limit=50)
        rows = _ms(lambda: inbox.rows(s, page))
    base = first_page[Sort.NEWEST]
    print(f"\ninbox first page of 50 at {N:,} messages (ratio to Newest, {base:.0f} ms):")
    for sort in Sort:
        print(
            f"  {sort.value:<15} all {first_page[sort]:6.0f} ms ({first_page[sort] / base:5.1f}x)"
            f"   needs reply {waiting[sort]:6.0f} ms"
        )
    print(f"  display rows (due time, reasons) for that page {rows:.0f} ms (now {now:%H:%M})")
