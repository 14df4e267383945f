"""Slow view counts are read on a worker thread, one at a time, requests coalesced."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

from ui.data_source import MemorySource, View, sample_row
from ui.view_counter import ViewCounter

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


class SlowSource(MemorySource):
    slow_counts = True

    def __init__(self) -> None:
        super().__init__([sample_row(i, now=NOW) for i in range(1, 6)])
        self.threads: list[str] = []
        self.gate = threading.Event()

    def view_counts(self) -> dict[View, int]:
        self.threads.append(threading.current_thread().name)
        self.gate.wait(5)
        return super().view_counts()


def test_slow_counts_run_off_the_ui_thread_and_coalesce(qtbot) -> None:
    counter = ViewCounter()
    source = SlowSource()
    got: list[dict[View, int]] = []
    counter.counted.connect(lambda _s, counts: got.append(counts))
    for _ in range(5):  # a burst of re-queries while the first count runs
        counter.request(source)
    assert got == []  # the UI thread did not wait for it
    source.gate.set()
    qtbot.waitUntil(lambda: len(got) == 2, timeout=3000)  # the first, then one for the rest
    counter.wait()
    assert len(source.threads) == 2 and all(t.startswith("view-counts") for t in source.threads)
    assert got[-1][View.ALL] == 5
    counter.close()


def test_cheap_counts_answer_at_once(qtbot) -> None:
    counter = ViewCounter()
    got: list[dict[View, int]] = []
    counter.counted.connect(lambda _s, counts: got.append(counts))
    counter.request(MemorySource([sample_row(1, now=NOW)]))
    assert got and got[0][View.ALL] == 1
    counter.close()
