"""The customer panel beside the conversation: who this person is everywhere, and every
conversation the brands had with them.

Name, tags (customer and this conversation), every identity on every platform (handle,
followers, verified, profile link shown as its real address), notes on the customer, and a
timeline of every conversation with them across brands and platforms, newest first; Enter or
double-click opens one. Likely duplicates are suggested with their score and reasons and are
merged only when the user confirms; an identity can be split out again. Export writes
everything stored about the person as JSON; Erase lists exactly what will go, then deletes it.

Reads are short reader sessions on the UI thread; writes go through the writer thread. The
panel refreshes (coalesced) on change records that touch this customer or their conversations.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTimer,
    QUrl,
    Signal,
)
from PySide6.QtGui import QDesktopServices, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListView,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ui.context import AppContext
from ui.icons import platform_icon
from ui.naming import named
from ui.notes.common import clear_layout, name_scrollbars, plain, text_tip, when, write
from ui.notes.notes_strip import NOTE_STYLE, NoteCard
from ui.notes.tag_editor import TagEditor

ConversationIdRole = Qt.ItemDataRole.UserRole + 1
ProfileRole = Qt.ItemDataRole.UserRole + 2
Index = QModelIndex | QPersistentModelIndex
REFRESH_DELAY_MS = 150
ACTIVITY_LIMIT = 50
SUGGEST_DELAY_MS = 80
TITLES = {"mastodon": "Mastodon", "bluesky": "Bluesky", "x": "X", "facebook": "Facebook",
          "instagram": "Instagram"}  # fmt: skip


class TimelineModel(QAbstractListModel):
    """The customer's conversations, newest first (one fixed-height line each)."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.entries: list[Any] = []

    def set_entries(self, entries: list[Any]) -> None:
        self.beginResetModel()
        self.entries = list(entries)
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.entries)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.entries):
            return None
        e = self.entries[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            snippet = " ".join(e.snippet.split())[:90]
            day = e.last_message_at.astimezone().strftime("%d %b %Y") if e.last_message_at else ""
            return f"{day} · {e.brand} · {e.status.value} — {snippet}"
        if role == Qt.ItemDataRole.ToolTipRole:
            who = f", assigned to {e.assignee}" if e.assignee else ""
            return text_tip(
                f"{TITLES.get(e.platform.value, e.platform.value)} {e.kind.value.replace('_', ' ')}"
                f" with {e.brand} ({e.account_handle}), {e.message_count} messages{who}"
            )
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return (
                f"{TITLES.get(e.platform.value, e.platform.value)}, {e.brand}, {e.status.value},"
                f" {when(e.last_message_at)}: {e.snippet[:90]}"
            )
        if role == Qt.ItemDataRole.DecorationRole:
            return platform_icon(e.platform)
        if role == ConversationIdRole:
            return e.conversation_id
        return None

    def ids(self) -> list[int]:
        return [e.conversation_id for e in self.entries]


def _settle(future: Any, result: Any, exc: BaseException | None) -> None:
    if future.done():
        return
    if exc is not None:
        future.set_exception(exc)
    else:
        future.set_result(result)


def _section(title: str) -> QLabel:
    label = QLabel(title)
    label.setObjectName("panelSection")
    font = label.font()
    font.setBold(True)
    label.setFont(font)
    return label


class CustomerPanel(QWidget):
    open_conversation = Signal(int)
    refreshed = Signal()
    suggested = Signal()  # duplicates were looked up (after `refreshed`)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        named(self, "customerPanel", "Customer history")
        self.setStyleSheet(NOTE_STYLE)
        self.ctx: AppContext | None = None
        self.conversation_id: int | None = None
        self.customer_id: int | None = None
        self.customer: Any = None
        self.suggestions: list[Any] = []
        self.confirm: QMessageBox | None = None
        self.file_dialog: QFileDialog | None = None
        self._unsubscribe: Any = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(REFRESH_DELAY_MS)
        self._timer.timeout.connect(self.refresh)
        self._suggest_timer = QTimer(self)
        self._suggest_timer.setSingleShot(True)
        self._suggest_timer.setInterval(SUGGEST_DELAY_MS)
        self._suggest_timer.timeout.connect(self._load_suggestions)
        self._build()
        self._show_empty("No conversation selected.")

    # -- building ---------------------------------------------------------------------------
    def _build(self) -> None:
        body = QWidget()
        body.setObjectName("customerPanelBody")
        col = QVBoxLayout(body)
        col.setContentsMargins(8, 8, 8, 8)
        col.setSpacing(6)

        self.name_label = plain("", "customerName", "Customer name")
        font = QFont(self.name_label.font())
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        self.name_label.setFont(font)
        self.summary_label = plain("", "customerSummary", "Customer summary")
        self.summary_label.setStyleSheet("color: palette(placeholder-text);")
        self.empty_label = plain("", "customerEmpty", "No customer")
        col.addWidget(self.name_label)
        col.addWidget(self.summary_label)
        col.addWidget(self.empty_label)

        self.content = QWidget()
        self.content.setObjectName("customerContent")
        c = QVBoxLayout(self.content)
        c.setContentsMargins(0, 0, 0, 0)
        c.setSpacing(6)
        col.addWidget(self.content, 1)

        c.addWidget(_section("Tags"))
        self.customer_tags = TagEditor("customerTags", "Customer tags")
        self.conversation_tags = TagEditor("conversationTags", "Conversation tags")
        tag_rows = QWidget()
        tag_rows.setObjectName("tagRows")
        t = QVBoxLayout(tag_rows)
        t.setContentsMargins(0, 0, 0, 0)
        t.setSpacing(2)
        for label, editor in (
            ("On the customer", self.customer_tags),
            ("On this conversation", self.conversation_tags),
        ):
            caption = QLabel(label)
            caption.setStyleSheet("color: palette(placeholder-text); font-size: 11px;")
            t.addWidget(caption)
            t.addWidget(editor)
        c.addWidget(tag_rows)

        c.addWidget(_section("Identities"))
        self.identities = named(QTreeWidget(), "identityList", "Identities on every platform")
        self.identities.setHeaderLabels(["Handle", "Followers", "✓"])
        self.identities.setRootIsDecorated(False)
        self.identities.setUniformRowHeights(True)
        self.identities.setMaximumHeight(110)
        header = self.identities.header()
        named(header, "identityHeader", "Identity columns")
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in (1, 2):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)

        self.identities.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.identities.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        name_scrollbars(self.identities, "identityList", "Scroll identities")
        self.identities.itemActivated.connect(lambda item, _col: self.open_profile(item))
        self.identities.currentItemChanged.connect(lambda *_: self._update_buttons())
        c.addWidget(self.identities)
        # the selected identity's profile address, shown in full before anything opens it
        self.profile_label = plain("", "identityProfile", "Profile address")
        self.profile_label.setStyleSheet("color: palette(placeholder-text);")
        c.addWidget(self.profile_label)
        id_row = QHBoxLayout()
        self.profile_button = named(
            QPushButton("Open profile"), "openProfileButton", "Open profile"
        )
        self.profile_button.clicked.connect(
            lambda: self.open_profile(self.identities.currentItem())
        )
        self.split_button = named(
            QPushButton("Split out…"), "splitIdentityButton", "Split this identity out"
        )
        self.split_button.setToolTip("Make this identity a customer of its own")
        self.split_button.clicked.connect(self.ask_split)
        id_row.addWidget(self.profile_button)
        id_row.addWidget(self.split_button)
        id_row.addStretch(1)
        c.addLayout(id_row)

        c.addWidget(_section("Possible duplicates"))
        self.matches = named(QListWidget(), "matchSuggestions", "Possible duplicates")
        self.matches.setMaximumHeight(90)
        self.matches.setWordWrap(True)
        self.matches.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        name_scrollbars(self.matches, "matchSuggestions", "Scroll suggestions")
        self.matches.currentRowChanged.connect(lambda *_: self._update_buttons())
        c.addWidget(self.matches)
        self.merge_button = named(
            QPushButton("Merge into this customer…"), "mergeButton", "Merge the suggested customer"
        )
        self.merge_button.clicked.connect(self.ask_merge)
        c.addWidget(self.merge_button)

        c.addWidget(_section("Notes on the customer"))
        self.note_cards = QWidget()
        self.note_cards.setObjectName("customerNoteCards")
        nc = QVBoxLayout(self.note_cards)
        nc.setContentsMargins(0, 0, 0, 0)
        nc.setSpacing(4)
        c.addWidget(self.note_cards)
        self.note_input = named(QLineEdit(), "customerNoteInput", "Write a note on the customer")
        self.note_input.setPlaceholderText("Note on this person (internal)…")
        self.note_input.returnPressed.connect(self.add_note)
        c.addWidget(self.note_input)

        c.addWidget(_section("Conversations, newest first"))
        self.timeline_model = TimelineModel(self)
        self.timeline = named(QListView(), "customerTimeline", "Every conversation with them")
        self.timeline.setModel(self.timeline_model)
        self.timeline.setUniformItemSizes(True)
        self.timeline.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.timeline.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.timeline.setMinimumHeight(160)
        self.timeline.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        name_scrollbars(self.timeline, "customerTimeline", "Scroll conversations")
        self.timeline.activated.connect(self._open_index)
        c.addWidget(self.timeline, 1)

        c.addWidget(_section("Activity"))
        self.activity = named(QListWidget(), "customerActivity", "Who did what, and when")
        self.activity.setMaximumHeight(120)
        self.activity.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.activity.setTextElideMode(Qt.TextElideMode.ElideRight)
        name_scrollbars(self.activity, "customerActivity", "Scroll activity")
        c.addWidget(self.activity)

        self.error = plain("", "customerError", "Problem")
        self.error.setStyleSheet("color: palette(bright-text);")
        self.error.hide()
        c.addWidget(self.error)
        actions = QHBoxLayout()
        self.export_button = named(
            QPushButton("Export…"), "exportCustomerButton", "Export everything about them"
        )
        self.export_button.clicked.connect(self.choose_export)
        self.erase_button = named(QPushButton("Erase…"), "eraseCustomerButton", "Erase them")
        self.erase_button.clicked.connect(self.ask_erase)
        actions.addWidget(self.export_button)
        actions.addStretch(1)
        actions.addWidget(self.erase_button)
        c.addLayout(actions)

        scroll = named(QScrollArea(), "customerPanelScroll", "Customer history")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(body)
        name_scrollbars(scroll, "customerPanelScroll", "Scroll the customer panel")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll)
        self.setMinimumWidth(280)

    # -- wiring -----------------------------------------------------------------------------
    def set_context(self, ctx: AppContext | None) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        self.ctx = ctx
        if ctx is not None:
            self._unsubscribe = ctx.store.changes.subscribe_on_loop(ctx.loop, self._on_changes)
        self.show_conversation(None)

    def _on_changes(self, changes: Any) -> None:
        if self.customer_id is None:
            return
        mine = set(self.timeline_model.ids())
        if self.conversation_id is not None:
            mine.add(self.conversation_id)
        if (
            changes.ids("customer") & {self.customer_id}
            or changes.ids("conversation") & mine
            or changes.ids("note")
            or changes.ids("agent")
            or changes.ids("audit")
        ):
            self._timer.start()

    def show_conversation(self, conversation_id: int | None) -> None:
        """Follow the conversation the user is on (the window's conversation_changed)."""
        self.conversation_id = conversation_id
        customer_id = None
        if self.ctx is not None and conversation_id is not None:
            from desktop.store import customers

            with self.ctx.store.reader() as s:
                customer_id = customers.of_conversation(s, conversation_id)
        self.show_customer(customer_id)

    def show_customer(self, customer_id: int | None) -> None:
        changed = customer_id != self.customer_id
        self.customer_id = customer_id
        self.refresh(suggest=changed or not self.suggestions)

    def wait_suggestions(self) -> None:
        """Look duplicates up now (tests, screenshots): no waiting for the timer."""
        if self._suggest_timer.isActive():
            self._suggest_timer.stop()
            self._load_suggestions()

    # -- reading ----------------------------------------------------------------------------
    def _show_empty(self, text: str) -> None:
        self.customer = None
        self.name_label.setText("")
        self.summary_label.setText("")
        self.empty_label.setText(text)
        self.empty_label.show()
        self.content.hide()
        self.timeline_model.set_entries([])

    def refresh(self, suggest: bool = False) -> None:
        self._timer.stop()
        if self.ctx is None:
            self._show_empty("No workspace is open.")
            self.refreshed.emit()
            return
        if self.customer_id is None:
            self._show_empty(
                "No conversation selected."
                if self.conversation_id is None
                else "This conversation has no customer (the brand started it)."
            )
            self.refreshed.emit()
            return
        from desktop.domain.errors import UserError
        from desktop.store import agents, audit, customers, notes, tags

        cid = self.customer_id
        with self.ctx.store.reader() as s:
            try:
                customer = customers.get(s, cid)
            except UserError:  # erased or merged away meanwhile
                self.customer_id = None
                self._show_empty("This customer no longer exists.")
                self.refreshed.emit()
                return
            timeline = customers.timeline(s, cid)
            customer_notes = notes.for_customer(s, cid)
            names = agents.names(s)
            known = tags.all_tags(s)
            conv_tags = (
                tags.for_conversation(s, self.conversation_id)
                if self.conversation_id is not None
                else []
            )
            trail = audit.for_customer(s, cid, [e.conversation_id for e in timeline])
        self.customer = customer
        self.empty_label.hide()
        self.content.show()
        self.name_label.setText(customer.name or "(no name)")
        platforms = sorted(
            {TITLES.get(i.platform.value, i.platform.value) for i in customer.identities}
        )
        self.summary_label.setText(
            f"{len(customer.identities)} identities on {', '.join(platforms) or 'no platform'}"
            f" · {len(timeline)} conversations"
        )
        self._fill_identities(customer)
        self.customer_tags.bind(self._tag_customer, self._untag_customer)
        self.customer_tags.set_tags(customer.tags, known)
        has_conv = self.conversation_id is not None
        self.conversation_tags.bind(
            self._tag_conversation if has_conv else None,
            self._untag_conversation if has_conv else None,
        )
        self.conversation_tags.set_tags(conv_tags, known)
        clear_layout(self.note_cards)
        layout = self.note_cards.layout()
        assert layout is not None
        for note in reversed(customer_notes):
            title = f"{names.get(note.author_id, 'Someone')} · {when(note.created_at)}"
            layout.addWidget(NoteCard(title, note.body))
        self.timeline_model.set_entries(timeline)
        if self.conversation_id is not None and self.conversation_id in self.timeline_model.ids():
            row = self.timeline_model.ids().index(self.conversation_id)
            self.timeline.setCurrentIndex(self.timeline_model.index(row))
        if suggest:
            # the one slow read (~40 ms at 1M messages): after the panel shows, and only for
            # the customer the user settles on while moving through the list with j/k
            self.suggestions = []
            self._suggest_timer.start()
        self._fill_matches(pending=suggest)
        self.activity.clear()
        for event in reversed(trail[-ACTIVITY_LIMIT:]):  # newest first
            line = f"{when(event.at)} · {audit.describe(event, names)}"
            item = QListWidgetItem(line)
            item.setToolTip(text_tip(line))
            self.activity.addItem(item)
        if not trail:
            self.activity.addItem(QListWidgetItem("Nothing done yet."))
        self._update_buttons()
        self.refreshed.emit()

    def _fill_identities(self, customer: Any) -> None:
        current = self.identities.currentItem()
        keep = current.data(0, Qt.ItemDataRole.UserRole) if current is not None else None
        self.identities.clear()
        for ident in customer.identities:
            followers = f"{ident.followers:,}" if ident.followers is not None else "—"
            item = QTreeWidgetItem(
                [
                    "@" + ident.handle.lstrip("@"),
                    followers,
                    "✓" if ident.verified else "",
                    ident.profile_url or "",
                ]
            )
            item.setIcon(0, platform_icon(ident.platform))
            item.setData(0, Qt.ItemDataRole.UserRole, ident.id)
            item.setData(0, ProfileRole, ident.profile_url or "")
            platform = TITLES.get(ident.platform.value, ident.platform.value)
            item.setToolTip(0, text_tip(f"{ident.display_name} on {platform}"))
            item.setData(
                0,
                Qt.ItemDataRole.AccessibleTextRole,
                f"{ident.handle} on {platform}, {followers} followers"
                + (", verified" if ident.verified else ""),
            )
            self.identities.addTopLevelItem(item)
            if ident.id == keep:
                self.identities.setCurrentItem(item)

    def _load_suggestions(self) -> None:
        if self.ctx is None or self.customer_id is None:
            return
        from desktop.domain.errors import UserError
        from desktop.store import matches

        with self.ctx.store.reader() as s:
            try:
                self.suggestions = matches.suggest(s, self.customer_id)
            except UserError:  # gone meanwhile
                self.suggestions = []
        self._fill_matches()
        self._update_buttons()
        self.suggested.emit()

    def _fill_matches(self, pending: bool = False) -> None:
        self.matches.clear()
        if pending:
            item = QListWidgetItem("Looking for likely duplicates…")
            item.setFlags(Qt.ItemFlag.NoItemFlags)
            self.matches.addItem(item)
            return
        for m in self.suggestions:
            item = QListWidgetItem(
                f"{m.name} — {m.score:.0f}%: {'; '.join(m.reasons)} ({', '.join(m.identities)})"
            )
            item.setData(Qt.ItemDataRole.UserRole, m.customer_id)
            item.setToolTip("Merge only if this is the same person: nothing merges by itself.")
            self.matches.addItem(item)
        if not self.suggestions:
            item = QListWidgetItem("No likely duplicates.")
            item.setFlags(Qt.ItemFlag.NoItemFlags)
            self.matches.addItem(item)

    def _update_buttons(self) -> None:
        customer = self.customer
        ident = self.identities.currentItem()
        link = str(ident.data(0, ProfileRole) or "") if ident is not None else ""
        self.profile_button.setEnabled(bool(link))
        self.profile_label.setText(
            f"Profile: {link}" if link else ("No profile link." if ident is not None else "")
        )
        self.profile_label.setVisible(ident is not None)
        self.split_button.setEnabled(
            customer is not None and ident is not None and len(customer.identities) > 1
        )
        self.merge_button.setEnabled(self._chosen_match() is not None)
        self.export_button.setEnabled(customer is not None)
        self.erase_button.setEnabled(customer is not None)

    def _chosen_match(self) -> Any:
        row = self.matches.currentRow()
        if 0 <= row < len(self.suggestions):
            return self.suggestions[row]
        return None

    def _open_index(self, index: QModelIndex) -> None:
        cid = index.data(ConversationIdRole)
        if cid is not None:
            self.open_conversation.emit(int(cid))

    def open_profile(self, item: QTreeWidgetItem | None) -> bool:
        """Open the identity's profile in the browser: http(s) only; the address is shown."""
        if item is None:
            return False
        url = QUrl(str(item.data(0, ProfileRole) or ""))
        if url.scheme() not in ("http", "https") or not url.host():
            self._fail("This identity has no web profile link.")
            return False
        self.summary_label.setText(f"Opening {url.toString()}")  # the real target, shown
        return bool(QDesktopServices.openUrl(url))

    # -- writing ----------------------------------------------------------------------------
    def _fail(self, message: str) -> None:
        self.error.setText(message)
        self.error.show()

    def _done(self, message: str = "") -> Any:
        def done(_result: object) -> None:
            self.error.hide()
            self.refresh(suggest=True)

        return done

    def _write(self, fn: Any) -> Any:
        if self.ctx is None:
            return None
        return write(self.ctx, fn, self._done(), self._fail)

    def _tag_customer(self, tag: str) -> Any:
        from desktop.store import tags

        cid, me = self.customer_id, self.ctx.me_id if self.ctx else None
        if cid is None:
            return None
        return self._write(lambda s: tags.tag_customer(s, cid, tag, by=me))

    def _untag_customer(self, tag: str) -> Any:
        from desktop.store import tags

        cid, me = self.customer_id, self.ctx.me_id if self.ctx else None
        if cid is None:
            return None
        return self._write(lambda s: tags.untag_customer(s, cid, tag, by=me))

    def _tag_conversation(self, tag: str) -> Any:
        from desktop.store import tags

        conv, me = self.conversation_id, self.ctx.me_id if self.ctx else None
        if conv is None:
            return None
        return self._write(lambda s: tags.tag_conversation(s, conv, tag, by=me))

    def _untag_conversation(self, tag: str) -> Any:
        from desktop.store import tags

        conv, me = self.conversation_id, self.ctx.me_id if self.ctx else None
        if conv is None:
            return None
        return self._write(lambda s: tags.untag_conversation(s, conv, tag, by=me))

    def add_note(self) -> Any:
        body = self.note_input.text().strip()
        if not body or self.ctx is None or self.customer_id is None or self.ctx.me_id is None:
            return None
        from desktop.store import notes

        cid, me = self.customer_id, self.ctx.me_id
        self.note_input.clear()
        return self._write(lambda s: notes.add(s, author_id=me, body=body, customer_id=cid))

    def _ask(
        self, name: str, title: str, text: str, detail: str, yes: str, then: Any
    ) -> QMessageBox:
        """A confirmation opened with open() (never exec()); `then()` runs on the yes button."""
        if self.confirm is not None:
            self.confirm.deleteLater()
        box = QMessageBox(self)
        named(box, name, title)
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle(title)
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setText(text)
        box.setInformativeText(detail)
        go = box.addButton(yes, QMessageBox.ButtonRole.DestructiveRole)
        named(go, f"{name}Yes", yes)
        cancel = box.addButton(QMessageBox.StandardButton.Cancel)
        named(cancel, f"{name}Cancel", "Cancel")
        box.setDefaultButton(cancel)
        box.setEscapeButton(cancel)

        def finished(_result: int) -> None:
            if box.clickedButton() is go:
                then()

        box.finished.connect(finished)
        self.confirm = box
        box.open()
        return box

    def ask_merge(self) -> QMessageBox | None:
        match = self._chosen_match()
        if match is None or self.customer is None:
            return None
        keep, absorb = self.customer.id, match.customer_id
        me = self.ctx.me_id if self.ctx else None
        from desktop.store import customers

        return self._ask(
            "mergeConfirm",
            "Merge customers",
            f"Merge “{match.name}” into “{self.customer.name}”?",
            f"{', '.join(match.identities)} and their conversations, notes and tags move to "
            f"“{self.customer.name}”. Why suggested: {'; '.join(match.reasons)}. "
            "You can split an identity out again later.",
            "Merge",
            lambda: self._write(lambda s: customers.merge(s, keep, absorb, by=me)),
        )

    def ask_split(self) -> QMessageBox | None:
        item = self.identities.currentItem()
        if item is None or self.customer is None:
            return None
        ident_id = int(item.data(0, Qt.ItemDataRole.UserRole))
        me = self.ctx.me_id if self.ctx else None
        from desktop.store import customers

        return self._ask(
            "splitConfirm",
            "Split identity out",
            f"Make {item.text(0)} a customer of its own?",
            "The conversations this identity wrote in move with it; the others stay here.",
            "Split out",
            lambda: self._write(lambda s: customers.split(s, ident_id, by=me)),
        )

    def ask_erase(self) -> QMessageBox | None:
        if self.ctx is None or self.customer_id is None:
            return None
        from desktop.store import customers

        with self.ctx.store.reader() as s:
            summary = customers.erase_summary(s, self.customer_id)
        cid, me = self.customer_id, self.ctx.me_id
        self.erase_summary = summary
        return self._ask(
            "eraseConfirm",
            "Erase customer",
            f"Erase everything stored about “{summary.name}”? This cannot be undone.",
            "This deletes:\n• "
            + "\n• ".join(summary.lines())
            + "\n\nExport first if you need a copy.",
            "Erase",
            lambda: self._write(lambda s: customers.erase(s, cid, by=me)),
        )

    def choose_export(self) -> QFileDialog | None:
        if self.customer is None:
            return None
        dialog = QFileDialog(self, "Export customer data")
        named(dialog, "exportFileDialog", "Export customer data")
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setNameFilter("JSON (*.json)")
        dialog.setDefaultSuffix("json")
        safe = "".join(ch for ch in self.customer.name if ch.isalnum() or ch in " -_").strip()
        dialog.selectFile(f"{safe or 'customer'}-{self.customer.id}.json")
        dialog.fileSelected.connect(lambda path: self.export_to(Path(path)))
        self.file_dialog = dialog
        dialog.open()
        return dialog

    def export_to(self, path: Path) -> Any:
        """Write the customer's data as JSON off the UI thread; returns the future."""
        if self.ctx is None or self.customer_id is None:
            return None
        store, cid = self.ctx.store, self.customer_id

        def run() -> int:
            from desktop.store import customers

            with store.reader() as s:
                data = customers.export(s, cid)
            text = json.dumps(data, ensure_ascii=False, indent=2)
            path.write_text(text, encoding="utf-8")
            return len(data["messages"])

        # a plain daemon thread, not the loop's executor (qasync's is QThreads that outlive
        # the test or the window); the result comes back on the loop
        loop = self.ctx.loop
        future: Any = loop.create_future()

        def work() -> None:
            try:
                n = run()
            except Exception as exc:  # reported in the panel
                loop.call_soon_threadsafe(_settle, future, None, exc)
            else:
                loop.call_soon_threadsafe(_settle, future, n, None)

        threading.Thread(target=work, name="customer-export", daemon=True).start()

        def finished(f: Any) -> None:
            if f.exception() is not None:
                self._fail(f"Export failed: {f.exception()}")
            else:
                self.error.hide()
                self.summary_label.setText(f"Exported {f.result()} messages to {path}")

        future.add_done_callback(finished)
        return future

    def closeEvent(self, event: Any) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        super().closeEvent(event)
