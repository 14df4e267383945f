"""Tags as removable chips with an input that completes from the tags in use.

One widget for both places tags live (the conversation and the customer): the owner passes
functions that add and remove a tag in the store (each audited there).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QStringListModel, Qt, Signal
from PySide6.QtWidgets import QCompleter, QHBoxLayout, QLabel, QLineEdit, QToolButton, QWidget

from ui.naming import named
from ui.notes.common import clear_layout

TagWrite = Callable[[str], Any]  # returns the write task (or None)


class TagEditor(QWidget):
    edited = Signal()

    def __init__(self, name: str, what: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        named(self, name, what)
        self._name = name
        self._add: TagWrite | None = None
        self._remove: TagWrite | None = None
        self.tags: list[str] = []
        self.chips = QWidget()
        self.chips.setObjectName(f"{name}Chips")
        chips = QHBoxLayout(self.chips)
        chips.setContentsMargins(0, 0, 0, 0)
        chips.setSpacing(4)
        self.input = named(QLineEdit(), f"{name}Input", f"Add a tag to the {what.lower()}")
        self.input.setPlaceholderText("+ tag")
        self.input.setMaximumWidth(80)
        self.input.setMinimumWidth(56)
        self.input.returnPressed.connect(self._submit)
        self.known = QStringListModel(self)
        completer = QCompleter(self.known, self.input)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        popup = completer.popup()
        if popup is not None:
            named(popup, f"{name}Completions", "Tags in use")
        self.input.setCompleter(completer)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.chips)
        layout.addWidget(self.input)
        layout.addStretch(1)

    def bind(self, add: TagWrite | None, remove: TagWrite | None) -> None:
        self._add, self._remove = add, remove
        self.input.setEnabled(add is not None)

    def set_tags(self, tags: Sequence[str], known: Sequence[str] = ()) -> None:
        self.tags = list(tags)
        self.known.setStringList([t for t in known if t not in self.tags])
        clear_layout(self.chips)
        layout = self.chips.layout()
        assert layout is not None
        for i, tag in enumerate(self.tags):
            chip = QLabel(tag)
            chip.setTextFormat(Qt.TextFormat.PlainText)
            chip.setObjectName("tagChip")
            chip.setStyleSheet(
                "QLabel#tagChip { background: palette(midlight); border-radius: 8px;"
                " padding: 1px 6px; }"
            )
            remove = named(QToolButton(), f"{self._name}Remove{i}", f"Remove tag {tag}")
            remove.setText("×")
            remove.setAutoRaise(True)
            remove.clicked.connect(lambda _c=False, t=tag: self._drop(t))
            layout.addWidget(chip)
            layout.addWidget(remove)

    def _submit(self) -> Any:
        tag = self.input.text().strip()
        if not tag or self._add is None:
            return None
        self.input.clear()
        task = self._add(tag)
        self.edited.emit()
        return task

    def _drop(self, tag: str) -> Any:
        if self._remove is None:
            return None
        task = self._remove(tag)
        self.edited.emit()
        return task
