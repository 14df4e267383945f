"""The canned-response picker: fuzzy search over title, shortcut and body (ranked by fit and
usage), with the chosen response shown filled in for this conversation before it goes in.

Two ways in: typing `/` plus a shortcut in the composer drives the query (`open_inline`,
the editor keeps focus and forwards Up/Down/Enter/Tab/Escape), or the Canned… button
(`open_search`) shows a search box. Unknown variables and unfilled ones are listed under
the preview; they go in as written and the composer refuses to send them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from PySide6.QtCore import QItemSelectionModel, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QVBoxLayout,
    QWidget,
)

from desktop.domain import templates
from desktop.domain.canned_search import rank
from desktop.domain.models import CannedResponse
from ui.canned.models import CannedListModel, name_scroll_bars


def _named(widget: QWidget, name: str, accessible: str) -> QWidget:
    widget.setObjectName(name)
    widget.setAccessibleName(accessible)
    return widget


class CannedPicker(QFrame):
    chosen = Signal(object, object)  # CannedResponse, templates.Rendered
    dismissed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        _named(self, "cannedPicker", "Canned responses")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.responses: list[CannedResponse] = []
        self.values: Mapping[str, str | None] = {}
        self.inline = False

        self.search = QLineEdit()
        _named(self.search, "cannedSearch", "Search canned responses")
        self.search.setPlaceholderText("Search title, shortcut or text…")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self._refilter)
        self.search.installEventFilter(self)

        self.model = CannedListModel(self)
        self.list = QListView()
        _named(self.list, "cannedList", "Matching canned responses")
        self.list.setModel(self.model)
        self.list.setUniformItemSizes(True)
        self.list.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.selectionModel().currentRowChanged.connect(lambda *_: self._preview())
        self.list.activated.connect(lambda _index: self.choose_current())
        self.list.setMinimumWidth(190)

        self.heading = QLabel("Preview")
        _named(self.heading, "cannedPreviewHeading", "Preview heading")
        self.heading.setTextFormat(Qt.TextFormat.PlainText)
        self.heading.setStyleSheet("font-weight: bold;")
        self.preview = QLabel()
        _named(self.preview, "cannedPreview", "Preview with this conversation's values")
        self.preview.setTextFormat(Qt.TextFormat.PlainText)
        self.preview.setWordWrap(True)
        self.preview.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.problems = QLabel()
        _named(self.problems, "cannedProblems", "Template problems")
        self.problems.setTextFormat(Qt.TextFormat.PlainText)
        self.problems.setWordWrap(True)
        self.problems.setStyleSheet("color: #c62828;")
        self.hint = QLabel("↑↓ choose · Enter or Tab insert · Esc close")
        _named(self.hint, "cannedHint", "Picker keys")

        right = QVBoxLayout()
        right.addWidget(self.heading)
        right.addWidget(self.preview, 1)
        right.addWidget(self.problems)
        right.addWidget(self.hint)
        body = QHBoxLayout()
        body.addWidget(self.list, 1)
        body.addLayout(right, 1)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(6, 6, 6, 6)
        outer.addWidget(self.search)
        outer.addLayout(body)
        self.setMinimumHeight(170)
        name_scroll_bars(self)
        self.hide()

    # -- data -------------------------------------------------------------------------------
    def set_responses(self, responses: Sequence[CannedResponse]) -> None:
        self.responses = list(responses)
        if self.isVisible():
            self._refilter(self.query())

    def set_values(self, values: Mapping[str, str | None]) -> None:
        self.values = dict(values)
        self._preview()

    def query(self) -> str:
        return self.search.text()

    # -- opening ----------------------------------------------------------------------------
    def open_search(self) -> None:
        self.inline = False
        self.search.show()
        self.search.clear()
        self._refilter("")
        self.show()
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def open_inline(self, query: str) -> None:
        """Driven by `/query` in the editor: no search box, the editor keeps the focus."""
        self.inline = True
        self.search.hide()
        self.search.blockSignals(True)
        self.search.setText(query)
        self.search.blockSignals(False)
        self._refilter(query)
        self.show()

    def close_picker(self) -> None:
        if self.isVisible():
            self.hide()
            self.dismissed.emit()

    # -- choosing ---------------------------------------------------------------------------
    def _refilter(self, query: str) -> None:
        self.model.set_items([r.response for r in rank(query, self.responses)])
        if self.model.rowCount():
            self.list.selectionModel().setCurrentIndex(
                self.model.index(0, 0), QItemSelectionModel.SelectionFlag.ClearAndSelect
            )
        self._preview()

    def current(self) -> CannedResponse | None:
        return self.model.item(self.list.currentIndex().row())

    def step(self, step: int) -> None:
        n = self.model.rowCount()
        if not n:
            return
        row = max(0, min(n - 1, self.list.currentIndex().row() + step))
        self.list.selectionModel().setCurrentIndex(
            self.model.index(row, 0), QItemSelectionModel.SelectionFlag.ClearAndSelect
        )

    def rendered(self, response: CannedResponse) -> templates.Rendered:
        return templates.render(response.body, self.values)

    def _preview(self) -> None:
        response = self.current()
        if response is None:
            if self.responses:
                self.preview.setText("No canned response matches.")
            else:
                self.preview.setText(
                    "No canned responses yet: Tools > Canned responses… creates them."
                )
            self.problems.setText("")
            return
        out = self.rendered(response)
        self.heading.setText(f"{response.title} — /{response.shortcut}")
        self.preview.setText(out.text)
        self.problems.setText("\n".join("⚠ " + p for p in out.problems()))

    def choose_current(self) -> bool:
        response = self.current()
        if response is None:
            return False
        out = self.rendered(response)
        self.hide()
        self.chosen.emit(response, out)
        return True

    # -- keys -------------------------------------------------------------------------------
    def handle_key(self, event: QKeyEvent) -> bool:
        """Keys the picker takes (from the editor when inline, or its search box)."""
        key = event.key()
        if key in (Qt.Key.Key_Down, Qt.Key.Key_Up):
            self.step(1 if key == Qt.Key.Key_Down else -1)
            return True
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Tab):
            if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
                return False  # Ctrl+Enter sends
            return self.choose_current() or key == Qt.Key.Key_Tab
        if key == Qt.Key.Key_Escape:
            self.close_picker()
            return True
        return False

    def eventFilter(self, watched: object, event: object) -> bool:
        if (
            watched is self.search
            and isinstance(event, QKeyEvent)
            and event.type() == QKeyEvent.Type.KeyPress
            and self.handle_key(event)
        ):
            return True
        return super().eventFilter(watched, event)  # type: ignore[arg-type]
