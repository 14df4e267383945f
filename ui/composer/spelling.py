"""Spell checking in the composer: misspelt words get a red wavy underline, and the editor's
context menu offers suggestions.

Why pyenchant: it is maintained, wraps the OS's spelling back-ends (Hunspell dictionaries on
Linux, e.g. Debian's hunspell-en-us; the Windows wheel ships its own), and works offline.
Without the C library or a dictionary the composer simply has no spell checking, and the
Spelling button says why. Handles, hashtags, URLs, {placeholders}, and words with digits
are not checked; the user's "Ignore" list lasts for the session.
"""

from __future__ import annotations

import asyncio
import logging
import re
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QLocale, QPoint, Qt
from PySide6.QtGui import (
    QAction,
    QColor,
    QSyntaxHighlighter,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
)
from PySide6.QtWidgets import QMenu, QPlainTextEdit

from ui.composer.length import Utf16Offsets, py_index

log = logging.getLogger(__name__)

WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")
# spans never spell-checked: URLs, @handles (incl. @user@domain), #tags, {placeholders}
SKIP = re.compile(r"https?://\S+|www\.\S+|[@#][\w.@-]+|\{[^{}\n]*\}|\S+\.\w{2,}/\S*")
MAX_SUGGESTIONS = 6
# everyday words of social replies that general dictionaries flag
COMMON = frozenset({"ok", "okay", "dm", "dms", "lol", "thx", "pls", "faq", "emoji", "emojis"})


class SpellChecker:
    """One language's dictionary; `check` is a few microseconds a word."""

    def __init__(self, dictionary: Any, language: str) -> None:
        self._dict = dictionary
        self.language = language
        self._ignored: set[str] = set()
        self._known: dict[str, bool] = {}  # a long reply re-checks its block on every key

    def check(self, word: str) -> bool:
        if word in self._ignored or len(word) < 2 or word.lower() in COMMON:
            return True
        known = self._known.get(word)
        if known is None:
            if len(self._known) > 50_000:
                self._known.clear()
            known = self._known[word] = bool(self._dict.check(word.replace("’", "'")))
        return known

    def suggest(self, word: str) -> list[str]:
        return [str(s) for s in self._dict.suggest(word.replace("’", "'"))][:MAX_SUGGESTIONS]

    def ignore(self, word: str) -> None:
        self._ignored.add(word)

    def misspelt(self, text: str) -> list[tuple[int, int, str]]:
        """(start, end, word) of each misspelt word, as Python indexes into `text`."""
        # blank out what is never checked (same length, so indexes stay right)
        masked = SKIP.sub(lambda m: " " * len(m.group(0)), text)
        out = []
        for m in WORD.finditer(masked):
            if not self.check(m.group(0)):
                out.append((m.start(), m.end(), m.group(0)))
        return out


def load(language: str | None = None) -> tuple[SpellChecker | None, str]:
    """A checker for `language` (default: the system's, then en_US), or None and why not."""
    try:
        import enchant
    except (ImportError, OSError) as exc:  # no C library: pyenchant raises ImportError
        return None, f"Spell checking is off: the Enchant library is not installed ({exc})"
    wanted = [language] if language else []
    system = QLocale.system().name()  # e.g. "de_DE"
    wanted += [system, system.split("_")[0], "en_US", "en_GB", "en"]
    for tag in wanted:
        try:
            if tag and enchant.dict_exists(tag):
                return SpellChecker(enchant.Dict(tag), tag), f"Spell checking: {tag}"
        except enchant.errors.Error:  # a malformed tag
            continue
    return None, "Spell checking is off: no dictionary installed (e.g. hunspell-en-us)"


