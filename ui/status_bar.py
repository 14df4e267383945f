"""The status bar's sync part: one line over every account, a progress bar while syncing.

    SyncStatus.install(window)   # adds itself to window.statusBar(), follows window signals

It follows the window's `context_changed` (a workspace opened: read its accounts, listen to
its engine's `AccountStates`) and `online_changed` (regained connectivity wakes every worker
at once instead of at the next interval). When every account reports OFFLINE the window's
connection label goes offline too; a finished pass brings it back. Clicking the line opens the
sync panel (ui/sync_panel.py) with per-account details and errors.

Engine callbacks arrive on the loop thread (the Qt thread under qasync); a signal carries them
anyway, so a worker on another thread could not touch widgets. Repaints are coalesced
(REFRESH_MS): a sync burst repaints the line a few times a second at most.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import tzinfo
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QProgressBar, QToolButton, QWidget

from desktop.sync.account_state import AccountState, Phase
from ui.models.sync_states import SyncAccount, SyncStatesModel, progress_value, summary
from ui.naming import named

log = logging.getLogger(__name__)

if TYPE_CHECKING:
    from ui.context import AppContext
    from ui.sync_panel import SyncPanel

REFRESH_MS = 100
PLATFORM_INTERVALS_KEY = "sync/platformIntervals"  # profile settings: {platform: seconds}


class _Bridge(QObject):
    state = Signal(object)  # AccountState


def worker_interval(context: AppContext | None, account_id: int) -> float | None:
    """How often the account's worker polls (its most frequent stream); None: no worker."""
    from desktop.sync.worker import DEFAULT_INTERVAL_SECONDS

    engine = context.engine if context is not None else None
    worker = engine.workers.get(account_id) if engine is not None else None
    if worker is None:
        return None
    return min(
        (worker.interval(s) for s in worker.client.streams()), default=DEFAULT_INTERVAL_SECONDS
    )


def read_accounts(context: AppContext) -> list[SyncAccount]:
    """The profile's accounts, with the interval their worker polls at (None: no worker)."""
    from desktop.store import accounts

    with context.store.reader() as session:
        listed = accounts.list_accounts(session)
    return [
        SyncAccount(a.id, a.platform, a.handle, a.display_name, worker_interval(context, a.id))
        for a in listed
    ]


