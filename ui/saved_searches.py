"""Saved searches: a name for a search text plus the view and filters it ran with.

Kept in the profile's settings (`saved_searches`, a JSON list), so they travel with the
profile and need no schema change. The model is a flat list: rename in place (F2 or double
click: the name is the edit role), delete with Delete, apply with Enter or a click.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt, Signal

from desktop.domain.enums import ConversationStatus, Platform
from desktop.store.inbox import InboxFilter, View
from ui.settings import ProfileSettings

KEY = "saved_searches"

CountRole = Qt.ItemDataRole.UserRole + 1  # drawn right-aligned by the sidebar's delegate
SearchRole = Qt.ItemDataRole.UserRole + 2

_Index = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True)
class SavedSearch:
    name: str
    query: str = ""
    view: str = "all"
    filters: dict[str, Any] = field(default_factory=dict)  # InboxFilter field -> value

    def describe(self) -> str:
        parts = [self.query] if self.query else []
        parts += [f"{k}:{v}" for k, v in sorted(self.filters.items())]
        if self.view != "all":
            parts.append(f"in {self.view.replace('_', ' ')}")
        return " ".join(parts) or "everything"

    @classmethod
    def from_json(cls, raw: Any) -> SavedSearch | None:
        if not isinstance(raw, dict) or not isinstance(raw.get("name"), str):
            return None
        known = {f.name for f in fields(cls)}
        data = {k: v for k, v in raw.items() if k in known}
        if not isinstance(data.get("filters", {}), dict):
            data["filters"] = {}
        return cls(**data)


FIELDS = ("brand_id", "account_id", "platform", "status", "assignee_id", "tag")


def to_filter(search: SavedSearch, base: InboxFilter | None = None) -> InboxFilter:
    """The InboxFilter a saved search stands for (on top of `base`, e.g. its me_id);
    unknown values are dropped rather than failing (a saved file from another version)."""
    values: dict[str, Any] = dict.fromkeys(FIELDS)
    for key, value in search.filters.items():
        try:
            if key == "platform":
                values[key] = Platform(value)
            elif key == "status":
                values[key] = ConversationStatus(value)
            elif key in values:
                values[key] = value
        except ValueError:
            continue
    try:
        view = View(search.view)
    except ValueError:
        view = View.ALL
    return replace(base or InboxFilter(), view=view, conversation_ids=None, **values)


def count(session: Any, search: SavedSearch, me_id: int | None, limit: int = 500) -> int:
    """How many conversations a saved search shows now (a search counts up to `limit`)."""
    from desktop.store import inbox
    from desktop.store import search as full_text

    f = to_filter(search, InboxFilter(me_id=me_id))
    if search.query:
        hits = full_text.search(session, search.query, limit=limit)
        f = replace(f, conversation_ids=sorted({h.conversation_id for h in hits}))
    return inbox.count(session, f)


def load(settings: ProfileSettings) -> list[SavedSearch]:
    raw = settings.data(KEY, [])
    found = [SavedSearch.from_json(r) for r in raw] if isinstance(raw, list) else []
    return [s for s in found if s is not None]


def store(settings: ProfileSettings, searches: list[SavedSearch]) -> None:
    settings.set_data(KEY, [asdict(s) for s in searches])
    settings.sync()


class SavedSearchModel(QAbstractListModel):
    changed = Signal()  # the list changed (persist it)

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._items: list[SavedSearch] = []
        self._counts: dict[str, int] = {}  # by name

    def searches(self) -> list[SavedSearch]:
        return list(self._items)

    def set_searches(self, searches: list[SavedSearch]) -> None:
        self.beginResetModel()
        self._items = list(searches)
        self.endResetModel()

    def add(self, search: SavedSearch) -> int:
        """Add, or replace the one with the same name; returns its row."""
        for row, existing in enumerate(self._items):
            if existing.name == search.name:
                self._items[row] = search
                self.dataChanged.emit(self.index(row), self.index(row))
                self.changed.emit()
                return row
        row = len(self._items)
        self.beginInsertRows(QModelIndex(), row, row)
        self._items.append(search)
        self.endInsertRows()
        self.changed.emit()
        return row

    def set_counts(self, counts: dict[str, int]) -> None:
        if counts != self._counts:
            self._counts = dict(counts)
            if self._items:
                self.dataChanged.emit(self.index(0), self.index(len(self._items) - 1))

    def remove(self, row: int) -> None:
        if 0 <= row < len(self._items):
            self.beginRemoveRows(QModelIndex(), row, row)
            del self._items[row]
            self.endRemoveRows()
            self.changed.emit()

    def rename(self, row: int, name: str) -> bool:
        name = name.strip()
        if not 0 <= row < len(self._items) or not name:
            return False
        if any(s.name == name for i, s in enumerate(self._items) if i != row):
            return False
        self._items[row] = replace(self._items[row], name=name)
        self.dataChanged.emit(self.index(row), self.index(row))
        self.changed.emit()
        return True

    # -- Qt ---------------------------------------------------------------------------------
    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._items)

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEditable

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._items):
            return None
        s = self._items[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return s.name
        if role == Qt.ItemDataRole.ToolTipRole:
            return s.describe()
        if role == CountRole:
            n = self._counts.get(s.name)
            return "" if n is None else f"{n:,}"
        if role == Qt.ItemDataRole.AccessibleTextRole:
            n = self._counts.get(s.name)
            shown = "" if n is None else f", {n} conversations"
            return f"Saved search {s.name}: {s.describe()}{shown}"
        if role == SearchRole:
            return s
        return None

    def setData(self, index: _Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or not index.isValid():
            return False
        return self.rename(index.row(), str(value))
