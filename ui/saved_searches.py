"""Saved searches: a name for a search text plus the view and filters it ran with.

Kept in the profile's settings (`saved_searches`, a JSON list), so they travel with the
profile and need no schema change. The model is a flat list: rename in place (F2 or double
click: the name is the edit role), delete with Delete, apply with Enter or a click.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt, Signal

from ui.settings import ProfileSettings

KEY = "saved_searches"

SearchRole = Qt.ItemDataRole.UserRole + 1

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
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"Saved search {s.name}: {s.describe()}"
        if role == SearchRole:
            return s
        return None

    def setData(self, index: _Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or not index.isValid():
            return False
        return self.rename(index.row(), str(value))
