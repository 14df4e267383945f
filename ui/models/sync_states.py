"""Every account's sync state as a table (the sync panel) and as one line (the status bar).

The rows are the profile's accounts (read once from the store when a workspace opens); the
states come from the engine's `AccountStates` (desktop/sync/account_state.py), which calls
back on the loop thread — the Qt thread under qasync. `apply(state)` repaints one row.
Times are shown in the user's time zone (`tz`, default: the system's).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from desktop.domain.enums import Platform
from desktop.sync.account_state import AccountState, Phase
from ui.icons import platform_icon

COL_ACCOUNT, COL_STATE, COL_PROGRESS, COL_LAST, COL_INTERVAL = range(5)
HEADERS = ("Account", "State", "Progress", "Last synced", "Polls every")

AccountIdRole = Qt.ItemDataRole.UserRole + 1
PhaseRole = Qt.ItemDataRole.UserRole + 2
ProgressRole = Qt.ItemDataRole.UserRole + 3  # 0..100, -1 busy (unknown), None not syncing
AnyIndex = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True, slots=True)
class SyncAccount:
    """An account as the sync panel names it."""

    id: int
    platform: Platform
    handle: str
    display_name: str = ""
    interval_seconds: float | None = None  # None: not syncing (no worker)

    @property
    def label(self) -> str:
        """'@acme (Mastodon)': brands often use one handle on every platform."""
        handle = self.handle if self.handle.startswith("@") else f"@{self.handle}"
        return f"{handle} ({self.platform.value.capitalize()})"

    @property
    def title(self) -> str:
        """'@acme · Mastodon — Acme Outdoor' for the panel's account column."""
        handle = self.handle if self.handle.startswith("@") else f"@{self.handle}"
        name = self.display_name.strip()
        words = f"{handle} · {self.platform.value.capitalize()}"
        return words if not name or name.lstrip("@") == handle.lstrip("@") else f"{words} — {name}"


def clock(value: datetime | None, tz: tzinfo | None = None, now: datetime | None = None) -> str:
    """'14:05' today, '27 Nov 14:05' another day, in the user's time zone."""
    if value is None:
        return ""
    local = value.replace(tzinfo=value.tzinfo or UTC).astimezone(tz)
    today = (now or datetime.now(UTC)).astimezone(tz).date()
    return f"{local:%H:%M}" if local.date() == today else f"{local:%d %b %H:%M}"


