"""Coroutines a widget starts on the event loop, kept until they finish.

asyncio keeps only weak references to tasks, so every widget that fires off work (send,
save, sync now) must hold its tasks, report a failure where the user looks, and let tests
and shutdown wait for what is still running. One small class instead of a copy in each.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any


class TaskSet:
    def __init__(self, on_failure: Callable[[BaseException], None]) -> None:
        self._tasks: set[asyncio.Task[Any]] = set()
        self._on_failure = on_failure

    def spawn(
        self,
        coro: Coroutine[Any, Any, Any],
        *,
        loop: asyncio.AbstractEventLoop | None = None,
        on_success: Callable[[], None] | None = None,
    ) -> asyncio.Task[Any]:
        task = (loop or asyncio.get_event_loop()).create_task(coro)
        self._tasks.add(task)

        def done(t: asyncio.Task[Any]) -> None:
            self._tasks.discard(t)
            if t.cancelled():
                return
            exc = t.exception()
            if exc is not None:
                self._on_failure(exc)
            elif on_success is not None:
                on_success()

        task.add_done_callback(done)
        return task

    def __bool__(self) -> bool:
        return bool(self._tasks)

    async def settle(self) -> None:
        """Wait until nothing runs (tasks may start others meanwhile)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)
