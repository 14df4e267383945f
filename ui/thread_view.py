"""The thread view: a conversation's messages in order, inbound left, ours right.

All platform text is shown as PLAIN TEXT (`Qt.PlainText`): a message saying `<img src=...>` or
`<a href="file:...">` is displayed, never interpreted, so nothing remote or local is loaded.
Long threads show the newest MAX_SHOWN messages (a count of the earlier ones on top); a
windowed view replaces this when threads get their own model.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.enums import Direction
from ui.data_source import InboxRow, ThreadMessage

MAX_SHOWN = 200


def plain_label(text: str, name: str, *, selectable: bool = False) -> QLabel:
    label = QLabel()
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setText(text)
    label.setObjectName(name)
    label.setWordWrap(True)
    if selectable:
        label.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
    return label


def local_time(value: datetime | None) -> str:
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone().strftime("%d %b %H:%M")


class MessageBubble(QFrame):
    def __init__(self, message: ThreadMessage, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        inbound = message.direction is Direction.INBOUND
        self.setObjectName("inboundMessage" if inbound else "outboundMessage")
        who = message.author or ("Customer" if inbound else "You")
        self.setAccessibleName(f"{'From' if inbound else 'Reply by'} {who}")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        layout.setSpacing(4)
        meta = plain_label(f"{who} · {local_time(message.created_at)}", "messageMeta")
        meta.setAccessibleName("Message author and time")
        body = plain_label(message.text, "messageText", selectable=True)
        body.setAccessibleName(f"Message from {who}")
        body.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        layout.addWidget(meta)
        layout.addWidget(body)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)


class ThreadView(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("threadView")
        self.setAccessibleName("Conversation")
        self.conversation_id: int | None = None
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        self.title = plain_label("", "threadTitle")
        self.title.setAccessibleName("Customer")
        self.subtitle = plain_label("", "threadSubtitle")
        self.subtitle.setAccessibleName("Conversation details")
        outer.addWidget(self.title)
        outer.addWidget(self.subtitle)
        self.scroll = QScrollArea()
        self.scroll.setObjectName("threadScroll")
        self.scroll.setAccessibleName("Messages")
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.verticalScrollBar().setObjectName("threadScrollBar")
        self.scroll.verticalScrollBar().setAccessibleName("Scroll messages")
        outer.addWidget(self.scroll, 1)
        self._placeholder = plain_label("Select a conversation", "threadPlaceholder")
        self._placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._placeholder.setAccessibleName("No conversation selected")
        self.scroll.setWidget(self._placeholder)
        self.bubbles: list[MessageBubble] = []

    def clear(self, text: str = "Select a conversation") -> None:
        self.conversation_id = None
        self.title.setText("")
        self.subtitle.setText("")
        self.bubbles = []
        self._placeholder = plain_label(text, "threadPlaceholder")
        self._placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._placeholder.setAccessibleName("No conversation selected")
        self.scroll.setWidget(self._placeholder)

    def show_thread(self, row: InboxRow | None, messages: Sequence[ThreadMessage]) -> None:
        same = row is not None and row.id == self.conversation_id
        bar = self.scroll.verticalScrollBar()
        at_bottom = bar.value() >= bar.maximum() - 4
        self.conversation_id = row.id if row else None
        if row is not None:
            self.title.setText(row.customer_name or row.customer_handle)
            self.subtitle.setText(
                f"{row.customer_handle} · {row.platform.value.capitalize()} · "
                f"{row.brand_name} {row.account_handle}"
            )
        page = QWidget()
        page.setObjectName("threadPage")
        layout = QVBoxLayout(page)
        layout.setContentsMargins(12, 8, 12, 12)
        layout.setSpacing(8)
        hidden = max(0, len(messages) - MAX_SHOWN)
        if hidden:
            more = plain_label(f"{hidden} earlier messages not shown", "messageMeta")
            more.setAlignment(Qt.AlignmentFlag.AlignCenter)
            more.setAccessibleName("Earlier messages")
            layout.addWidget(more)
        self.bubbles = []
        for message in messages[hidden:]:
            bubble = MessageBubble(message)
            self.bubbles.append(bubble)
            line = QHBoxLayout()
            line.setContentsMargins(0, 0, 0, 0)
            if message.direction is Direction.INBOUND:
                line.addWidget(bubble, 5)
                line.addStretch(1)
            else:
                line.addStretch(1)
                line.addWidget(bubble, 5)
            layout.addLayout(line)
        if not messages:
            empty = plain_label("No messages stored for this conversation yet", "messageMeta")
            empty.setAccessibleName("No messages")
            layout.addWidget(empty)
        layout.addStretch(1)
        self.scroll.setWidget(page)
        if not same or at_bottom:
            # newest at the bottom, like every chat: land there once the layout settled
            QTimer.singleShot(0, self.scroll_to_bottom)

    def scroll_to_bottom(self) -> None:
        bar = self.scroll.verticalScrollBar()
        bar.setValue(bar.maximum())
