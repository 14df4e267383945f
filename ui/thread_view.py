"""The thread view: a conversation's messages in order, theirs on the left, ours on the right.

Each message shows its author and time (in the user's time zone, `tz`; None: the system's),
the post it replies to as context, its attachments as named links, and on our replies where
the send stands (queued / sending / uncertain / held / sent / failed with the reason). The
header names the customer with their profile line (handle, followers, verified).

Safety: all platform text is PLAIN TEXT (`Qt.PlainText`): a message saying `<img src=...>` or
`<a href="file:...">` is displayed, never interpreted, so nothing remote or local is loaded.
Links are buttons named after the attachment; pressing one first shows the real target
(punycode host included, so a look-alike domain shows as what it is) and opens only http(s)
after the user confirms, through the desktop's browser — never inside the app.

Long threads show the newest INITIAL_SHOWN messages and a button for earlier ones; a change to
the open conversation rebuilds only the bubbles from the first that changed (QLabel word-wrap
layout is the cost: ~3 ms a bubble, so a 200-message page took seconds on a loaded machine).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime, tzinfo

from PySide6.QtCore import Qt, QTimer, QUrl
from PySide6.QtGui import QDesktopServices, QEnterEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QScrollArea,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.enums import Direction, OutboxState
from ui.data_source import InboxRow, ThreadLink, ThreadMessage

INITIAL_SHOWN = 20  # newest messages shown at first: each bubble costs layout time
MORE_STEP = 100  # "Show earlier messages" adds this many
CONTEXT_CHARS = 400  # the replied-to post is context, not content: keep it short
SAFE_SCHEMES = ("http", "https")

OUTBOX_WORDS: dict[OutboxState, str] = {
    OutboxState.QUEUED: "Queued · sends when online",
    OutboxState.SENDING: "Sending…",
    OutboxState.UNCERTAIN: "Uncertain · checking with the platform before any retry",
    OutboxState.HELD: "Held",
    OutboxState.SENT: "Sent",
    OutboxState.FAILED: "Failed",
    OutboxState.CANCELLED: "Cancelled",
}
LINK_MARK = "↗"  # in the default fonts (emoji are not, under Xvfb or on many Linux desktops)


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


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def local_time(
    value: datetime | None, tz: tzinfo | None = None, now: datetime | None = None
) -> str:
    """'14:05' today, '27 Nov 14:05' this year, '27 Nov 2025 14:05' before, in `tz`."""
    if value is None:
        return ""
    local = _aware(value).astimezone(tz)
    today = _aware(now or datetime.now(UTC)).astimezone(tz)
    if local.date() == today.date():
        return f"{local:%H:%M}"
    if local.year == today.year:
        return f"{local:%d %b %H:%M}"
    return f"{local:%d %b %Y %H:%M}"


def full_time(value: datetime | None, tz: tzinfo | None = None) -> str:
    if value is None:
        return ""
    local = _aware(value).astimezone(tz)
    return f"{local:%A %d %B %Y, %H:%M} {local.tzname() or ''}".strip()


def followers_text(n: int | None) -> str:
    if n is None:
        return ""
    if n >= 1_000_000:
        return f"{n / 1_000_000:.1f}M followers".replace(".0M", "M")
    if n >= 10_000:
        return f"{n / 1000:.0f}k followers"
    if n >= 1000:
        return f"{n / 1000:.1f}k followers".replace(".0k", "k")
    return f"{n} follower" + ("" if n == 1 else "s")


def profile_line(message: ThreadMessage) -> str:
    """'@jane@example.social · 12.3k followers · verified'."""
    parts = [message.author_handle] if message.author_handle else []
    if message.followers is not None:
        parts.append(followers_text(message.followers))
    if message.verified:
        parts.append("✓ verified")
    return " · ".join(parts)


def outbox_text(message: ThreadMessage) -> str:
    if message.outbox_state is None:
        return ""
    words = OUTBOX_WORDS[message.outbox_state]
    reason = (message.outbox_error or "").strip()
    if reason and message.outbox_state in (
        OutboxState.FAILED,
        OutboxState.HELD,
        OutboxState.UNCERTAIN,
    ):
        return f"{words}: {reason}"
    return words


def link_target(url: str) -> tuple[str, str]:
    """(scheme, what the user is shown): the whole URL as it will be opened, with the host
    in punycode when it is not plain ASCII (a look-alike domain shows as what it is)."""
    qurl = QUrl(url, QUrl.ParsingMode.TolerantMode)
    scheme = qurl.scheme().lower()
    if not qurl.isValid():
        return scheme, url
    encoded = bytes(qurl.toEncoded().data()).decode("ascii", "replace")
    return scheme, encoded


def _with_context_flags(messages: Sequence[ThreadMessage]) -> list[tuple[ThreadMessage, bool]]:
    """Each message with whether to show its replied-to post: once per run of replies to it."""
    flagged: list[tuple[ThreadMessage, bool]] = []
    previous: str | None = None
    for m in messages:
        flagged.append((m, bool(m.context_text) and m.context_text != previous))
        previous = m.context_text or previous
    return flagged


class LinkButton(QToolButton):
    """An attachment or permalink by name; the real target is in its tooltip and description."""

    def __init__(self, link: ThreadLink, on_open: Callable[[str], None]) -> None:
        super().__init__()
        self.setObjectName("attachmentLink")
        kind = "" if link.kind in ("link", "file") else f" ({link.kind})"
        self.setText(f"{LINK_MARK} {link.name}{kind}")
        self.setAutoRaise(True)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        _, shown = link_target(link.url)
        self.setToolTip(shown)  # plain: QToolTip shows rich text only if it looks like it
        self.setAccessibleName(f"{link.kind.capitalize()} {link.name}")
        self.setAccessibleDescription(f"Link to {shown}")
        self.url = link.url
        self.clicked.connect(lambda: on_open(self.url))


class MessageBubble(QFrame):
    def __init__(
        self,
        message: ThreadMessage,
        *,
        tz: tzinfo | None = None,
        show_context: bool = True,
        on_open: Callable[[str], None] = lambda _url: None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        inbound = message.direction is Direction.INBOUND
        self.message = message
        self.setObjectName("inboundMessage" if inbound else "outboundMessage")
        who = message.author or ("Customer" if inbound else "You")
        when = local_time(message.created_at, tz)
        self.setAccessibleName(f"{'From' if inbound else 'Reply by'} {who}, {when}")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        layout.setSpacing(4)
        meta = plain_label(f"{who} · {when}" if when else who, "messageMeta")
        meta.setAccessibleName("Message author and time")
        meta.setToolTip(full_time(message.created_at, tz))
        layout.addWidget(meta)
        self.context: QLabel | None = None
        if show_context and message.context_text:
            quoted = message.context_text.strip()
            if len(quoted) > CONTEXT_CHARS:
                quoted = quoted[: CONTEXT_CHARS - 1].rstrip() + "…"
            self.context = plain_label(f"↪ In reply to: {quoted}", "messageContext")
            self.context.setAccessibleName("The post this replies to")
            layout.addWidget(self.context)
        # selectable labels build a QTextDocument (twice the layout cost): made selectable
        # when the pointer first enters the bubble, before any press can start a selection
        body = plain_label(message.text, "messageText")
        body.setAccessibleName(f"Message from {who}")
        body.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.body = body
        self.selectable = False
        layout.addWidget(body)
        self.links: list[LinkButton] = []
        links = list(message.attachments)
        if message.url:
            links.append(ThreadLink("View on the platform", message.url, "link"))
        if links:
            row = QHBoxLayout()
            row.setContentsMargins(0, 0, 0, 0)
            row.setSpacing(2)
            for link in links:
                button = LinkButton(link, on_open)
                self.links.append(button)
                row.addWidget(button)
            row.addStretch(1)
            layout.addLayout(row)
        self.outbox: QLabel | None = None
        if message.outbox_state is not None:
            self.outbox = plain_label(outbox_text(message), "outboxState")
            self.outbox.setProperty("state", message.outbox_state.value)
            self.outbox.setAccessibleName(f"Send state: {outbox_text(message)}")
            self.outbox.setAlignment(Qt.AlignmentFlag.AlignRight)
            layout.addWidget(self.outbox)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)

    def make_selectable(self) -> None:
        self.selectable = True
        self.body.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )

    def enterEvent(self, event: QEnterEvent) -> None:
        if not self.selectable:
            self.make_selectable()
        super().enterEvent(event)


class ThreadView(QWidget):
    def __init__(self, parent: QWidget | None = None, tz: tzinfo | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("threadView")
        self.setAccessibleName("Conversation")
        self.conversation_id: int | None = None
        self.tz = tz
        # how a confirmed link is opened (tests replace it): the desktop's browser
        self.open_url: Callable[[QUrl], object] = QDesktopServices.openUrl
        self.link_dialog: QMessageBox | None = None
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        self.title = plain_label("", "threadTitle")
        self.title.setAccessibleName("Customer")
        self.subtitle = plain_label("", "threadSubtitle")
        self.subtitle.setAccessibleName("Conversation details")
        self.profile = plain_label("", "threadProfile")
        self.profile.setAccessibleName("Customer profile")
        self.profile.hide()
        outer.addWidget(self.title)
        outer.addWidget(self.profile)
        outer.addWidget(self.subtitle)
        self.scroll: QScrollArea = QScrollArea()  # type: ignore[assignment]  # shadows QWidget.scroll()
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
        self._page: QWidget | None = None
        self._row: InboxRow | None = None
        self._all: list[ThreadMessage] = []
        self._limit = INITIAL_SHOWN
        self._first_id: int | None = None
        self._growing = False  # show_earlier: a rebuild that keeps the raised limit

    def clear(self, text: str = "Select a conversation") -> None:
        self.conversation_id = None
        self.title.setText("")
        self.subtitle.setText("")
        self.profile.setText("")
        self.profile.hide()
        self.bubbles = []
        self._page = None
        self._row, self._all = None, []
        self._placeholder = plain_label(text, "threadPlaceholder")
        self._placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._placeholder.setAccessibleName("No conversation selected")
        self.scroll.setWidget(self._placeholder)

    def show_thread(self, row: InboxRow | None, messages: Sequence[ThreadMessage]) -> None:
        """Show `row`'s messages: the newest INITIAL_SHOWN first (more on request). The same
        conversation again (a change record) keeps the bubbles that did not change and only
        rebuilds from the first that did, so a new message or an outbox move costs one bubble."""
        same = row is not None and row.id == self.conversation_id and self._page is not None
        bar = self.scroll.verticalScrollBar()
        at_bottom = bar.value() >= bar.maximum() - 4
        self.conversation_id = row.id if row else None
        self._row, self._all = row, list(messages)
        if row is not None:
            self.title.setText(row.customer_name or row.customer_handle)
            self.subtitle.setText(
                f"{row.platform.value.capitalize()} · {row.brand_name} {row.account_handle}"
            )
        customer = next(
            (m for m in messages if m.direction is Direction.INBOUND and m.author_handle), None
        )
        line = profile_line(customer) if customer is not None else ""
        if not line and row is not None:
            line = row.customer_handle
        self.profile.setText(line)
        self.profile.setVisible(bool(line))
        if not same:
            if not self._growing:
                self._limit = INITIAL_SHOWN
            self._first_id = None
        start = max(0, len(messages) - self._limit)
        if same and self._first_id is not None:
            # keep the first shown message on top: arrivals extend the page
            kept = next((i for i, m in enumerate(messages) if m.id == self._first_id), None)
            if kept is not None:
                start = min(start, kept)
        visible = list(messages[start:])
        self._first_id = visible[0].id if visible else None
        wanted = _with_context_flags(visible)
        if not same:
            self._new_page()
        self._update_page(wanted, hidden=start, empty=not messages)
        if not same or at_bottom:
            # newest at the bottom, like every chat: land there once the layout settled
            QTimer.singleShot(0, self.scroll_to_bottom)

    def show_earlier(self) -> None:
        """Show up to MORE_STEP earlier messages (rebuilds the page once)."""
        if self._row is None:
            return
        self._limit += MORE_STEP
        self._first_id = None
        row, messages = self._row, self._all
        self._page = None  # a full rebuild at the new size
        self._growing = True
        try:
            self.show_thread(row, messages)
        finally:
            self._growing = False
        QTimer.singleShot(0, lambda: self.scroll.verticalScrollBar().setValue(0))

    def _new_page(self) -> None:
        page = QWidget()
        page.setObjectName("threadPage")
        self._layout = QVBoxLayout(page)
        self._layout.setContentsMargins(12, 8, 12, 12)
        self._layout.setSpacing(8)
        self.earlier = QToolButton()
        self.earlier.setObjectName("earlierMessages")
        self.earlier.setAccessibleName("Show earlier messages")
        self.earlier.setAutoRaise(True)
        self.earlier.clicked.connect(self.show_earlier)
        self.earlier.hide()
        self._layout.addWidget(self.earlier, 0, Qt.AlignmentFlag.AlignHCenter)
        self._empty = plain_label("No messages stored for this conversation yet", "messageMeta")
        self._empty.setAccessibleName("No messages")
        self._empty.hide()
        self._layout.addWidget(self._empty)
        self._layout.addStretch(1)
        self._lines: list[QWidget] = []
        self._shown: list[tuple[ThreadMessage, bool]] = []
        self.bubbles = []
        self._page = page
        self.scroll.setWidget(page)

    def _update_page(
        self, wanted: list[tuple[ThreadMessage, bool]], hidden: int, empty: bool
    ) -> None:
        keep = 0
        for old, new in zip(self._shown, wanted, strict=False):
            if old != new:
                break
            keep += 1
        for line in self._lines[keep:]:
            self._layout.removeWidget(line)
            line.deleteLater()
        del self._lines[keep:]
        del self.bubbles[keep:]
        for message, show_context in wanted[keep:]:
            bubble = MessageBubble(
                message, tz=self.tz, show_context=show_context, on_open=self.confirm_open
            )
            holder = QWidget()
            holder.setObjectName("messageLine")
            box = QHBoxLayout(holder)
            box.setContentsMargins(0, 0, 0, 0)
            if message.direction is Direction.INBOUND:
                box.addWidget(bubble, 5)
                box.addStretch(1)
            else:
                box.addStretch(1)
                box.addWidget(bubble, 5)
            self._layout.insertWidget(self._layout.count() - 1, holder)
            self._lines.append(holder)
            self.bubbles.append(bubble)
        self._shown = list(wanted)
        if hidden:
            self.earlier.setText(
                f"Show earlier messages ({min(hidden, MORE_STEP)} of {hidden} not shown)"
            )
            self.earlier.setAccessibleName(f"Show earlier messages, {hidden} not shown")
        self.earlier.setVisible(bool(hidden))
        self._empty.setVisible(empty)

    def scroll_to_bottom(self) -> None:
        bar = self.scroll.verticalScrollBar()
        bar.setValue(bar.maximum())

    # -- links ------------------------------------------------------------------------------
    def confirm_open(self, url: str) -> None:
        """Show where a link really goes; open http(s) only after the user says so."""
        scheme, shown = link_target(url)
        box = QMessageBox(self)
        box.setObjectName("openLinkDialog")
        box.setAccessibleName("Open link")
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setWindowTitle("Open link")
        if scheme not in SAFE_SCHEMES:
            box.setIcon(QMessageBox.Icon.Warning)
            box.setText(f"Switchboard does not open {scheme or 'this kind of'} links:\n\n{shown}")
            box.setStandardButtons(QMessageBox.StandardButton.Close)
        else:
            box.setIcon(QMessageBox.Icon.Question)
            box.setText(f"This link opens in your browser:\n\n{shown}")
            box.setInformativeText(f"Host: {QUrl(shown).host()}")
            box.setStandardButtons(
                QMessageBox.StandardButton.Open | QMessageBox.StandardButton.Cancel
            )
            box.setDefaultButton(QMessageBox.StandardButton.Cancel)
            box.accepted.connect(lambda: self.open_url(QUrl(shown)))
        for button in box.buttons():
            button.setObjectName(f"openLink{box.standardButton(button).name}")
            button.setAccessibleName(button.text().replace("&", ""))
        box.finished.connect(box.deleteLater)
        self.link_dialog = box
        box.open()  # never exec(): we run inside the event loop
