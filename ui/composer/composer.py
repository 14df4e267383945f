"""The composer: write a public reply or a direct message, see its length in the platform's
unit, insert canned responses, send through the outbox with an undo window.

Nothing here waits on the network: Send commits an outbox item (and removes the draft) in
one transaction on the store's writer thread; the account's worker sends it once the undo
grace has passed and the account is online. The send bar follows the item's state.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable, Coroutine
from typing import Any

from PySide6.QtCore import QEvent, QObject, QPoint, Qt, Signal
from PySide6.QtGui import (
    QAction,
    QColor,
    QKeyEvent,
    QKeySequence,
    QShortcut,
    QStandardItem,
    QStandardItemModel,
    QTextCharFormat,
    QTextCursor,
)
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QTextEdit,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop.domain import templates, text_limits
from desktop.domain.enums import OpKind
from desktop.domain.errors import UserError
from desktop.domain.models import CannedResponse
from desktop.domain.outbox import UNDO_GRACE_SECONDS, OutboxItem
from desktop.store import canned, drafts
from ui.canned.picker import CannedPicker
from ui.composer import spelling
from ui.composer.autosave import DraftAutosaver
from ui.composer.length import (
    LengthCounter,
    Utf16Offsets,
    over_limit_reason,
    py_index,
)
from ui.composer.send_bar import SendBar
from ui.composer.sending import Sending
from ui.composer.target import MODE_LABELS, ReplyTarget, load_target
from ui.context import AppContext
from ui.tasks import TaskSet

log = logging.getLogger(__name__)

# `/` plus a shortcut, at the start of a line or after a space, right before the cursor
SLASH = re.compile(r"(?:^|\s)/([a-z0-9_-]{0,32})$")
MAX_MARKS = 20  # placeholders marked (and named in the reason) at most: typing stays fast


_preloaded: list[bool] = []


def _preload_x_rules() -> None:
    """twitter-text costs ~0.5 s to import: pay it on a worker thread, not on the first X
    keystroke (desktop.domain.text_limits.preload)."""
    if not _preloaded:
        _preloaded.append(True)
        # a plain daemon thread: qasync's executor threads are QThreads that must be joined
        threading.Thread(target=text_limits.preload, name="preload-x", daemon=True).start()


def _named(widget: Any, name: str, accessible: str) -> Any:
    widget.setObjectName(name)
    widget.setAccessibleName(accessible)
    return widget


class Composer(QWidget):
    queued = Signal(object)  # OutboxItem: a reply went to the outbox
    message = Signal(str)  # a line for the window's status bar

    def __init__(
        self, parent: QWidget | None = None, *, grace_seconds: float = UNDO_GRACE_SECONDS
    ) -> None:
        super().__init__(parent)
        _named(self, "composer", "Reply composer")
        self.grace_seconds = grace_seconds
        self.context: AppContext | None = None
        self.conversation_id: int | None = None
        self.target: ReplyTarget | None = None
        self.problems: list[str] = []
        self._loading = False
        self._sending = False
        self._slash_start: int | None = None  # UTF-16 position of the `/` being typed
        self._slash_dismissed: int | None = None
        self._tasks = TaskSet(self._failed)
        self._unsubscribe: Callable[[], None] | None = None
        # the store's change bus outlives this widget: drop the subscription with it
        holder = self._subscription = [lambda: None]
        self.destroyed.connect(lambda *_: holder[0]())
        self.autosaver = DraftAutosaver(self)
        self._build()
        self.set_conversation(None)

    # -- building ---------------------------------------------------------------------------
    def _build(self) -> None:
        self.mode_box = _named(QComboBox(), "composerMode", "Reply or direct message")
        # wide enough for its longest choice ("Reply (public)" was cut to "Reply (publ")
        self.mode_box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.mode_box.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.mode_model = QStandardItemModel(self.mode_box)
        self.mode_box.setModel(self.mode_model)
        self.mode_box.currentIndexChanged.connect(self._mode_changed)
        _named(self.mode_box.view(), "composerModeList", "Reply modes")
        self.canned_button = _named(QToolButton(), "composerCanned", "Insert canned response")
        self.canned_button.setText("Canned…")
        self.canned_button.setToolTip(
            "Insert a canned response (Ctrl+Shift+C, or type / and a shortcut)"
        )
        self.canned_button.clicked.connect(self.open_picker)
        self.spelling_button = _named(QToolButton(), "composerSpelling", "Spell checking")
        self.spelling_button.setText("Spelling")
        self.spelling_button.setCheckable(True)
        self.spelling_button.setEnabled(False)
        self.spelling_button.setToolTip("Spell checking: loading…")
        self.spelling_button.toggled.connect(self._spelling_toggled)
        self.spell: spelling.SpellHighlighter | None = None
        self.counter = LengthCounter()
        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.mode_box)
        top.addWidget(self.canned_button)
        top.addWidget(self.spelling_button)
        top.addStretch(1)
        top.addWidget(self.counter)

        self.picker = CannedPicker()
        self.picker.chosen.connect(self.insert_canned)
        self.picker.dismissed.connect(self._picker_dismissed)

        self.editor = _named(QPlainTextEdit(), "composerEditor", "Reply text")
        self.editor.setTabChangesFocus(True)
        self.editor.setMinimumHeight(70)
        self.editor.textChanged.connect(self._text_changed)
        self.editor.cursorPositionChanged.connect(self._check_slash)
        self.editor.installEventFilter(self)
        self.editor.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.editor.customContextMenuRequested.connect(self._context_menu)
        for bar, what in (
            (self.editor.verticalScrollBar(), "composerVScroll"),
            (self.editor.horizontalScrollBar(), "composerHScroll"),
        ):
            _named(bar, what, "Scroll reply text")

        self.reason = _named(QLabel(), "composerReason", "Why the reply cannot be sent")
        self.reason.setTextFormat(Qt.TextFormat.PlainText)
        self.reason.setWordWrap(True)
        self.reason.setStyleSheet("color: #c62828;")
        self.send_bar = SendBar()
        self.sending = Sending(self.send_bar, self)
        self.sending.restored.connect(self._restore)
        self.sending.message.connect(self.message)
        self.send_button = _named(QPushButton("Send"), "composerSend", "Send reply")
        self.send_button.setToolTip("Send (Ctrl+Enter); you can undo for a few seconds")
        self.send_button.clicked.connect(self.send)
        bottom = QHBoxLayout()
        bottom.setContentsMargins(0, 0, 0, 0)
        bottom.addWidget(self.reason, 1)
        bottom.addWidget(self.send_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 8)
        layout.setSpacing(4)
        layout.addLayout(top)
        layout.addWidget(self.picker, 3)
        layout.addWidget(self.editor, 2)
        layout.addLayout(bottom)
        layout.addWidget(self.send_bar)

        for keys, name, slot in (
            ("Ctrl+Return", "shortcut_composerSend", self.send),
            ("Ctrl+Enter", "shortcut_composerSendKeypad", self.send),
            ("Ctrl+Shift+C", "shortcut_composerCanned", self.open_picker),
        ):
            shortcut = QShortcut(QKeySequence(keys), self, slot)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.setObjectName(name)

    # -- workspace and conversation ---------------------------------------------------------
    def set_context(self, context: AppContext | None) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        self.autosaver.flush()
        self.context = context
        self.autosaver.store = context.store if context else None
        self.autosaver.loop = context.loop if context else None
        self.sending.set_context(context)
        self.conversation_id = None
        if context is not None:
            self._unsubscribe = context.store.changes.subscribe_on_loop(
                context.loop, self._on_changes
            )
            self._subscription[0] = self._unsubscribe
            _preload_x_rules()
            spelling.load_async(context.loop, self._spelling_ready)
        self.set_conversation(None)

    def set_online(self, online: bool) -> None:
        self.sending.set_online(online)

    def set_conversation(self, conversation_id: int | None) -> None:
        if conversation_id is not None and conversation_id == self.conversation_id:
            return
        self.autosaver.flush()
        self.picker.close_picker()
        self.conversation_id = conversation_id
        self.target = None
        draft = None
        responses: list[CannedResponse] = []
        if self.context is not None and conversation_id is not None:
            with self.context.store.reader() as session:
                self.target = load_target(session, conversation_id, self.context.me_id)
                draft = drafts.get(session, conversation_id)
                if self.target is not None:
                    responses = canned.list_for(session, self.target.brand_id, self.target.platform)
        self._fill_modes(draft.as_direct_message if draft else False)
        self.picker.set_responses(responses)
        self.picker.set_values(self.target.values if self.target else {})
        self._loading = True
        self.editor.setPlainText(draft.body if draft else "")
        if draft is not None:
            self.editor.moveCursor(QTextCursor.MoveOperation.End)
        self._loading = False
        enabled = self.target is not None
        for widget in (self.editor, self.mode_box, self.canned_button):
            widget.setEnabled(enabled)
        if self.context is None:
            self.editor.setPlaceholderText("Open a workspace to reply.")
        elif self.target is None:
            self.editor.setPlaceholderText("Select a conversation to reply.")
        else:
            name = self.target.platform.value.capitalize()
            self.editor.setPlaceholderText(
                f"Write to {self.target.values.get('customer.handle') or 'the customer'} on "
                f"{name}…   (/ inserts a canned response · Ctrl+Enter sends)"
            )
        self.update_state()
        self.sending.show_conversation(conversation_id)

    def _fill_modes(self, as_dm: bool) -> None:
        self.mode_box.blockSignals(True)
        self.mode_model.clear()
        if self.target is not None:
            for mode in (OpKind.REPLY, OpKind.DIRECT_MESSAGE):
                item = QStandardItem(MODE_LABELS[mode])
                item.setData(mode.value, Qt.ItemDataRole.UserRole)
                why = self.target.why_not(mode)
                if why:
                    item.setEnabled(False)
                    item.setToolTip(why)
                self.mode_model.appendRow(item)
            wanted = OpKind.DIRECT_MESSAGE if as_dm else self.target.modes[0]
            if wanted not in self.target.modes:
                wanted = self.target.modes[0]
            self.mode_box.setCurrentIndex(0 if wanted is OpKind.REPLY else 1)
        self.mode_box.blockSignals(False)

    def mode(self) -> OpKind:
        value = self.mode_box.currentData(Qt.ItemDataRole.UserRole)
        return OpKind(value) if value else OpKind.REPLY

    def set_mode(self, mode: OpKind) -> None:
        self.mode_box.setCurrentIndex(0 if mode is OpKind.REPLY else 1)

    def _mode_changed(self, _index: int) -> None:
        self._text_changed()

    # -- typing -----------------------------------------------------------------------------
    def _text_changed(self) -> None:
        if self._loading:
            return
        if self.conversation_id is not None and self.target is not None:
            self.autosaver.changed(
                self.conversation_id,
                self.editor.toPlainText(),
                self.mode() is OpKind.DIRECT_MESSAGE,
            )
        self.update_state()
        self._check_slash()

    def update_state(self) -> None:
        """Counter, overflow and placeholder marks, and whether Send may run (and why not)."""
        text = self.editor.toPlainText()
        problems: list[str] = []
        marks: list[QTextEdit.ExtraSelection] = []
        target = self.target
        if target is None:
            self.counter.clear_count()
        else:
            mode = self.mode()
            length = self.counter.update_for(
                target.platform, text, target.measure_kind(mode), target.limit
            )
            reason = over_limit_reason(target.platform, length)
            offsets = Utf16Offsets(text)
            if reason and length.over_at is not None:
                problems.append(reason)
                marks.append(self._mark(offsets, length.over_at, len(text), over=True))
            found = templates.placeholders(text)
            for p in found[:MAX_MARKS]:
                marks.append(self._mark(offsets, p.start, p.end, over=False))
            unfilled = templates.send_problems(text)
            problems.extend(dict.fromkeys(unfilled[:MAX_MARKS]))  # each named once
            why = target.why_not(mode)
            if why:
                problems.append(why)
            if mode is OpKind.REPLY and target.in_reply_to is None:
                problems.append("There is no customer message to answer in this conversation yet")
        self.editor.setExtraSelections(marks)
        self.problems = problems
        self.reason.setText("Can’t send: " + "; ".join(problems) if problems else "")
        self.send_button.setEnabled(
            target is not None and not problems and bool(text.strip()) and not self._sending
        )
        self.send_button.setText(
            "Send DM" if target is not None and self.mode() is OpKind.DIRECT_MESSAGE else "Send"
        )

    def _mark(
        self, offsets: Utf16Offsets, start: int, end: int, *, over: bool
    ) -> QTextEdit.ExtraSelection:
        selection = QTextEdit.ExtraSelection()
        fmt = QTextCharFormat()
        if over:
            fmt.setBackground(QColor(239, 83, 80, 90))
            fmt.setForeground(QColor("#b71c1c"))
        else:
            fmt.setBackground(QColor(255, 193, 7, 90))
            fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.WaveUnderline)
            fmt.setUnderlineColor(QColor("#c62828"))
        cursor = QTextCursor(self.editor.document())
        cursor.setPosition(offsets(start))
        cursor.setPosition(offsets(end), QTextCursor.MoveMode.KeepAnchor)
        selection.cursor = cursor
        selection.format = fmt
        return selection

    # -- canned responses -------------------------------------------------------------------
    def open_picker(self) -> None:
        if self.target is None:
            return
        self._slash_start = None
        self.picker.open_search()

    def _check_slash(self) -> None:
        if self.target is None or self._loading:
            return
        cursor = self.editor.textCursor()
        block = cursor.block().text()
        before = block[: py_index(block, cursor.positionInBlock())]
        match = SLASH.search(before)
        if match is None or cursor.hasSelection():
            self._slash_dismissed = None
            if self.picker.inline and self.picker.isVisible():
                self.picker.close_picker()
            return
        start = cursor.position() - len(match.group(1)) - 1
        if start == self._slash_dismissed:
            return
        self._slash_start = start
        self.picker.open_inline(match.group(1))

    def _picker_dismissed(self) -> None:
        if self.picker.inline:
            self._slash_dismissed = self._slash_start
        self.editor.setFocus()

    def insert_canned(self, response: CannedResponse, rendered: templates.Rendered) -> None:
        cursor = self.editor.textCursor()
        if self.picker.inline and self._slash_start is not None:
            cursor.setPosition(self._slash_start, QTextCursor.MoveMode.KeepAnchor)
        self._slash_start = None
        cursor.insertText(rendered.text)
        self.editor.setTextCursor(cursor)
        self.editor.setFocus()
        if rendered.ok:
            self.message.emit(f"Inserted “{response.title}”")
        else:
            self.message.emit(f"Inserted “{response.title}”: " + "; ".join(rendered.problems()))
        if self.context is not None:
            store = self.context.store
            self.spawn(store.run(lambda s: canned.record_use(s, response.id)))

    def reload_canned(self) -> None:
        if self.context is None or self.target is None:
            return
        with self.context.store.reader() as session:
            responses = canned.list_for(session, self.target.brand_id, self.target.platform)
        self.picker.set_responses(responses)

    def _on_changes(self, changes: Any) -> None:
        if changes.ids("canned_response"):
            self.reload_canned()
        if self.conversation_id is not None and self.conversation_id in changes.ids("conversation"):
            self._refresh_target()
        if self.pending:
            self.sending.refresh()

    def _refresh_target(self) -> None:
        """New messages arrived: answer the newest one, keep what the user typed."""
        if self.context is None or self.conversation_id is None:
            return
        with self.context.store.reader() as session:
            target = load_target(session, self.conversation_id, self.context.me_id)
        if target is not None and self.target is not None:
            self.target = target
            self.picker.set_values(target.values)
            self.update_state()

    # -- spelling ---------------------------------------------------------------------------
    def _spelling_ready(self, checker: spelling.SpellChecker | None, why: str) -> None:
        try:
            self.spelling_button.setToolTip(why)
        except RuntimeError:  # the composer closed while the dictionary loaded
            return
        if checker is None or self.spell is not None:
            return
        self.spell = spelling.SpellHighlighter(self.editor.document(), checker)
        self.spelling_button.setEnabled(True)
        self.spelling_button.setChecked(True)

    def _spelling_toggled(self, on: bool) -> None:
        if self.spell is not None:
            self.spell.set_enabled(on)

    def spelling_actions(self, position: int) -> list[QAction]:
        """Suggestions (and Ignore) for the misspelt word at `position` (a cursor position)."""
        if self.spell is None or not self.spell.enabled:
            return []
        return spelling.actions_for(self.editor, self.spell, position)

    def _context_menu(self, pos: QPoint) -> None:
        spelling.context_menu(self.editor, self.spell, pos)

    # -- keys -------------------------------------------------------------------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            watched is self.editor
            and event.type() == QEvent.Type.KeyPress
            and self.picker.isVisible()
            and self.picker.inline
            and isinstance(event, QKeyEvent)
            and self.picker.handle_key(event)
        ):
            return True
        return super().eventFilter(watched, event)

    # -- sending ----------------------------------------------------------------------------
    def send(self) -> None:
        self.update_state()
        target, context = self.target, self.context
        text = self.editor.toPlainText()
        if target is None or context is None or self._sending:
            return
        if self.problems or not text.strip():
            self.message.emit(self.reason.text() or "Nothing to send")
            return
        mode = self.mode()
        cid = target.conversation_id
        self.autosaver.cancel()
        self._sending = True
        self.editor.setReadOnly(True)
        self.update_state()

        async def run() -> None:
            try:
                item = await self.sending.queue(target, text, mode, self.grace_seconds)
            except Exception as exc:  # nothing was queued: keep the text a draft
                self.autosaver.changed(cid, text, mode is OpKind.DIRECT_MESSAGE)
                if not isinstance(exc, UserError):
                    raise
                self.message.emit(f"Not sent: {exc}")
                self.reason.setText(f"Can’t send: {exc}")
                return
            finally:
                self._sending = False
                self.editor.setReadOnly(False)
            if self.conversation_id == cid:
                self._loading = True
                self.editor.clear()
                self._loading = False
            self.update_state()
            self.queued.emit(item)

        self.spawn(run())

    def _restore(self, undone: OutboxItem) -> None:
        """An undone send: its text is back in the editor (and a draft again at once)."""
        if self.conversation_id != undone.conversation_id:
            return
        current = self.editor.toPlainText()
        restored = undone.text if not current.strip() else f"{undone.text}\n{current}"
        self.editor.setPlainText(restored)
        if self.target is not None and undone.op in self.target.modes:
            self.set_mode(undone.op)
        self.editor.moveCursor(QTextCursor.MoveOperation.End)
        self.editor.setFocus()
        self.autosaver.flush()

    # the outbox side lives in ui/composer/sending.py
    @property
    def pending(self) -> dict[int, OutboxItem]:
        return self.sending.pending

    def current_item(self) -> OutboxItem | None:
        return self.sending.current_item()

    def undo(self) -> None:
        self.sending.undo()

    def retry(self) -> None:
        self.sending.retry()

    def refresh_send_bar(self) -> None:
        self.sending.refresh()

    # -- plumbing ---------------------------------------------------------------------------
    def spawn(self, coro: Coroutine[Any, Any, Any]) -> None:
        self._tasks.spawn(coro, loop=self.context.loop if self.context is not None else None)

    def _failed(self, exc: BaseException) -> None:
        log.error("composer action failed", exc_info=exc)
        self.message.emit(f"Failed: {exc}")

    async def settle(self) -> None:
        """Wait for sends and saves in flight, and flush the draft (shutdown, tests)."""
        await self._tasks.settle()
        await self.sending.settle()
        await self.autosaver.settle()
