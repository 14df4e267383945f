"""The sidebar's brands-and-accounts tree: "All accounts", then each brand with its accounts.

Rows carry the platform icon, the account's sync state (from the engine's AccountStates:
online, syncing, offline, rate-limited, needs sign-in, failing) and a needs-reply count
(CountRole, drawn right-aligned). The counts are one GROUP BY over the needs-reply partial
index. A QStandardItemModel: small (tens of rows), refreshed in place so the selection stays.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QStandardItem, QStandardItemModel

from desktop.domain.enums import AccountStatus, Platform
from ui.icons import platform_icon

CountRole = Qt.ItemDataRole.UserRole + 1
KindRole = Qt.ItemDataRole.UserRole + 2  # "all" | "brand" | "account"
EntityRole = Qt.ItemDataRole.UserRole + 3  # brand or account id
PhaseRole = Qt.ItemDataRole.UserRole + 4  # the account's sync phase (str) or None


@dataclass(frozen=True, slots=True)
class AccountEntry:
    id: int
    brand_id: int
    platform: Platform
    handle: str
    display_name: str
    status: AccountStatus


@dataclass(frozen=True, slots=True)
class SidebarData:
    brands: list[tuple[int, str]]
    accounts: list[AccountEntry]
    needs_reply: dict[int, int]  # account id -> conversations needing a reply


# One pass over the table: no index covers (needs reply, account), and SQLite's own plan
# (walk ix_conv_account_last, look every row up) took 2.9 s at 1M messages against 0.43 s
# for the plain scan. Still too slow for the UI thread: the window runs it on a worker.
NEEDS_REPLY_BY_ACCOUNT = (
    "SELECT account_id, count(*) FROM conversations NOT INDEXED"
    " WHERE last_direction = 'in' AND status IN ('open', 'pending') GROUP BY account_id"
)


def read_sidebar(store: Any) -> SidebarData:
    """Brands and accounts from the store (a short reader session; counts: read_counts)."""
    from sqlalchemy import text

    from desktop.store import accounts

    with store.reader() as session:
        brands = [
            (int(r[0]), str(r[1]))
            for r in session.execute(text("SELECT id, name FROM brands ORDER BY name"))
        ]
        entries = [
            AccountEntry(
                a.id, a.brand_id, a.platform, a.handle, a.display_name or a.handle, a.status
            )
            for a in accounts.list_accounts(session)
        ]
    return SidebarData(brands, entries, {})


def read_counts(store: Any) -> dict[int, int]:
    from sqlalchemy import text

    with store.reader() as session:
        return {int(r[0]): int(r[1]) for r in session.execute(text(NEEDS_REPLY_BY_ACCOUNT))}


def state_text(phase: str | None, until: datetime | None = None, error: str | None = None) -> str:
    """Short words for a sync phase, as shown after the account's name."""
    if phase in (None, "online"):
        return ""
    if phase == "syncing":
        return "syncing…"
    if phase == "offline":
        return "offline"
    if phase == "rate_limited":
        if until is not None:
            local = until.replace(tzinfo=until.tzinfo or UTC).astimezone()
            return f"rate-limited until {local:%H:%M}"
        return "rate-limited"
    if phase == "needs_reauth":
        return "needs sign-in"
    if phase == "paused":
        return "paused"
    if phase == "disconnected":
        return "removed, history kept"
    return "sync failing"


