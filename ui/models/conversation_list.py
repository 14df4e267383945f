"""The conversation list: a windowed table model over ordered conversation ids.

The model holds only the ids (a 1M-row list is 8 MB of ints, not 1M row objects); the
display rows for the visible window are fetched from the source on demand and kept in a small
LRU. Updates never reset the model: vanished ids are removed, new ids inserted, reorders are a
layout change that carries persistent indexes by id — so the view keeps the selected
conversation selected and the user's place while new items arrive.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QFont

from desktop.domain.enums import ConversationStatus
from ui.data_source import InboxRow, InboxSource
from ui.icons import platform_icon

IdRole = Qt.ItemDataRole.UserRole + 1
RowRole = Qt.ItemDataRole.UserRole + 2

COLUMNS = ("", "Customer", "Message", "Account", "Waiting", "Status", "Assignee")
COL_PLATFORM, COL_CUSTOMER, COL_SNIPPET, COL_ACCOUNT, COL_AGE, COL_STATUS, COL_ASSIGNEE = range(7)

CACHE_SIZE = 600  # rows kept; a screen shows ~40
FETCH_BEFORE = 20  # on a miss, fetch this window around the missing row
FETCH_AFTER = 80

_Index = QModelIndex | QPersistentModelIndex


def age_text(since: datetime | None, now: datetime) -> str:
    """Compact waiting time: 'now', '5m', '3h', '2d', '6w'."""
    if since is None:
        return ""
    if since.tzinfo is None:
        since = since.replace(tzinfo=UTC)
    seconds = max(0.0, (now - since).total_seconds())
    if seconds < 60:
        return "now"
    if seconds < 3600:
        return f"{int(seconds // 60)}m"
    if seconds < 86400:
        return f"{int(seconds // 3600)}h"
    if seconds < 86400 * 14:
        return f"{int(seconds // 86400)}d"
    return f"{int(seconds // (86400 * 7))}w"


_STATUS_TEXT = {
    ConversationStatus.OPEN: "Open",
    ConversationStatus.PENDING: "Pending",
    ConversationStatus.SNOOZED: "Snoozed",
    ConversationStatus.RESOLVED: "Resolved",
}


class ConversationListModel(QAbstractTableModel):
    def __init__(
        self,
        source: InboxSource | None = None,
        *,
        clock: Callable[[], datetime] | None = None,
        parent: object = None,
    ) -> None:
        super().__init__(parent)  # type: ignore[arg-type]
        self._source = source
        self._ids: list[int] = []
        self._row_of: dict[int, int] | None = {}
        self._cache: OrderedDict[int, InboxRow] = OrderedDict()
        self._clock = clock or (lambda: datetime.now(UTC))
        self._bold = QFont()
        self._bold.setBold(True)

    # -- source and ids ---------------------------------------------------------------------
    def set_source(self, source: InboxSource | None) -> None:
        self.beginResetModel()
        self._source = source
        self._ids = []
        self._row_of = {}
        self._cache.clear()
        self.endResetModel()

    def ids(self) -> list[int]:
        return list(self._ids)

    def id_at(self, row: int) -> int | None:
        return self._ids[row] if 0 <= row < len(self._ids) else None

    def row_of(self, conversation_id: int) -> int | None:
        if self._row_of is None:
            self._row_of = {cid: i for i, cid in enumerate(self._ids)}
        return self._row_of.get(conversation_id)

    def cached_row(self, conversation_id: int) -> InboxRow | None:
        return self._cache.get(conversation_id)

    def set_ids(self, new_ids: Sequence[int]) -> None:
        """Move to a new ordered id list with row-level signals (never a reset).

        Removes vanished ids, inserts new ones where they belong, and if the survivors changed
        order, emits a layout change that maps persistent indexes (the selection) by id.
        """
        new_ids = list(new_ids)
        if new_ids == self._ids:
            return
        new_set = set(new_ids)
        # 1. removals, as contiguous runs from the bottom so earlier rows keep their numbers
        gone = [i for i, cid in enumerate(self._ids) if cid not in new_set]
        for first, last in reversed(_runs(gone)):
            self.beginRemoveRows(QModelIndex(), first, last)
            for cid in self._ids[first : last + 1]:
                self._cache.pop(cid, None)
            del self._ids[first : last + 1]
            self._row_of = None
            self.endRemoveRows()
        # 2. insertions: at their final places when the survivors kept their order
        old_set = set(self._ids)
        survivors_in_new_order = [cid for cid in new_ids if cid in old_set]
        if survivors_in_new_order == self._ids:
            added = [i for i, cid in enumerate(new_ids) if cid not in old_set]
            for first, last in _runs(added):
                self.beginInsertRows(QModelIndex(), first, last)
                self._ids[first:first] = new_ids[first : last + 1]
                self._row_of = None
                self.endInsertRows()
            return
        # 3. a reorder: append the new ids, then one layout change to the final order
        added_ids = [cid for cid in new_ids if cid not in old_set]
        if added_ids:
            first = len(self._ids)
            self.beginInsertRows(QModelIndex(), first, first + len(added_ids) - 1)
            self._ids.extend(added_ids)
            self._row_of = None
            self.endInsertRows()
        self.layoutAboutToBeChanged.emit()
        persistent = self.persistentIndexList()
        old_ids = self._ids
        self._ids = new_ids
        self._row_of = None
        new_rows = {cid: i for i, cid in enumerate(new_ids)}
        self._row_of = new_rows
        targets = [
            self.index(new_rows[old_ids[p.row()]], p.column()) if p.isValid() else QModelIndex()
            for p in persistent
        ]
        self.changePersistentIndexList(persistent, targets)
        self.layoutChanged.emit()

    def refresh(self, conversation_ids: Iterable[int]) -> None:
        """Forget cached rows for these ids and repaint only their rows."""
        rows: list[int] = []
        for cid in conversation_ids:
            self._cache.pop(cid, None)
            row = self.row_of(cid)
            if row is not None:
                rows.append(row)
        last_col = self.columnCount() - 1
        for first, last in _runs(sorted(rows)):
            self.dataChanged.emit(self.index(first, 0), self.index(last, last_col))

    def tick(self) -> None:
        """The clock moved: repaint the age column (no refetch)."""
        if self._ids:
            self.dataChanged.emit(
                self.index(0, COL_AGE),
                self.index(len(self._ids) - 1, COL_AGE),
                [Qt.ItemDataRole.DisplayRole],
            )

    # -- fetching ---------------------------------------------------------------------------
    def _row(self, row: int) -> InboxRow | None:
        cid = self._ids[row]
        hit = self._cache.get(cid)
        if hit is not None:
            self._cache.move_to_end(cid)
            return hit
        if self._source is None:
            return None
        lo = max(0, row - FETCH_BEFORE)
        hi = min(len(self._ids), row + FETCH_AFTER)
        wanted = [i for i in self._ids[lo:hi] if i not in self._cache]
        for fetched in self._source.rows(wanted):
            self._cache[fetched.id] = fetched
        while len(self._cache) > CACHE_SIZE:
            self._cache.popitem(last=False)
        return self._cache.get(cid)

    # -- QAbstractTableModel ----------------------------------------------------------------
    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(COLUMNS):
            if role == Qt.ItemDataRole.DisplayRole:
                return COLUMNS[section]
            if role == Qt.ItemDataRole.ToolTipRole and section == COL_PLATFORM:
                return "Platform"
        return None

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or index.row() >= len(self._ids):
            return None
        if role == IdRole:
            return self._ids[index.row()]
        if role not in (
            Qt.ItemDataRole.DisplayRole,
            Qt.ItemDataRole.DecorationRole,
            Qt.ItemDataRole.FontRole,
            Qt.ItemDataRole.ToolTipRole,
            Qt.ItemDataRole.AccessibleTextRole,
            RowRole,
        ):
            return None
        r = self._row(index.row())
        if r is None:
            return None
        col = index.column()
        if role == RowRole:
            return r
        if role == Qt.ItemDataRole.FontRole:
            return self._bold if r.unread and col in (COL_CUSTOMER, COL_SNIPPET) else None
        if role == Qt.ItemDataRole.DecorationRole:
            return platform_icon(r.platform) if col == COL_PLATFORM else None
        if role == Qt.ItemDataRole.ToolTipRole:
            if col == COL_PLATFORM:
                return r.platform.value.capitalize()
            if col == COL_CUSTOMER:
                return f"{r.customer_name}\n{r.customer_handle}"
            if col == COL_SNIPPET:
                return r.snippet
            if col == COL_ACCOUNT:
                return f"{r.brand_name}\n{r.account_handle}"
            return None
        if role == Qt.ItemDataRole.AccessibleTextRole and col == COL_PLATFORM:
            return r.platform.value.capitalize()
        return self._text(r, col)

    def _text(self, r: InboxRow, col: int) -> str:
        if col == COL_PLATFORM:
            return ""
        if col == COL_CUSTOMER:
            marker = "● " if r.unread else ""
            return f"{marker}{r.customer_name}"
        if col == COL_SNIPPET:
            return " ".join(r.snippet.split())  # one line: newlines would break fixed heights
        if col == COL_ACCOUNT:
            return f"{r.brand_name} · {r.account_handle}"
        if col == COL_AGE:
            since = r.last_inbound_at if r.needs_reply else r.last_message_at
            return age_text(since, self._clock())
        if col == COL_STATUS:
            return "Needs reply" if r.needs_reply else _STATUS_TEXT.get(r.status, r.status.value)
        if col == COL_ASSIGNEE:
            return r.assignee_name or ""
        return ""


def _runs(sorted_rows: Sequence[int]) -> list[tuple[int, int]]:
    """[1,2,3,7,8] -> [(1,3),(7,8)]"""
    runs: list[tuple[int, int]] = []
    for r in sorted_rows:
        if runs and runs[-1][1] == r - 1:
            runs[-1] = (runs[-1][0], r)
        else:
            runs.append((r, r))
    return runs


__all__ = ["COLUMNS", "ConversationListModel", "IdRole", "RowRole", "age_text"]
