"""The strip under the composer that says what happened to the last send, with Undo.

"Sending in 8 s — Undo" while the outbox's undo grace runs, "Queued — will send when online"
when there is no connection, then "Sent", or the reason it was held or failed.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget


class SendBar(QFrame):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sendBar")
        self.setAccessibleName("Send status")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        self.label = QLabel()
        self.label.setObjectName("sendStatus")
        self.label.setAccessibleName("Send status")
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.label.setWordWrap(True)
        self.undo_button = QPushButton("&Undo")
        self.undo_button.setObjectName("undoSend")
        self.undo_button.setAccessibleName("Undo send")
        self.undo_button.setToolTip("Take the reply back into the editor (Alt+U)")
        self.retry_button = QPushButton("&Retry")
        self.retry_button.setObjectName("retrySend")
        self.retry_button.setAccessibleName("Retry send")
        layout.addWidget(self.label)
        layout.addWidget(self.undo_button)
        layout.addWidget(self.retry_button)
        layout.addStretch(1)
        self.hide()

    def show_state(self, text: str, *, undo: bool = False, retry: bool = False) -> None:
        """`text` is the state ("Sending in 8 s"); with `undo` the bar reads
        "Sending in 8 s — [Undo]"."""
        self.label.setText(f"{text} —" if undo else text)
        self.setAccessibleDescription(self.text())
        self.undo_button.setVisible(undo)
        self.retry_button.setVisible(retry)
        self.show()

    def text(self) -> str:
        """What the bar says, buttons included ("Sending in 8 s — Undo")."""
        said = self.label.text()
        if not self.undo_button.isHidden():
            said += " Undo"
        if not self.retry_button.isHidden():
            said += " — Retry"
        return said

    def clear_state(self) -> None:
        self.label.setText("")
        self.hide()
