"""Keeps every account's worker running: restart with backoff, report, never let one stop all.

Why a supervisor and not `gather`: with gather the first crash cancels or orphans the rest; here
each worker is its own task, a crash is logged and shown as `failing`, and the worker restarts
after a full-jitter delay.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from desktop.sync.account_state import AccountStates
from desktop.sync.backoff import Backoff

log = logging.getLogger(__name__)

WorkerFactory = Callable[[], Awaitable[None]]


class Supervisor:
    def __init__(self, states: AccountStates) -> None:
        self.states = states
        self.tasks: dict[int, asyncio.Task[None]] = {}
        self.restarts: dict[int, int] = {}

    def start(self, account_id: int, factory: WorkerFactory) -> None:
        self.tasks[account_id] = asyncio.create_task(
            self._keep_running(account_id, factory), name=f"sync-account-{account_id}"
        )

    async def _keep_running(self, account_id: int, factory: WorkerFactory) -> None:
        backoff = Backoff()
        while True:
            try:
                await factory()
                return  # a worker that returns has finished on purpose
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.exception("sync worker for account %s crashed", account_id)
                self.states.crashed(account_id, exc)
                self.restarts[account_id] = self.restarts.get(account_id, 0) + 1
                await asyncio.sleep(backoff.next_delay())

    async def stop(self) -> None:
        for task in self.tasks.values():
            task.cancel()
        await asyncio.gather(*self.tasks.values(), return_exceptions=True)
        self.tasks.clear()