def interval_text(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def progress_value(state: AccountState) -> int | None:
    """Percent for a bar: None when not syncing, -1 when syncing without an estimate."""
    if state.phase is not Phase.SYNCING:
        return None
    if state.progress is None:
        return -1
    return max(0, min(100, round(state.progress * 100)))


def state_text(state: AccountState, tz: tzinfo | None = None, now: datetime | None = None) -> str:
    """One account's state in words, e.g. 'rate-limited until 14:05', 'needs sign-in'."""
    match state.phase:
        case Phase.ONLINE:
            return "up to date"
        case Phase.SYNCING:
            pct = progress_value(state)
            return f"syncing {pct}%" if pct is not None and pct >= 0 else "syncing"
        case Phase.OFFLINE:
            return "offline"
        case Phase.RATE_LIMITED:
            if state.until is not None:
                return f"rate-limited until {clock(state.until, tz, now)}"
            return "rate-limited"
        case Phase.NEEDS_REAUTH:
            return "needs sign-in"
        case _:
            return "error"


def summary(
    states: Iterable[AccountState],
    names: dict[int, str],
    tz: tzinfo | None = None,
    now: datetime | None = None,
) -> str:
    """The status bar's one line over all accounts, worst news first after progress."""
    chosen = list(states)
    if not chosen:
        return "Sync: no accounts"
    by_phase: dict[Phase, list[AccountState]] = {}
    for s in chosen:
        by_phase.setdefault(s.phase, []).append(s)

    def who(group: list[AccountState]) -> str:
        if len(group) == 1:
            return names.get(group[0].account_id, f"account {group[0].account_id}")
        return f"{len(group)} accounts"

    parts: list[str] = []
    syncing = by_phase.get(Phase.SYNCING, [])
    if syncing:
        known = [s.progress for s in syncing if s.progress is not None]
        items = sum(s.items for s in syncing)
        text = f"Syncing {who(syncing)}"
        if known:
            text += f" {round(100 * sum(known) / len(known))}%"
        if items:
            text += f" ({items:,} items)"
        parts.append(text)
    if Phase.NEEDS_REAUTH in by_phase:
        parts.append(f"{who(by_phase[Phase.NEEDS_REAUTH])} needs sign-in")
    if Phase.RATE_LIMITED in by_phase:
        group = by_phase[Phase.RATE_LIMITED]
        untils = [s.until for s in group if s.until is not None]
        text = f"{who(group)} rate-limited"
        if untils:
            text += f" until {clock(max(untils), tz, now)}"
        parts.append(text)
    if Phase.FAILING in by_phase:
        parts.append(f"{who(by_phase[Phase.FAILING])} failing")
    if Phase.OFFLINE in by_phase:
        group = by_phase[Phase.OFFLINE]
        parts.append(
            "All accounts offline" if len(group) == len(chosen) else f"{who(group)} offline"
        )
    if not parts:
        n = len(chosen)
        return "Up to date" if n == 1 else f"All {n} accounts up to date"
    return " · ".join(parts)


class SyncStatesModel(QAbstractTableModel):
    """Rows: accounts. Columns: account, state, progress, last synced, poll interval."""

    def __init__(self, tz: tzinfo | None = None, parent: Any = None) -> None:
        super().__init__(parent)
        self.tz = tz
        self._accounts: list[SyncAccount] = []
        self._rows: dict[int, int] = {}
        self._states: dict[int, AccountState] = {}
        self._last: dict[int, datetime | None] = {}

    # -- feeding ----------------------------------------------------------------------------
    def set_accounts(self, accounts: Sequence[SyncAccount]) -> None:
        self.beginResetModel()
        self._accounts = list(accounts)
        self._rows = {a.id: n for n, a in enumerate(self._accounts)}
        self.endResetModel()

    def apply(self, state: AccountState, last_synced: datetime | None = None) -> None:
        """A new state for one account: repaint its row (unknown accounts are kept for later)."""
        self._states[state.account_id] = state
        if last_synced is not None:
            self._last[state.account_id] = last_synced
        row = self._rows.get(state.account_id)
        if row is not None:
            self.dataChanged.emit(self.index(row, 0), self.index(row, len(HEADERS) - 1))

    def set_interval(self, account_id: int, seconds: float | None) -> None:
        row = self._rows.get(account_id)
        if row is None:
            return
        old = self._accounts[row]
        self._accounts[row] = SyncAccount(
            old.id, old.platform, old.handle, old.display_name, seconds
        )
        index = self.index(row, COL_INTERVAL)
        self.dataChanged.emit(index, index)

    # -- reading ----------------------------------------------------------------------------
    def accounts(self) -> list[SyncAccount]:
        return list(self._accounts)

    def account(self, row: int) -> SyncAccount | None:
        return self._accounts[row] if 0 <= row < len(self._accounts) else None

    def state(self, account_id: int) -> AccountState | None:
        return self._states.get(account_id)

    def states(self) -> list[AccountState]:
        """The states of the listed accounts (accounts without one yet count as up to date)."""
        return [self._states.get(a.id) or AccountState(a.id) for a in self._accounts]

    def names(self) -> dict[int, str]:
        return {a.id: a.label for a in self._accounts}

    def row_of(self, account_id: int) -> int | None:
        return self._rows.get(account_id)

    # -- QAbstractTableModel ----------------------------------------------------------------
    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._accounts)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            orientation is Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < len(HEADERS)
        ):
            return HEADERS[section]
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._accounts):
            return None
        account = self._accounts[index.row()]
        state = self._states.get(account.id) or AccountState(account.id)
        col = index.column()
        if role == AccountIdRole:
            return account.id
        if role == PhaseRole:
            return state.phase.value
        if role == ProgressRole:
            return progress_value(state)
        if role == Qt.ItemDataRole.DecorationRole and col == COL_ACCOUNT:
            return platform_icon(account.platform)
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            text = self._text(account, state, col)
            if role == Qt.ItemDataRole.AccessibleTextRole:
                return f"{HEADERS[col]}: {text or 'none'}"
            return text
        if role == Qt.ItemDataRole.ToolTipRole and col in (COL_STATE, COL_PROGRESS):
            return state.error or state.detail or None
        return None

    def _text(self, account: SyncAccount, state: AccountState, col: int) -> str:
        if col == COL_ACCOUNT:
            return account.title
        if col == COL_STATE:
            return state_text(state, self.tz)
        if col == COL_PROGRESS:
            if state.phase is Phase.SYNCING:
                return state.detail or "starting"
            return state.error or ""
        if col == COL_LAST:
            return clock(self._last.get(account.id), self.tz) or "not this session"
        if col == COL_INTERVAL:
            return interval_text(account.interval_seconds)
        return ""
