"""`switchboard --first-paint`: print when the inbox is first painted with rows, then close.

For the cold-start benchmark of the packaged bundle (tests/bench/test_bundle_bench.py): the
line `first-paint <time.monotonic()> <time.process_time()>`. The first is comparable with the
launcher's own clock (CLOCK_MONOTONIC is system-wide on Linux), so start-to-paint is measured
from outside the process, interpreter start-up and bundle unpacking included; the second is the
CPU time used until then. The baseline bundle's window (tests/bench/bundle_baseline) prints
the same line.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, QObject, QTimer

PREFIX = "first-paint"


class FirstPaintProbe(QObject):
    """Watches the conversation list's viewport; reports the first paint that shows rows."""

    def __init__(self, window: Any, out: Callable[[str], None] = print, close: bool = True) -> None:
        super().__init__(window)
        self.window = window
        self.out = out
        self.close = close
        self.reported: float | None = None
        window.table.viewport().installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            self.reported is None
            and event.type() == QEvent.Type.Paint
            and self.window.model.rowCount() > 0
        ):
            # Report once this paint has run (the event filter sees it before the widget).
            QTimer.singleShot(0, self._report)
            self.reported = -1.0
        return False

    def _report(self) -> None:
        self.reported = time.monotonic()
        # and the CPU seconds this process used so far (all threads): less skewed by a busy
        # machine than wall time
        self.out(f"{PREFIX} {self.reported:.6f} {time.process_time():.6f}")
        self.window.table.viewport().removeEventFilter(self)
        if self.close:
            self.window.close()


def report_first_paint(window: Any) -> FirstPaintProbe:
    return FirstPaintProbe(window, out=lambda line: print(line, flush=True))
