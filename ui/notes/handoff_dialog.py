"""Hand a conversation to a colleague or team with a note of what was done and what is pending.

Opened with open() (never exec()); it writes the handoff itself (notes.handoff: assigns the
target, writes the note and the audit event in one transaction) and closes when the store
confirmed it, or shows the store's reason and stays open.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from ui.context import AppContext
from ui.naming import named
from ui.notes.common import name_scrollbars, write

TEMPLATE = "Done: \nPending: "


class HandoffDialog(QDialog):
    handed = Signal(int, int)  # conversation id, target agent id

    def __init__(
        self,
        ctx: AppContext,
        conversation_id: int,
        target_id: int | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        named(self, "handoffDialog", "Hand off conversation")
        self.setWindowTitle("Hand off")
        self.ctx = ctx
        self.conversation_id = conversation_id
        from desktop.store import agents

        with ctx.store.reader() as s:
            self.targets = agents.handoff_targets(s)

        self.target = named(QComboBox(), "handoffTarget", "Hand to")
        for agent in self.targets:
            self.target.addItem(agent.label, agent.id)
        named(self.target.view(), "handoffTargetPopup", "Colleagues and teams")
        if target_id is not None:
            at = self.target.findData(target_id)
            if at >= 0:
                self.target.setCurrentIndex(at)
        self.body = named(QPlainTextEdit(), "handoffNote", "Handoff note")
        self.body.setPlaceholderText("What was done, and what is still pending")
        self.body.setPlainText(TEMPLATE)
        self.body.setTabChangesFocus(True)
        name_scrollbars(self.body, "handoffNote", "Scroll the note")
        self.error = named(QLabel(), "handoffError", "Problem")
        self.error.setTextFormat(Qt.TextFormat.PlainText)
        self.error.setWordWrap(True)
        self.error.hide()
        hint = QLabel("The note stays inside Switchboard: it is never sent to the customer.")
        hint.setObjectName("handoffHint")
        hint.setWordWrap(True)

        self.buttons = named(
            QDialogButtonBox(
                QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
            ),
            "handoffButtons",
            "Hand off or cancel",
        )
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        named(ok, "handoffOk", "Hand off")
        ok.setText("Hand off")
        cancel = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        named(cancel, "handoffCancel", "Cancel")
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)

        form = QFormLayout()
        form.addRow("Hand to", self.target)
        form.addRow("Note", self.body)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(hint)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        if not self.targets:
            self._show_error("Add colleagues or teams first (Tools > Colleagues…).")
            ok.setEnabled(False)
        self.resize(460, 320)
        # Ctrl+Return hands off from the note
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(keys), self, self.submit).setObjectName("shortcut_handoffSubmit")

    def note_text(self) -> str:
        text = self.body.toPlainText().strip()
        return "" if text == TEMPLATE.strip() else text

    def _show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.show()

    def submit(self) -> None:
        target = self.target.currentData()
        body = self.note_text()
        if target is None:
            self._show_error("Choose who takes it over.")
            return
        if not body or body.replace("Done:", "").replace("Pending:", "").strip() == "":
            self._show_error("Say what was done and what is pending.")
            self.body.setFocus()
            return
        from desktop.store import notes

        me = self.ctx.me_id
        if me is None:
            self._show_error("No local user in this profile.")
            return
        cid = self.conversation_id
        self.buttons.setEnabled(False)

        def done(_note: object) -> None:
            self.handed.emit(cid, int(target))
            self.accept()

        def failed(message: str) -> None:
            self.buttons.setEnabled(True)
            self._show_error(message)

        write(
            self.ctx,
            lambda s: notes.handoff(s, cid, author_id=me, to_id=int(target), body=body),
            done,
            failed,
        )