class SyncStatus(QWidget):
    """The sync line and bar; `open_panel()` shows the sync panel."""

    connectivity_changed = Signal(bool)  # False: every account is offline
    refreshed = Signal(str)  # the line as just shown (tests, screen-reader announcements)

    def __init__(self, tz: tzinfo | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        named(self, "syncStatusArea", "Sync status")
        self.tz = tz
        self.model = SyncStatesModel(tz, self)
        self.context: AppContext | None = None
        self.network_online = True
        self.panel: SyncPanel | None = None
        # the open profile's settings (ui/settings.py ProfileSettings), given by install()
        self.settings: Callable[[], Any] = lambda: None
        self._all_offline = False
        self._unsubscribe: Callable[[], None] | None = None
        self._bridge = _Bridge(self)
        self._bridge.state.connect(self._on_state)

        self.button = named(QToolButton(), "syncStatus", "Sync status")
        self.button.setAutoRaise(True)
        self.button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.button.clicked.connect(self.open_panel)
        self.bar = named(QProgressBar(), "syncProgress", "Sync progress")
        self.bar.setFixedWidth(90)
        self.bar.setMaximumHeight(14)
        self.bar.setTextVisible(False)
        self.bar.setRange(0, 100)
        self.bar.hide()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.bar)
        layout.addWidget(self.button)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(REFRESH_MS)
        self._timer.timeout.connect(self.refresh)
        self.refresh()

    @classmethod
    def install(cls, window: Any, tz: tzinfo | None = None) -> SyncStatus:
        """Put the sync status into `window`'s status bar and follow its signals."""
        status = cls(tz, window)
        # after the transient message (index 0), before the outbox and connection labels
        window.statusBar().insertPermanentWidget(1, status)
        status.settings = lambda: getattr(window, "settings", None)
        window.context_changed.connect(status.set_context)
        window.online_changed.connect(status.set_network_online)
        status.connectivity_changed.connect(window.set_online)
        if getattr(window, "context", None) is not None:
            status.set_context(window.context)
        return status

    # -- inputs -----------------------------------------------------------------------------
    def set_time_zone(self, tz: tzinfo | None) -> None:
        """Show times (rate-limited until, last synced) in `tz` (None: the system's)."""
        self.tz = self.model.tz = tz
        self.refresh()

    def set_context(self, context: AppContext | None) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        self.context = context
        self._all_offline = False
        engine = context.engine if context is not None else None
        if engine is not None:
            self._apply_platform_intervals(engine)
        self.model.set_accounts(read_accounts(context) if context is not None else [])
        if engine is not None:
            for state in engine.states.all().values():
                self.model.apply(state, engine.states.last_synced(state.account_id))
            self._unsubscribe = engine.states.subscribe(self._bridge.state.emit)
        self.refresh()

    def platform_intervals(self) -> dict[str, float]:
        settings = self.settings()
        chosen = settings.data(PLATFORM_INTERVALS_KEY, {}) if settings is not None else {}
        return dict(chosen) if isinstance(chosen, dict) else {}

    def save_platform_interval(self, platform: str, seconds: float | None) -> None:
        chosen = self.platform_intervals()
        if seconds is None:
            chosen.pop(platform, None)
        else:
            chosen[platform] = seconds
        settings = self.settings()
        if settings is not None:
            settings.set_data(PLATFORM_INTERVALS_KEY, chosen)
            settings.sync()

    def _apply_platform_intervals(self, engine: Any) -> None:
        """The user's per-platform intervals, kept in the profile, on the running workers."""
        for platform, seconds in self.platform_intervals().items():
            try:
                engine.set_platform_interval(str(platform), float(seconds))
            except Exception as exc:  # a bad stored value must not stop the window opening
                log.warning("ignoring the sync interval for %s: %s", platform, exc)

    def set_network_online(self, online: bool) -> None:
        """The machine's connectivity (the window's online/offline): regained wakes sync."""
        regained = online and not self.network_online
        self.network_online = online
        engine = self.context.engine if self.context is not None else None
        if regained and engine is not None and not self._all_offline:
            engine.wake()
        self.schedule()

    def _on_state(self, state: AccountState) -> None:
        engine = self.context.engine if self.context is not None else None
        last = engine.states.last_synced(state.account_id) if engine is not None else None
        self.model.apply(state, last)
        states = self.model.states()
        all_offline = bool(states) and all(s.phase is Phase.OFFLINE for s in states)
        if all_offline != self._all_offline:
            self._all_offline = all_offline
            self.connectivity_changed.emit(not all_offline)
        self.schedule()

    # -- output -----------------------------------------------------------------------------
    def schedule(self) -> None:
        if not self._timer.isActive():
            self._timer.start()

    def text(self) -> str:
        if self.context is None:
            return "Sync: no workspace"
        if self.context.engine is None:
            return "Sync off: no account connected" if self.model.rowCount() == 0 else "Sync off"
        line = summary(self.model.states(), self.model.names(), self.tz)
        if not self.network_online and not self._all_offline:
            # the machine is offline: say so first; keep news that needs the user (sign-in)
            waiting = "Offline: sync waits for the connection"
            return waiting if "up to date" in line else f"{waiting} · {line}"
        return line

    def refresh(self) -> None:
        self._timer.stop()
        line = self.text()
        self.button.setText(line)
        self.button.setAccessibleName(f"Sync status: {line}. Press to open the sync panel")
        self.button.setToolTip("Open the sync panel (per-account details and errors)")
        syncing = [progress_value(s) for s in self.model.states() if s.phase is Phase.SYNCING]
        if syncing:
            known = [p for p in syncing if p is not None and p >= 0]
            if known:
                self.bar.setRange(0, 100)
                self.bar.setValue(round(sum(known) / len(known)))
            else:
                self.bar.setRange(0, 0)  # busy: no estimate yet
            self.bar.setAccessibleDescription(line)
        self.bar.setVisible(bool(syncing))
        if self.panel is not None and self.panel.isVisible():
            self.panel.refresh()
        self.refreshed.emit(line)

    def open_panel(self) -> None:
        from ui.sync_panel import SyncPanel

        if self.panel is None:
            self.panel = SyncPanel(self, self.window())
        self.panel.refresh()
        self.panel.show()
        self.panel.raise_()
        self.panel.activateWindow()

    def detach(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
