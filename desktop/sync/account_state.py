"""What the UI shows for each account: online, syncing, offline, rate-limited, re-auth, failing.

A plain observable (callbacks), not a Qt signal, so the engine stays Qt-free; the UI adapts
`subscribe` to a signal on its side. Listeners run synchronously on the loop thread and must
not block; a listener that raises is logged and dropped from nothing else.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from desktop.domain.errors import SyncError, SyncErrorKind

log = logging.getLogger(__name__)


class Phase(enum.StrEnum):
    ONLINE = "online"
    SYNCING = "syncing"
    OFFLINE = "offline"
    RATE_LIMITED = "rate_limited"
    NEEDS_REAUTH = "needs_reauth"
    FAILING = "failing"


@dataclass(frozen=True, slots=True)
class AccountState:
    account_id: int
    phase: Phase = Phase.ONLINE
    progress: float | None = None  # 0..1 while syncing, None when unknown
    detail: str = ""  # e.g. "mentions 3/10 pages"
    until: datetime | None = None  # rate-limited until
    error: str | None = None  # failing / needs re-auth reason
    items: int = 0  # items stored so far in this pull (desktop/sync/progress.py)
    eta_seconds: float | None = None  # estimated time left, None when unknown


Listener = Callable[[AccountState], None]


def phase_for_error(error: SyncError) -> Phase:
    """Which state an account is in after a platform call failed with `error`."""
    match error.kind:
        case SyncErrorKind.AUTH:
            return Phase.NEEDS_REAUTH
        case SyncErrorKind.RATE_LIMITED:
            return Phase.RATE_LIMITED
        case SyncErrorKind.OFFLINE:
            return Phase.OFFLINE
        case _:
            return Phase.FAILING


class AccountStates:
    """The current state of every account, with change notifications."""

    def __init__(self) -> None:
        self._states: dict[int, AccountState] = {}
        self._listeners: list[Listener] = []
        self._last_synced: dict[int, datetime] = {}

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call `listener` on every change; returns a function that unsubscribes."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    def get(self, account_id: int) -> AccountState:
        return self._states.get(account_id) or AccountState(account_id)

    def all(self) -> dict[int, AccountState]:
        return dict(self._states)

    def set(self, state: AccountState) -> None:
        if self._states.get(state.account_id) == state:
            return  # no repaint for nothing
        self._states[state.account_id] = state
        for listener in list(self._listeners):
            try:
                listener(state)
            except Exception:  # a broken view must not stop sync
                log.exception("account state listener failed")

    def last_synced(self, account_id: int) -> datetime | None:
        """When the account last finished a pass without error (None: not yet this session)."""
        return self._last_synced.get(account_id)

    def online(self, account_id: int) -> None:
        self._last_synced[account_id] = datetime.now(UTC)
        self.set(AccountState(account_id, Phase.ONLINE))

    def syncing(
        self,
        account_id: int,
        progress: float | None,
        detail: str = "",
        *,
        items: int = 0,
        eta_seconds: float | None = None,
    ) -> None:
        self.set(
            AccountState(
                account_id,
                Phase.SYNCING,
                progress=progress,
                detail=detail,
                items=items,
                eta_seconds=eta_seconds,
            )
        )

    def failed(self, account_id: int, error: SyncError) -> None:
        phase = phase_for_error(error)
        state = AccountState(account_id, phase, error=str(error))
        if phase is Phase.RATE_LIMITED:
            state = replace(state, until=error.retry_at)
        self.set(state)

    def crashed(self, account_id: int, error: BaseException) -> None:
        self.set(AccountState(account_id, Phase.FAILING, error=f"{type(error).__name__}: {error}"))
