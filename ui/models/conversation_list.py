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
    Signal,
)
from PySide6.QtGui import QColor, QFont

from desktop.domain.enums import ConversationStatus
from desktop.domain.triage.priority import explain
from desktop.domain.triage.targets import format_due
from ui.data_source import InboxRow, InboxSource
from ui.icons import platform_icon

IdRole = Qt.ItemDataRole.UserRole + 1
RowRole = Qt.ItemDataRole.UserRole + 2

COLUMNS = ("", "Customer", "Message", "Account", "Waiting", "Due", "Priority", "Status", "Assignee")
(
    COL_PLATFORM,
    COL_CUSTOMER,
    COL_SNIPPET,
    COL_ACCOUNT,
    COL_AGE,
    COL_DUE,
    COL_PRIORITY,
    COL_STATUS,
    COL_ASSIGNEE,
) = range(9)
OVERDUE_COLOR = QColor("#d64545")  # readable on the light and the dark theme
HIGH_PRIORITY = 50.0  # from here the score is drawn in the overdue colour

CACHE_SIZE = 600  # rows kept; a screen shows ~40
FETCH_BEFORE = 20  # on a miss, fetch this window around the missing row
FETCH_AFTER = 80

_Index = QModelIndex | QPersistentModelIndex


def due_text(r: InboxRow, now: datetime) -> str:
    """'due in 12 min' / 'overdue 1 h 5 min' while a reply is owed, else empty."""
    if r.due_at is None or not r.needs_reply:
        return ""
    return format_due(r.due_at, now)


def priority_tooltip(r: InboxRow, now: datetime) -> str:
    """The score and every reason behind it, the waiting one worded for `now`."""
    if not r.reasons:
        return "Priority 0: nothing is owed" if not r.needs_reply else "Priority 0"
    lines = [f"Priority {r.priority:g}", *explain(r.reasons, r.due_at, now)]
    return "\n".join(lines)


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


_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
_ROLES = frozenset(
    int(r)
    for r in (
        Qt.ItemDataRole.DisplayRole,
        Qt.ItemDataRole.DecorationRole,
        Qt.ItemDataRole.FontRole,
        Qt.ItemDataRole.ToolTipRole,
        Qt.ItemDataRole.AccessibleTextRole,
        Qt.ItemDataRole.ForegroundRole,
        Qt.ItemDataRole.TextAlignmentRole,
        RowRole,
    )
)


