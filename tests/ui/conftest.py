"""Qt fixtures for the UI tests.

- `qapp` comes from pytest-qt (one QApplication for the session; QT_QPA_PLATFORM=offscreen).
- `qloop`: a qasync QEventLoop over that app, created `already_running=True` and never
  stopped in teardown (DESIGN.md pitfalls), for tests that drive coroutines.
- `memory_source`: a MemorySource with a few conversations, newest first.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from typing import Any

import pytest

os.environ.setdefault("QT_API", "pyside6")
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import PySide6  # noqa: F401  (PySide6 before qasync)
import qasync

from ui.data_source import MemorySource, sample_row


@pytest.fixture
def qloop(qapp: object) -> Iterator[asyncio.AbstractEventLoop]:
    loop = qasync.QEventLoop(qapp, already_running=True)
    asyncio.set_event_loop(loop)
    try:
        yield loop
    finally:
        asyncio.set_event_loop(None)
        # already_running=True marked the loop as this thread's running loop; unmark it (not
        # stop it), or a later asyncio.run() in the same pytest process refuses to start
        asyncio.events._set_running_loop(None)


@pytest.fixture
def memory_source() -> MemorySource:
    return MemorySource([sample_row(i, minutes_ago=10 * (10 - i)) for i in range(1, 11)])


def show_active(qtbot: object, widget: object) -> None:
    """Show a top-level widget and wait until it is the ACTIVE window: window-wide shortcuts
    (j, k, e, ...) only fire in the active window, and offscreen activation is asynchronous.
    Call from sync tests only (qtbot.waitUntil inside async def tests hangs teardown)."""
    widget.show()  # type: ignore[attr-defined]
    qtbot.waitExposed(widget)  # type: ignore[attr-defined]
    widget.activateWindow()  # type: ignore[attr-defined]
    qtbot.waitUntil(widget.isActiveWindow, timeout=3000)  # type: ignore[attr-defined]


def counts(qtbot: object, window: Any) -> dict[Any, int]:
    """The window's view counts once its counting has answered (a store's are read on a
    worker thread and arrive as a queued signal)."""
    from PySide6.QtCore import QCoreApplication

    window.view_counter.flush()
    QCoreApplication.processEvents()
    return dict(window.counts)
