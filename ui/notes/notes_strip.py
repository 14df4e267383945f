"""The notes strip under the thread: internal notes and the latest handoff, unlike messages.

Notes look nothing like the thread's bubbles: an amber card with a lock line ("Internal
note, never sent"), author and time; the newest handoff sits on top as a banner ("Handed to
you by Sam") with its note, so whoever it was handed to reads it first. The input takes
@mentions with completion over the profile's colleagues and teams. Everything is plain text.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from ui.context import AppContext
from ui.naming import named
from ui.notes.common import ChangeWatch, clear_layout, name_scrollbars, plain, when, write
from ui.notes.handoff_dialog import HandoffDialog
from ui.notes.mention import MentionCompleter

NOTE_STYLE = (
    "QFrame#noteCard { background: rgba(255, 196, 0, 0.16); border-left: 3px solid #d9a400;"
    " border-radius: 4px; }"
    "QFrame#handoffBanner { background: rgba(47, 111, 219, 0.14); border-left: 3px solid #2f6fdb;"
    " border-radius: 4px; }"
)


class NoteCard(QFrame):
    def __init__(self, title: str, body: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("noteCard")
        self.setAccessibleName(f"Internal note. {title}. {body}")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 6)
        layout.setSpacing(2)
        head = plain(title, "noteTitle", wrap=False)
        head.setStyleSheet("color: palette(placeholder-text); font-size: 11px;")
        layout.addWidget(head)
        layout.addWidget(plain(body, "noteBody"))


class NotesStrip(QWidget):
    """Notes and handoff of one conversation; set_context + set_conversation drive it."""

    changed = Signal()  # after the strip re-read its notes (tests)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        named(self, "notesStrip", "Internal notes")
        self.setStyleSheet(NOTE_STYLE)
        self.ctx: AppContext | None = None
        self.conversation_id: int | None = None
        self.names: dict[int, str] = {}
        self.handoff_dialog: HandoffDialog | None = None
        # notes, colleagues, or this conversation (a sync burst elsewhere does not re-read)
        self._watch = ChangeWatch(
            self.refresh,
            wanted=lambda ch: bool(
                ch.ids("note") or ch.ids("agent") or self.conversation_id in ch.ids("conversation")
            ),
        )

        self.banner = QFrame()
        self.banner.setObjectName("handoffBanner")
        self.banner.setStyleSheet(NOTE_STYLE)  # styled on its own: it may sit above the thread
        banner = QVBoxLayout(self.banner)
        banner.setContentsMargins(8, 4, 8, 6)
        self.banner_title = plain("", "handoffBannerTitle", wrap=False)
        font = self.banner_title.font()
        font.setBold(True)
        self.banner_title.setFont(font)
        self.banner_body = plain("", "handoffBannerBody")
        banner.addWidget(self.banner_title)
        banner.addWidget(self.banner_body)
        self.banner.hide()

        self.heading = QLabel("Internal notes — never sent to the customer")
        self.heading.setObjectName("notesHeading")
        self.heading.setStyleSheet("color: palette(placeholder-text); font-size: 11px;")

        self.cards = QWidget()
        self.cards.setObjectName("noteCards")
        cards = QVBoxLayout(self.cards)
        cards.setContentsMargins(0, 0, 0, 0)
        cards.setSpacing(4)
        self.notes_scroll = named(QScrollArea(), "notesScroll", "Internal notes list")
        self.notes_scroll.setWidgetResizable(True)
        self.notes_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.notes_scroll.setWidget(self.cards)
        self.notes_scroll.setMaximumHeight(150)
        self.notes_scroll.hide()
        name_scrollbars(self.notes_scroll, "notes", "Scroll notes")

        self.input = named(QLineEdit(), "noteInput", "Write an internal note")
        self.input.setPlaceholderText("Internal note… @ mentions a colleague (never sent)")
        self.input.returnPressed.connect(self.add_note)
        self.completer = MentionCompleter(self.input)
        self.add_button = named(QPushButton("Add note"), "addNoteButton", "Add internal note")
        self.add_button.clicked.connect(self.add_note)
        self.handoff_button = named(QPushButton("Hand off…"), "handoffButton", "Hand off")
        self.handoff_button.clicked.connect(self.open_handoff)
        self.error = plain("", "notesError", "Problem")
        self.error.hide()

        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.input, 1)
        row.addWidget(self.add_button)
        row.addWidget(self.handoff_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 6)
        layout.setSpacing(4)
        layout.addWidget(self.banner)
        layout.addWidget(self.heading)
        layout.addWidget(self.notes_scroll)
        layout.addLayout(row)
        layout.addWidget(self.error)
        self._enable()

    # -- wiring -----------------------------------------------------------------------------

    def set_context(self, ctx: AppContext | None) -> None:
        self.ctx = ctx
        self._watch.watch(ctx)
        self.conversation_id = None
        self.refresh()

    def set_conversation(self, conversation_id: int | None) -> None:
        if conversation_id != self.conversation_id:
            self.input.clear()
            self.error.hide()
        self.conversation_id = conversation_id
        self.refresh()

    def _enable(self) -> None:
        ok = self.ctx is not None and self.conversation_id is not None
        for w in (self.input, self.add_button, self.handoff_button):
            w.setEnabled(ok)

    # -- reading ----------------------------------------------------------------------------
    def refresh(self) -> None:
        self._enable()
        clear_layout(self.cards)
        if self.ctx is None or self.conversation_id is None:
            self.banner.hide()
            self.notes_scroll.hide()
            self.changed.emit()
            return
        from desktop.store import agents, notes

        cid = self.conversation_id
        with self.ctx.store.reader() as s:
            self.names = agents.names(s)
            listed = notes.for_conversation(s, cid)
            top = notes.latest_handoff(s, cid)
            active = [a.name for a in agents.list_all(s, include_inactive=False) if not a.is_me]
        self.completer.set_names(active)
        self._show_banner(top)
        layout = self.cards.layout()
        assert layout is not None
        for note in reversed(listed):  # newest first, under the banner
            if top is not None and note.id == top.id:
                continue
            layout.addWidget(NoteCard(self._title(note), note.body))
        self.notes_scroll.setVisible(layout.count() > 0)
        self.heading.setText(
            f"Internal notes ({len(listed)}) — never sent to the customer"
            if listed
            else "Internal notes — never sent to the customer"
        )
        self.changed.emit()

    def _title(self, note: Any) -> str:
        who = self.names.get(note.author_id, "Someone")
        if note.handoff_to_id is not None:
            target = self.names.get(note.handoff_to_id, "?")
            return f"{who} handed it to {target} · {when(note.created_at)}"
        me = self.ctx.me_id if self.ctx is not None else None
        mentioned = " · mentions you" if me is not None and me in note.mentions else ""
        return f"Internal note · {who} · {when(note.created_at)}{mentioned}"

    def _show_banner(self, top: Any) -> None:
        if top is None:
            self.banner.hide()
            return
        who = self.names.get(top.author_id, "Someone")
        me = self.ctx.me_id if self.ctx is not None else None
        target = "you" if top.handoff_to_id == me else self.names.get(top.handoff_to_id, "?")
        title = f"↪ Handed to {target} by {who} · {when(top.created_at)}"
        self.banner_title.setText(title)
        self.banner_body.setText(top.body)
        self.banner.setAccessibleName(f"Handoff. {title}. {top.body}")
        self.banner.show()

    # -- writing ----------------------------------------------------------------------------
    def add_note(self) -> Any:
        body = self.input.text().strip()
        if not body or self.ctx is None or self.conversation_id is None:
            return None
        me = self.ctx.me_id
        if me is None:
            self._fail("No local user in this profile.")
            return None
        from desktop.store import notes

        cid = self.conversation_id
        self.input.setEnabled(False)

        def done(_note: object) -> None:
            self.input.clear()
            self.input.setEnabled(True)
            self.error.hide()
            self.refresh()
            self.input.setFocus()

        def failed(message: str) -> None:
            self.input.setEnabled(True)
            self._fail(message)

        return write(
            self.ctx,
            lambda s: notes.add(s, author_id=me, body=body, conversation_id=cid),
            done,
            failed,
        )

    def _fail(self, message: str) -> None:
        self.error.setText(message)
        self.error.show()

    def open_handoff(self, target_id: int | None = None) -> HandoffDialog | None:
        if self.ctx is None or self.conversation_id is None:
            return None
        if self.handoff_dialog is not None:
            self.handoff_dialog.deleteLater()
        self.handoff_dialog = HandoffDialog(self.ctx, self.conversation_id, target_id, self)
        self.handoff_dialog.handed.connect(lambda *_: self.refresh())
        self.handoff_dialog.open()
        return self.handoff_dialog