class ConversationListModel(QAbstractTableModel):
    """The loaded part of an ordered id list (the window asks for the first rows and more as
    the user scrolls: Qt's canFetchMore/fetchMore), with rows fetched as they are painted."""

    more_wanted = Signal()  # the view scrolled near the end and there are more ids

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
        self._has_more = False
        self._cache: OrderedDict[int, InboxRow] = OrderedDict()
        self._snippets: dict[int, str] = {}  # search hits' snippets, shown instead of the last
        self._clock = clock or (lambda: datetime.now(UTC))
        self._bold = QFont()
        self._bold.setBold(True)

    # -- source and ids ---------------------------------------------------------------------
    def set_source(self, source: InboxSource | None) -> None:
        self.beginResetModel()
        self._source = source
        self._ids = []
        self._cache.clear()
        self.endResetModel()

    def set_snippets(self, snippets: dict[int, str] | None) -> None:
        """While searching, the Message column shows what matched (with [ ] around it)."""
        self._snippets = dict(snippets or {})
        if self._ids:
            self.dataChanged.emit(
                self.index(0, COL_SNIPPET), self.index(len(self._ids) - 1, COL_SNIPPET)
            )

    def ids(self) -> list[int]:
        return list(self._ids)

    def set_has_more(self, more: bool) -> None:
        """Whether ids beyond the loaded ones exist (the list asks for them by scrolling)."""
        self._has_more = more

    def canFetchMore(self, parent: _Index = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and self._has_more

    def fetchMore(self, parent: _Index = QModelIndex()) -> None:  # noqa: B008
        if self.canFetchMore(parent):
            self._has_more = False  # until the window answers with the next ids
            self.more_wanted.emit()

    def id_at(self, row: int) -> int | None:
        return self._ids[row] if 0 <= row < len(self._ids) else None

    def row_of(self, conversation_id: int) -> int | None:
        try:
            return self._ids.index(conversation_id)  # C-speed scan: ~1 ms per 100k rows
        except ValueError:
            return None

    def cached_row(self, conversation_id: int) -> InboxRow | None:
        return self._cache.get(conversation_id)

    def set_ids(self, new_ids: Sequence[int]) -> None:
        """Move to a new ordered id list with row-level signals.

        Only the window between the common prefix and the common suffix is touched (a new
        conversation at the top of a 1M list is one insert, found with C-speed slice compares).
        Inside it: vanished ids are removed, new ones inserted where they belong, and if the
        survivors changed order, a layout change maps persistent indexes (the selection) by id.
        """
        new_ids = list(new_ids)
        old = self._ids
        if new_ids == old:
            return
        if not old or not new_ids:
            self.beginResetModel()
            self._ids = new_ids
            if not new_ids:
                self._cache.clear()
            self.endResetModel()
            return
        p = _common_prefix(old, new_ids)
        s = _common_suffix(old, new_ids, min(len(old), len(new_ids)) - p)
        old_win, new_win = old[p : len(old) - s], new_ids[p : len(new_ids) - s]
        if len(old_win) > RESET_ABOVE and len(new_win) > RESET_ABOVE:
            # A different list (view, filter, sort), not an update of this one: row-by-row
            # signals would cost seconds here; the window puts the selection back by id.
            self.beginResetModel()
            self._ids = new_ids
            self.endResetModel()
            return
        if not self._fast_path(p, old_win, new_win):
            self._apply_window(p, old_win, new_win)

    def _fast_path(self, p: int, old_win: list[int], new_win: list[int]) -> bool:
        """The shapes sync produces, at C speed: new conversations at the top, and one
        conversation moving to the top because a message arrived (a row move, so the
        selection follows it)."""
        d = len(new_win) - len(old_win)
        if d < 0 or not old_win:
            return False
        # new_win == [new ids...] + [old_win[-1]] + old_win[:-1]
        if new_win[d] == old_win[-1] and new_win[d + 1 :] == old_win[:-1]:
            if d:
                self.beginInsertRows(QModelIndex(), p, p + d - 1)
                self._ids[p:p] = new_win[:d]
                self.endInsertRows()
            src, dest = p + d + len(old_win) - 1, p + d
            if src != dest:
                self.beginMoveRows(QModelIndex(), src, src, QModelIndex(), dest)
                self._ids.insert(dest, self._ids.pop(src))
                self.endMoveRows()
            return True
        # one conversation moving down: new_win == old_win[1:] + [old_win[0]]
        if d == 0 and new_win[-1] == old_win[0] and new_win[:-1] == old_win[1:]:
            src, last = p, p + len(old_win) - 1
            self.beginMoveRows(QModelIndex(), src, src, QModelIndex(), last + 1)
            self._ids.insert(last, self._ids.pop(src))
            self.endMoveRows()
            return True
        return False

    def _apply_window(self, p: int, old_win: list[int], new_win: list[int]) -> None:
        new_set = set(new_win)
        # 1. removals, as contiguous runs from the bottom so earlier rows keep their numbers
        gone = [p + i for i, cid in enumerate(old_win) if cid not in new_set]
        for first, last in reversed(_runs(gone)):
            self.beginRemoveRows(QModelIndex(), first, last)
            for cid in self._ids[first : last + 1]:
                self._cache.pop(cid, None)
            del self._ids[first : last + 1]
            self.endRemoveRows()
        survivors = [cid for cid in old_win if cid in new_set]
        old_set = set(survivors)
        # 2. insertions at their final places when the survivors kept their order
        if [cid for cid in new_win if cid in old_set] == survivors:
            added = [p + i for i, cid in enumerate(new_win) if cid not in old_set]
            for first, last in _runs(added):
                self.beginInsertRows(QModelIndex(), first, last)
                self._ids[first:first] = new_win[first - p : last - p + 1]
                self.endInsertRows()
            return
        # 3. a reorder inside the window: append the new ids to it, then one layout change
        added_ids = [cid for cid in new_win if cid not in old_set]
        if added_ids:
            first = p + len(survivors)
            self.beginInsertRows(QModelIndex(), first, first + len(added_ids) - 1)
            self._ids[first:first] = added_ids
            self.endInsertRows()
        self.layoutAboutToBeChanged.emit()
        end = p + len(new_win)
        before = self._ids[p:end]
        where = {cid: p + i for i, cid in enumerate(new_win)}
        moved_from = []
        moved_to = []
        for index in self.persistentIndexList():
            if index.isValid() and p <= index.row() < end:
                moved_from.append(index)
                moved_to.append(self.index(where[before[index.row() - p]], index.column()))
        self._ids[p:end] = new_win
        self.changePersistentIndexList(moved_from, moved_to)
        self.layoutChanged.emit()

    def refresh(self, conversation_ids: Iterable[int]) -> None:
        """Forget cached rows for these ids and repaint their rows. Rows not in the cache are
        not on screen (painting caches them) and fetch fresh data when they are painted."""
        wanted = {cid for cid in conversation_ids if self._cache.pop(cid, None) is not None}
        if not wanted:
            return
        if len(wanted) <= 16:
            rows = [r for r in (self.row_of(cid) for cid in wanted) if r is not None]
        else:
            rows = [i for i, cid in enumerate(self._ids) if cid in wanted]
        last_col = self.columnCount() - 1
        for first, last in _runs(sorted(rows)):
            self.dataChanged.emit(self.index(first, 0), self.index(last, last_col))

    def tick(self) -> None:
        """The clock moved: repaint the waiting and due columns (no refetch)."""
        if self._ids:
            self.dataChanged.emit(
                self.index(0, COL_AGE),
                self.index(len(self._ids) - 1, COL_DUE),
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
        return _FLAGS

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or index.row() >= len(self._ids):
            return None
        if role == IdRole:
            return self._ids[index.row()]
        if int(role) not in _ROLES:  # (a set of ints: painting asks ~10 roles per cell)
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
        if role == Qt.ItemDataRole.ForegroundRole:
            return self._foreground(r, col)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if col == COL_PRIORITY:
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            return None
        if role == Qt.ItemDataRole.ToolTipRole:
            if col in (COL_PRIORITY, COL_DUE):
                return priority_tooltip(r, self._clock())
            if col == COL_PLATFORM:
                return r.platform.value.capitalize()
            if col == COL_CUSTOMER:
                return f"{r.customer_name}\n{r.customer_handle}"
            if col == COL_SNIPPET:
                return self._snippets.get(r.id, r.snippet)
            if col == COL_ACCOUNT:
                return f"{r.brand_name}\n{r.account_handle}"
            return None
        if role == Qt.ItemDataRole.AccessibleTextRole:
            if col == COL_PLATFORM:
                return r.platform.value.capitalize()
            if col == COL_PRIORITY:
                return priority_tooltip(r, self._clock()).replace("\n", ", ")
        return self._text(r, col)

    def _foreground(self, r: InboxRow, col: int) -> QColor | None:
        if col == COL_DUE and r.needs_reply and r.due_at is not None:
            return OVERDUE_COLOR if r.due_at <= self._clock() else None
        if col == COL_PRIORITY and r.priority >= HIGH_PRIORITY:
            return OVERDUE_COLOR
        return None

    def _text(self, r: InboxRow, col: int) -> str:
        if col == COL_PLATFORM:
            return ""
        if col == COL_CUSTOMER:
            marker = "● " if r.unread else ""
            # no customer yet: a thread that holds only the brand's own post
            return f"{marker}{r.customer_name or r.customer_handle or OWN_POST}"
        if col == COL_SNIPPET:
            # one line: newlines would break fixed heights
            return " ".join(self._snippets.get(r.id, r.snippet).split())
        if col == COL_ACCOUNT:
            return f"{r.brand_name} · {r.account_handle}"
        if col == COL_AGE:
            since = r.last_inbound_at if r.needs_reply else r.last_message_at
            return age_text(since, self._clock())
        if col == COL_DUE:
            return due_text(r, self._clock())
        if col == COL_PRIORITY:
            return f"{r.priority:.0f}" if r.priority > 0 else ""
        if col == COL_STATUS:
            return "Needs reply" if r.needs_reply else _STATUS_TEXT.get(r.status, r.status.value)
        if col == COL_ASSIGNEE:
            return r.assignee_name or ""
        return ""


CHUNK = 4096
# Above this many changed ids on both sides, set_ids resets instead of diffing.
RESET_ABOVE = 2000
OWN_POST = "Your post (no replies yet)"


def _common_prefix(a: list[int], b: list[int]) -> int:
    """Length of the common prefix, compared chunk by chunk at C speed."""
    n = min(len(a), len(b))
    i = 0
    while i < n and a[i : i + CHUNK] == b[i : i + CHUNK]:
        i += CHUNK
    while i < n and a[i] == b[i]:
        i += 1
    return min(i, n)


def _common_suffix(a: list[int], b: list[int], limit: int) -> int:
    """Length of the common suffix, at most `limit` (so it never overlaps the prefix)."""
    la, lb = len(a), len(b)
    k = 0
    while k + CHUNK <= limit and a[la - k - CHUNK : la - k] == b[lb - k - CHUNK : lb - k]:
        k += CHUNK
    while k < limit and a[la - k - 1] == b[lb - k - 1]:
        k += 1
    return k


def _runs(sorted_rows: Sequence[int]) -> list[tuple[int, int]]:
    """[1,2,3,7,8] -> [(1,3),(7,8)]"""
    runs: list[tuple[int, int]] = []
    for r in sorted_rows:
        if runs and runs[-1][1] == r - 1:
            runs[-1] = (runs[-1][0], r)
        else:
            runs.append((r, r))
    return runs


__all__ = [
    "COLUMNS",
    "ConversationListModel",
    "IdRole",
    "RowRole",
    "age_text",
    "due_text",
    "priority_tooltip",
]
