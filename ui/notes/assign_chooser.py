"""The `a` chooser: assign the conversation to me, a colleague, a team, or nobody; or hand
it off with a note. Type to filter, Enter assigns, Ctrl+H hands off to the highlighted one.

Opened with open(); it writes through the store (conversations.assign, audited) and closes
once the store confirmed, so the list shows the new owner right after.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ui.context import AppContext
from ui.naming import named
from ui.notes.common import name_scrollbars, write
from ui.notes.handoff_dialog import HandoffDialog

UNASSIGN = -1
AgentRole = Qt.ItemDataRole.UserRole


class AssignChooser(QDialog):
    assigned = Signal(int, object)  # conversation id, agent id or None

    def __init__(self, ctx: AppContext, conversation_id: int, parent: QWidget | None = None):
        super().__init__(parent)
        named(self, "assignChooser", "Assign conversation")
        self.setWindowTitle("Assign to…")
        self.ctx = ctx
        self.conversation_id = conversation_id
        self.handoff: HandoffDialog | None = None
        from desktop.store import agents, conversations

        with ctx.store.reader() as s:
            people = agents.list_all(s, include_inactive=False)
            current = conversations.get(s, conversation_id).assignee_id

        self.filter = named(QLineEdit(), "assignFilter", "Filter colleagues")
        self.filter.setPlaceholderText("Type a name…")
        self.filter.textChanged.connect(self._filter)
        self.list = named(QListWidget(), "assignList", "Assign to")
        name_scrollbars(self.list, "assignList", "Scroll colleagues")
        for agent in people:
            label = agent.label + ("   ✓ current" if agent.id == current else "")
            item = QListWidgetItem(label)
            item.setData(AgentRole, agent.id)
            item.setData(Qt.ItemDataRole.AccessibleTextRole, agent.label)
            self.list.addItem(item)
        nobody = QListWidgetItem("Unassigned" + ("   ✓ current" if current is None else ""))
        nobody.setData(AgentRole, UNASSIGN)
        self.list.addItem(nobody)
        self.list.setCurrentRow(0)
        self.list.itemActivated.connect(lambda _item: self.choose())
        self.filter.returnPressed.connect(self.choose)

        self.error = named(QLabel(), "assignError", "Problem")
        self.error.setTextFormat(Qt.TextFormat.PlainText)
        self.error.setWordWrap(True)
        self.error.hide()
        assign = named(QPushButton("Assign"), "assignButton", "Assign")
        assign.setDefault(True)
        assign.clicked.connect(self.choose)
        hand = named(QPushButton("Hand off with a note…"), "assignHandoffButton", "Hand off")
        hand.setToolTip("Ctrl+H")
        hand.clicked.connect(self.hand_off)
        cancel = named(QPushButton("Cancel"), "assignCancel", "Cancel")
        cancel.clicked.connect(self.reject)
        QShortcut(QKeySequence("Ctrl+H"), self, self.hand_off).setObjectName("shortcut_handoff")
        # Up/Down in the filter move through the list
        QShortcut(QKeySequence("Down"), self.filter, lambda: self._step(1)).setContext(
            Qt.ShortcutContext.WidgetShortcut
        )
        QShortcut(QKeySequence("Up"), self.filter, lambda: self._step(-1)).setContext(
            Qt.ShortcutContext.WidgetShortcut
        )

        buttons = QHBoxLayout()
        buttons.addWidget(hand)
        buttons.addStretch(1)
        buttons.addWidget(cancel)
        buttons.addWidget(assign)
        layout = QVBoxLayout(self)
        layout.addWidget(self.filter)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.error)
        layout.addLayout(buttons)
        self.resize(340, 360)
        self.filter.setFocus()

    def _visible_rows(self) -> list[int]:
        return [i for i in range(self.list.count()) if not self.list.item(i).isHidden()]

    def _filter(self, text: str) -> None:
        words = text.lower().split()
        for i in range(self.list.count()):
            item = self.list.item(i)
            item.setHidden(not all(w in item.text().lower() for w in words))
        rows = self._visible_rows()
        if rows and (self.list.currentRow() not in rows):
            self.list.setCurrentRow(rows[0])

    def _step(self, step: int) -> None:
        rows = self._visible_rows()
        if not rows:
            return
        at = rows.index(self.list.currentRow()) if self.list.currentRow() in rows else -1
        self.list.setCurrentRow(rows[max(0, min(len(rows) - 1, at + step))])

    def chosen(self) -> int | str | None:
        """The highlighted agent id, None for Unassigned, "" when nothing is highlighted."""
        item = self.list.currentItem()
        if item is None or item.isHidden():
            return ""
        value = int(item.data(AgentRole))
        return None if value == UNASSIGN else value

    def choose(self) -> None:
        target = self.chosen()
        if target == "":
            return
        from desktop.store import conversations

        agent_id = target if isinstance(target, int) else None
        cid = self.conversation_id
        me = self.ctx.me_id

        def done(_changed: bool) -> None:
            self.assigned.emit(cid, agent_id)
            self.accept()

        def failed(message: str) -> None:
            self.error.setText(message)
            self.error.show()

        write(self.ctx, lambda s: conversations.assign(s, cid, agent_id, by=me), done, failed)

    def hand_off(self) -> None:
        target = self.chosen()
        agent_id = target if isinstance(target, int) and target != self.ctx.me_id else None
        self.handoff = HandoffDialog(
            self.ctx, self.conversation_id, agent_id, self.parentWidget() or self
        )
        self.handoff.handed.connect(lambda cid, to: self.assigned.emit(cid, to))
        self.accept()
        self.handoff.open()