class AccountTreeModel(QStandardItemModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._accounts: dict[int, QStandardItem] = {}
        self._brands: dict[int, QStandardItem] = {}
        self._data = SidebarData([], [], {})
        self._states: dict[int, tuple[str, datetime | None, str | None]] = {}

    # -- loading ----------------------------------------------------------------------------
    def load(self, data: SidebarData) -> None:
        """Rebuild when brands/accounts changed; otherwise only update texts and counts."""
        if not data.needs_reply:  # keep the counts we have until new ones are read
            data = SidebarData(data.brands, data.accounts, self._data.needs_reply)
        shape = ([b for b, _ in data.brands], [(a.id, a.brand_id) for a in data.accounts])
        old = ([b for b, _ in self._data.brands], [(a.id, a.brand_id) for a in self._data.accounts])
        self._data = data
        if shape != old or self.rowCount() == 0:
            self._rebuild()
        self._update_texts()

    def _rebuild(self) -> None:
        self.clear()
        self._accounts.clear()
        self._brands.clear()
        root = self.invisibleRootItem()
        everything = QStandardItem("All accounts")
        everything.setData("all", KindRole)
        everything.setEditable(False)
        root.appendRow(everything)
        for brand_id, name in self._data.brands:
            brand = QStandardItem(name)
            brand.setData("brand", KindRole)
            brand.setData(brand_id, EntityRole)
            brand.setEditable(False)
            self._brands[brand_id] = brand
            for a in self._data.accounts:
                if a.brand_id != brand_id:
                    continue
                item = QStandardItem(platform_icon(a.platform), a.handle)
                item.setData("account", KindRole)
                item.setData(a.id, EntityRole)
                item.setEditable(False)
                brand.appendRow(item)
                self._accounts[a.id] = item
            root.appendRow(brand)

    def _update_texts(self) -> None:
        by_brand: dict[int, int] = {}
        total = 0
        for a in self._data.accounts:
            item = self._accounts.get(a.id)
            n = self._data.needs_reply.get(a.id, 0)
            by_brand[a.brand_id] = by_brand.get(a.brand_id, 0) + n
            total += n
            if item is None:
                continue
            phase, until, error = self._states.get(a.id, (None, None, None))
            if a.status is AccountStatus.PAUSED:
                phase = "paused"
            elif a.status.value == "disconnected":  # removed, history kept
                phase = "disconnected"
            elif a.status is AccountStatus.NEEDS_REAUTH and phase in (None, "online"):
                phase = "needs_reauth"
            words = state_text(phase, until, error)
            text = f"{a.handle} · {words}" if words else a.handle
            _set(item, Qt.ItemDataRole.DisplayRole, text)
            _set(item, CountRole, f"{n:,}" if n else "")
            _set(item, PhaseRole, phase or "online")
            tip = f"{a.platform.value.title()} {a.display_name} ({a.handle}): {words or 'online'}"
            if error:
                tip += f"\n{error}"
            _set(item, Qt.ItemDataRole.ToolTipRole, tip)
            _set(
                item,
                Qt.ItemDataRole.AccessibleTextRole,
                f"{a.platform.value} account {a.handle}, {words or 'online'}, {n} need a reply",
            )
        for brand_id, name in self._data.brands:
            brand = self._brands.get(brand_id)
            if brand is None:
                continue
            n = by_brand.get(brand_id, 0)
            _set(brand, CountRole, f"{n:,}" if n else "")
            _set(brand, Qt.ItemDataRole.AccessibleTextRole, f"Brand {name}, {n} need a reply")
            _set(brand, Qt.ItemDataRole.ToolTipRole, f"{name}: {n:,} conversations need a reply")
        top = self.item(0)
        if top is not None:
            _set(top, CountRole, f"{total:,}" if total else "")
            what = f"{total:,} conversations need a reply"
            _set(top, Qt.ItemDataRole.ToolTipRole, f"Every brand and account: {what}")
            _set(top, Qt.ItemDataRole.AccessibleTextRole, f"All accounts, {what}")

    def set_counts(self, needs_reply: dict[int, int]) -> None:
        if needs_reply != self._data.needs_reply:
            self._data = SidebarData(self._data.brands, self._data.accounts, needs_reply)
            self._update_texts()

    # -- sync states ------------------------------------------------------------------------
    def set_state(
        self, account_id: int, phase: str, until: datetime | None = None, error: str | None = None
    ) -> None:
        self._states[account_id] = (phase, until, error)
        if account_id in self._accounts:
            self._update_texts()

    def phase(self, account_id: int) -> str | None:
        item = self._accounts.get(account_id)
        return item.data(PhaseRole) if item is not None else None

    def index_of(self, kind: str, entity_id: int | None = None) -> Any:
        if kind == "all":
            return self.index(0, 0)
        item = (self._brands if kind == "brand" else self._accounts).get(entity_id or -1)
        return item.index() if item is not None else None


def _set(item: QStandardItem, role: int, value: object) -> None:
    if item.data(role) != value:  # no dataChanged (and repaint) for nothing
        item.setData(value, role)