class SpellHighlighter(QSyntaxHighlighter):
    def __init__(self, document: QTextDocument, checker: SpellChecker) -> None:
        super().__init__(document)
        self.checker = checker
        self.enabled = True
        self._format = QTextCharFormat()
        self._format.setUnderlineStyle(QTextCharFormat.UnderlineStyle.SpellCheckUnderline)
        self._format.setUnderlineColor(QColor("#d32f2f"))

    def set_enabled(self, on: bool) -> None:
        self.enabled = on
        self.rehighlight()

    def highlightBlock(self, text: str) -> None:
        if not self.enabled:
            return
        offsets = Utf16Offsets(text)
        for start, end, _word in self.checker.misspelt(text):
            a, b = offsets(start), offsets(end)
            self.setFormat(a, b - a, self._format)


# -- loading off the UI thread ------------------------------------------------------------

_spelling: list[tuple[SpellChecker | None, str]] = []
_spelling_waiting: list[tuple[asyncio.AbstractEventLoop, Callable[..., None]]] = []
_spelling_lock = threading.Lock()


def load_async(
    loop: asyncio.AbstractEventLoop, ready: Callable[[SpellChecker | None, str], None]
) -> None:
    """Load the dictionary once (about 0.3 s) on a daemon thread; `ready` runs on `loop`."""
    with _spelling_lock:
        if _spelling:
            loop.call_soon(ready, *_spelling[0])
            return
        _spelling_waiting.append((loop, ready))
        if len(_spelling_waiting) > 1:
            return

    def work() -> None:
        result = load()
        with _spelling_lock:
            _spelling.append(result)
            waiting = list(_spelling_waiting)
            _spelling_waiting.clear()
        for waiting_loop, callback in waiting:
            try:
                waiting_loop.call_soon_threadsafe(callback, *result)
            except RuntimeError:  # that loop has closed
                pass

    threading.Thread(target=work, name="load-spelling", daemon=True).start()


# -- the editor's context menu ----------------------------------------------------------------


def actions_for(editor: QPlainTextEdit, spell: SpellHighlighter, position: int) -> list[QAction]:
    """Suggestions and Ignore for the misspelt word at cursor `position` ([] if none)."""
    cursor = QTextCursor(editor.document())
    cursor.setPosition(position)
    block = cursor.block()
    text = block.text()
    at = py_index(text, position - block.position())
    hit = next((h for h in spell.checker.misspelt(text) if h[0] <= at <= h[1]), None)
    if hit is None:
        return []
    start, end, word = hit
    offsets = Utf16Offsets(text)
    first, last = block.position() + offsets(start), block.position() + offsets(end)

    def replace(replacement: str) -> None:
        edit = QTextCursor(editor.document())
        edit.setPosition(first)
        edit.setPosition(last, QTextCursor.MoveMode.KeepAnchor)
        edit.insertText(replacement)

    def ignore() -> None:
        spell.checker.ignore(word)
        spell.rehighlight()

    actions: list[QAction] = []
    for suggestion in spell.checker.suggest(word):
        action = QAction(suggestion, editor)
        action.setObjectName(f"spellingSuggestion_{len(actions)}")
        action.triggered.connect(lambda _checked=False, s=suggestion: replace(s))
        actions.append(action)
    if not actions:
        none = QAction("(no suggestions)", editor)
        none.setEnabled(False)
        actions.append(none)
    skip = QAction(f"Ignore “{word}”", editor)
    skip.setObjectName("spellingIgnore")
    skip.triggered.connect(ignore)
    actions.append(skip)
    return actions


def context_menu(editor: QPlainTextEdit, spell: SpellHighlighter | None, pos: QPoint) -> QMenu:
    """The standard edit menu with the spelling suggestions on top; popup(), never exec()."""
    menu = editor.createStandardContextMenu(pos)
    menu.setObjectName("composerContextMenu")
    menu.setAccessibleName("Editing and spelling")
    actions = []
    if spell is not None and spell.enabled:
        actions = actions_for(editor, spell, editor.cursorForPosition(pos).position())
    if actions and menu.actions():
        first = menu.actions()[0]
        menu.insertActions(first, actions)
        menu.insertSeparator(first)
    elif actions:
        menu.addActions(actions)
    menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    menu.popup(editor.viewport().mapToGlobal(pos))
    return menu
