"""Per-profile UI settings: window geometry, splitters, columns, view, sort, saved searches.

An INI file inside the profile folder (`switchboard.ini`, via QSettings), so a profile copied
to another machine keeps its layout, and two profiles never share one. Without a profile
(tests, no workspace) the values live in memory. Values are plain JSON-able data or QByteArray
(Qt's saveState blobs).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from PySide6.QtCore import QByteArray, QSettings

SETTINGS_NAME = "switchboard.ini"


class ProfileSettings:
    def __init__(self, profile: Path | None) -> None:
        self.path = profile / SETTINGS_NAME if profile is not None else None
        self._memory: dict[str, Any] = {}
        self._qs: QSettings | None = None
        if self.path is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._qs = QSettings(str(self.path), QSettings.Format.IniFormat)

    # Qt state blobs (saveGeometry / saveState)
    def blob(self, key: str) -> QByteArray | None:
        value = self._get(key)
        return value if isinstance(value, QByteArray) and not value.isEmpty() else None

    def set_blob(self, key: str, value: QByteArray) -> None:
        self._set(key, value)

    # JSON data (lists, dicts, strings, numbers): stored as text so INI keeps the types
    def data(self, key: str, default: Any = None) -> Any:
        raw = self._get(key)
        if raw is None:
            return default
        try:
            return json.loads(str(raw))
        except ValueError:
            return default

    def set_data(self, key: str, value: Any) -> None:
        self._set(key, json.dumps(value, ensure_ascii=False))

    def sync(self) -> None:
        if self._qs is not None:
            self._qs.sync()

    def _get(self, key: str) -> Any:
        if self._qs is None:
            return self._memory.get(key)
        return self._qs.value(key)

    def _set(self, key: str, value: Any) -> None:
        if self._qs is None:
            self._memory[key] = value
        else:
            self._qs.setValue(key, value)
