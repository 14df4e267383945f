"""The sync engine: one supervised worker per account, their states, and the wake-ups.

This is what the app (on the qasync loop) and the CLI (plain asyncio) hold. It builds each
account's client through the platform registry, wiring token rotation to the keyring so a new
refresh token is saved before it is used.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace

from desktop.domain.enums import StreamKind
from desktop.domain.errors import SyncError, SyncErrorKind
from desktop.domain.models import Account
from desktop.platforms.base import Credentials, PlatformClient
from desktop.platforms.registry import platform_module
from desktop.secrets import SecretStore
from desktop.sync.account_state import AccountStates
from desktop.sync.backoff import Backoff
from desktop.sync.inbound_port import InboundPort
from desktop.sync.intervals import PLATFORM_DEFAULTS, SETTINGS_KEY, Choice, expand, resolve
from desktop.sync.outbox_port import OutboxPort
from desktop.sync.supervisor import Supervisor
from desktop.sync.worker import AccountWorker

log = logging.getLogger(__name__)

# X bills every read: poll it far less often by default (desktop/sync/intervals.py).
DEFAULT_INTERVALS = PLATFORM_DEFAULTS

ClientFactory = Callable[[Account, Credentials], PlatformClient]


def registry_client_factory(secrets: SecretStore) -> ClientFactory:
    """Clients from desktop.platforms.registry; rotated tokens go to the keyring first."""

    def make(account: Account, credentials: Credentials) -> PlatformClient:
        async def save(new: Credentials) -> None:
            await secrets.asave(account.id, new)

        client: PlatformClient = platform_module(account.platform).create_client(
            account, credentials, save
        )
        return client

    return make


@dataclass
class SyncEngine:
    inbound: InboundPort
    outbox: OutboxPort
    states: AccountStates = field(default_factory=AccountStates)
    workers: dict[int, AccountWorker] = field(default_factory=dict)
    # the user's per-platform choice, e.g. {"bluesky": 120}; accounts' own settings win
    platform_intervals: dict[str, Choice] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.supervisor = Supervisor(self.states)
        self.running = False
        self.paused: set[int] = set()
        self.accounts: dict[int, Account] = {}  # as added, for re-resolving intervals
        self._explicit: dict[int, Mapping[StreamKind, float]] = {}

    def add(
        self,
        account: Account,
        client: PlatformClient,
        intervals: Mapping[StreamKind, float] | None = None,
    ) -> AccountWorker:
        chosen = resolve(account, self.platform_intervals, intervals)
        worker = AccountWorker(account.id, client, self.inbound, self.outbox, self.states, chosen)
        self.workers[account.id] = worker
        self.accounts[account.id] = account
        self._explicit[account.id] = dict(intervals or {})
        return worker

    def set_interval(self, account_id: int, choice: Choice | None) -> None:
        """Poll this account every `choice` seconds (or per stream) from now on; None: back
        to its platform's interval. Store it with intervals.save_account_interval."""
        account = self.accounts.get(account_id)
        if account is None:
            self.workers[account_id].set_intervals(expand(choice))
            return
        settings = dict(account.settings)
        if choice is None:
            settings.pop(SETTINGS_KEY, None)
        else:
            expand(choice)  # refuse a bad value before changing anything
            settings[SETTINGS_KEY] = choice
        self.accounts[account_id] = replace(account, settings=settings)
        self._re_resolve(account_id)

    def set_platform_interval(self, platform: str, choice: Choice | None) -> None:
        """The user's interval for every account of `platform` (None: the built-in default);
        an account with its own interval keeps it."""
        if choice is None:
            self.platform_intervals.pop(platform, None)
        else:
            expand(choice)
            self.platform_intervals[platform] = choice
        for account_id, account in self.accounts.items():
            if account.platform.value == platform:
                self._re_resolve(account_id)

    def _re_resolve(self, account_id: int) -> None:
        account = self.accounts[account_id]
        worker = self.workers[account_id]
        worker.intervals = {}
        worker.set_intervals(
            resolve(account, self.platform_intervals, self._explicit.get(account_id))
        )

    def wake(self, account_id: int | None = None) -> None:
        """A user action or regained connectivity: run now instead of at the next interval."""
        targets = self.workers.values() if account_id is None else [self.workers[account_id]]
        for worker in targets:
            worker.wake()

    def start(self) -> None:
        self.running = True
        for account_id, worker in self.workers.items():
            if account_id not in self.paused:
                self.supervisor.start(account_id, worker.run_forever)

    # -- accounts connected, paused or removed while the engine runs (the accounts dialog) --
    def attach(
        self,
        account: Account,
        client: PlatformClient,
        intervals: Mapping[StreamKind, float] | None = None,
    ) -> AccountWorker:
        """`add`, and start syncing it at once if the engine is running."""
        worker = self.add(account, client, intervals)
        self.paused.discard(account.id)
        if self.running:
            self.supervisor.start(account.id, worker.run_forever)
        return worker

    async def _halt(self, account_id: int) -> None:
        task = self.supervisor.tasks.pop(account_id, None)
        if task is not None:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

    async def pause(self, account_id: int) -> None:
        """Stop syncing one account; its worker and client are kept for `resume`."""
        self.paused.add(account_id)
        await self._halt(account_id)

    def resume(self, account_id: int) -> bool:
        """Sync a paused account again; False if the engine has no worker for it."""
        self.paused.discard(account_id)
        worker = self.workers.get(account_id)
        if worker is None:
            return False
        if self.running and account_id not in self.supervisor.tasks:
            self.supervisor.start(account_id, worker.run_forever)
        return True

    async def remove(self, account_id: int) -> None:
        """Stop and forget one account (removed, or re-authenticated with a new client)."""
        await self._halt(account_id)
        self.paused.discard(account_id)
        worker = self.workers.pop(account_id, None)
        if worker is not None:
            await worker.client.aclose()

    async def run_once(self, max_passes: int = 50) -> dict[int, SyncError | None]:
        """Every account until caught up and its outbox drained or parked (CLI `sync --once`).

        Transient errors are retried a bounded number of passes; auth, rate limits and
        offline park the account and are reported.
        """
        results: dict[int, SyncError | None] = {}
        for account_id, worker in self.workers.items():
            if account_id in self.paused:
                continue
            error: SyncError | None = None
            backoff = Backoff()
            for _ in range(max_passes):
                try:
                    error = await worker.run_once()
                except Exception as exc:  # one bad account never stops the others
                    log.exception("account %s failed", account_id)
                    self.states.crashed(account_id, exc)
                    error = SyncError(SyncErrorKind.TRANSIENT, f"{type(exc).__name__}: {exc}")
                    break
                if error is None or error.kind is not SyncErrorKind.TRANSIENT:
                    break
                await asyncio.sleep(min(backoff.next_delay(error), 5.0))
            results[account_id] = error
        return results

    async def stop(self) -> None:
        self.running = False
        await self.supervisor.stop()
        for worker in self.workers.values():
            await worker.client.aclose()
