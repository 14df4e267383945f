"""Customer panel reads at scale (make bench): what one refresh of the panel costs, and the
duplicate lookup the panel runs after it shows. Printed as ratios to a baseline measured in the
same run (the newest 50 message ids); nothing asserts a time.
"""

from __future__ import annotations

import statistics
import time

import pytest
from sqlalchemy import text

from desktop.store import Store, audit, customers, matches, notes, tags
from tests.bench.test_store_bench import N, big_store  # noqa: F401  (the shared workspace)

pytestmark = pytest.mark.bench


def _ms(fn: object) -> float:
    started = time.perf_counter()
    fn()  # type: ignore[operator]
    return (time.perf_counter() - started) * 1000


def _refresh(s: object, c: int) -> None:
    customers.get(s, c)  # type: ignore[arg-type]
    line = customers.timeline(s, c)  # type: ignore[arg-type]
    notes.for_customer(s, c)  # type: ignore[arg-type]
    audit.for_customer(s, c, [e.conversation_id for e in line])  # type: ignore[arg-type]
    tags.all_tags(s)  # type: ignore[arg-type]


def test_customer_panel_reads(big_store: Store) -> None:  # noqa: F811
    with big_store.reader() as s:
        busiest = [
            r[0]
            for r in s.execute(
                text(
                    "SELECT customer_id FROM conversations WHERE customer_id IS NOT NULL"
                    " GROUP BY customer_id ORDER BY COUNT(*) DESC LIMIT 5"
                )
            )
        ]
        sample = busiest + [
            r[0] for r in s.execute(text("SELECT id FROM customers ORDER BY id DESC LIMIT 15"))
        ]
        baseline = statistics.median(
            _ms(lambda: s.execute(text("SELECT id FROM messages ORDER BY id DESC LIMIT 50")).all())
            for _ in range(20)
        )
        figures = {
            "panel refresh": sorted(_ms(lambda c=c: _refresh(s, c)) for c in sample),
            "duplicate lookup": sorted(_ms(lambda c=c: matches.suggest(s, c)) for c in sample),
            "erase summary": sorted(_ms(lambda c=c: customers.erase_summary(s, c)) for c in sample),
            "export": sorted(_ms(lambda c=c: customers.export(s, c)) for c in sample),
        }
    print(f"\ncustomer panel at {N:,} messages (baseline {baseline:.2f} ms):")
    for name, ms in figures.items():
        p50 = statistics.median(ms)
        print(
            f"  {name:<17} p50 {p50:6.1f} ms  max {ms[-1]:6.1f} ms"
            f"  ({p50 / baseline:,.0f}x baseline)"
        )
    assert all(ms for ms in figures.values())
