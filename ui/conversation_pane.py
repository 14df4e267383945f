"""The conversation pane: the thread on top, a strip for notes, the composer below.

`install_conversation_pane(window)` puts it in the main window's `conversation_area`, takes
over the window's ThreadView (the window keeps filling it), and follows the window's
signals: the conversation the user is on, the open workspace, online/offline. Unsaved
typing is flushed before the window closes. Tools > Canned responses… opens the manager.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QSplitter, QVBoxLayout, QWidget

from ui.canned.manager import CannedManager
from ui.composer.composer import Composer
from ui.context import AppContext
from ui.thread_view import ThreadView


class ConversationPane(QWidget):
    def __init__(self, thread: ThreadView | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("conversationPane")
        self.setAccessibleName("Conversation and reply")
        self.context: AppContext | None = None
        self.manager: CannedManager | None = None
        self.thread_view = thread if thread is not None else ThreadView()
        self.composer = Composer()

        top = QWidget()
        top.setObjectName("conversationTop")
        column = QVBoxLayout(top)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addWidget(self.thread_view, 1)
        # room for the notes strip (another panel adds itself with add_notes_widget)
        self.notes_area = QWidget()
        self.notes_area.setObjectName("notesArea")
        notes = QVBoxLayout(self.notes_area)
        notes.setContentsMargins(0, 0, 0, 0)
        notes.setSpacing(0)
        self.notes_area.hide()
        column.addWidget(self.notes_area)

        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.setObjectName("conversationPaneSplitter")
        self.splitter.setAccessibleName("Thread and composer")
        self.splitter.addWidget(top)
        self.splitter.addWidget(self.composer)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setSizes([520, 300])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.splitter)
        self.thread_view.show()

    def add_notes_widget(self, widget: QWidget) -> None:
        layout = self.notes_area.layout()
        assert layout is not None
        layout.addWidget(widget)
        self.notes_area.show()

    # -- following the window ---------------------------------------------------------------
    def set_context(self, context: AppContext | None) -> None:
        self.context = context
        self.composer.set_context(context)
        if self.manager is not None:
            self.manager.close()
            self.manager = None

    def set_conversation(self, conversation_id: int | None) -> None:
        self.composer.set_conversation(conversation_id)

    def set_online(self, online: bool) -> None:
        self.composer.set_online(online)

    async def flush(self) -> None:
        """Before the window closes: commit the draft and wait for sends in flight."""
        await self.composer.settle()

    def focus_composer(self) -> None:
        if self.composer.editor.isEnabled():
            self.composer.editor.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def open_manager(self) -> None:
        if self.context is None:
            return
        if self.manager is None:
            self.manager = CannedManager(self.context.store, self.window())
        self.manager.open()
        self.manager.raise_()


def install_conversation_pane(window: Any) -> ConversationPane:
    """Put the pane in `window.conversation_area` and wire it to the window's signals."""
    pane = ConversationPane(window.thread)  # the window keeps filling its thread view
    window.set_conversation_widget(pane)  # (hides the widget it replaces: the thread view)
    pane.thread_view.show()
    window.conversation_changed.connect(pane.set_conversation)
    window.context_changed.connect(pane.set_context)
    window.online_changed.connect(pane.set_online)
    pane.composer.message.connect(window.show_message)
    window.before_close.append(pane.flush)
    add_conversation_actions(window, pane)
    action = QAction("Canned responses…", window)
    action.setObjectName("action_cannedResponses")
    action.setToolTip("Create, edit, order, import and export canned responses")
    action.triggered.connect(pane.open_manager)
    window.tools_menu.addAction(action)
    pane.set_online(getattr(window, "online", True))
    pane.set_context(window.context)
    return pane


# (object name, text, keys, what, bound by the window?) — the composer binds its own keys
# where they must not fire outside it; the menu shows them so the help (?) lists them
_ACTIONS = (
    ("reply", "&Reply", "R", "Reply: focus the composer", True),
    ("send", "&Send reply", "Ctrl+Return", "Send the reply (undo for a few seconds)", False),
    ("canned", "Insert &canned response…", "Ctrl+Shift+C", "Insert a canned response", False),
    ("undoSend", "&Undo send", "Alt+U", "Undo the last send while it waits", False),
)


def add_conversation_actions(window: Any, pane: ConversationPane) -> None:
    composer = pane.composer
    slots = {
        "reply": pane.focus_composer,
        "send": composer.send,
        "canned": composer.open_picker,
        "undoSend": composer.undo,
    }
    menu = window.menus["Conversation"]
    menu.addSeparator()
    for name, text, keys, what, window_wide in _ACTIONS:
        action = QAction(text, window)
        action.setObjectName(f"shortcut_{name}")
        action.setToolTip(what)
        action.setStatusTip(what)
        if window_wide:
            action.setShortcut(QKeySequence(keys))
            window.addAction(action)
        else:
            shown = QKeySequence(keys).toString(QKeySequence.SequenceFormat.NativeText)
            action.setText(f"{text}\t{shown}")
        action.triggered.connect(slots[name])
        menu.addAction(action)
