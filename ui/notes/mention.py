"""@mention completion in a line edit: typing "@sa" offers "Sam", "Customer care"…, and
choosing one replaces just the word being typed (a QCompleter on the widget, not on the
whole text, so the rest of the note stays as typed)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from PySide6.QtCore import QStringListModel, Qt
from PySide6.QtWidgets import QCompleter, QLineEdit

_AT_WORD = re.compile(r"(?:^|(?<=\s))@([\w .'-]{0,40})$")


class MentionCompleter(QCompleter):
    def __init__(self, edit: QLineEdit) -> None:
        super().__init__(edit)
        self.setObjectName("mentionCompleter")
        self.edit = edit
        self.names = QStringListModel(self)
        self.setModel(self.names)
        self.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.setFilterMode(Qt.MatchFlag.MatchContains)
        self.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.setWidget(edit)
        popup = self.popup()
        assert popup is not None
        popup.setObjectName("mentionPopup")
        popup.setAccessibleName("Mention a colleague")
        self.activated[str].connect(self.insert)  # type: ignore[index]
        edit.textEdited.connect(self._edited)

    def _hide(self) -> None:
        popup = self.popup()
        if popup is not None:
            popup.hide()

    def set_names(self, names: Sequence[str]) -> None:
        self.names.setStringList(list(names))

    def _token(self) -> re.Match[str] | None:
        before = self.edit.text()[: self.edit.cursorPosition()]
        match = _AT_WORD.search(before)
        # a finished mention ("@Sam ") followed by more words is not a token any more
        if match and "  " not in match.group(1):
            return match
        return None

    def _edited(self, _text: str) -> None:
        token = self._token()
        if token is None:
            self._hide()
            return
        self.setCompletionPrefix(token.group(1))
        if self.completionCount() == 0:
            self._hide()
            return
        self.complete()

    def insert(self, name: str) -> None:
        token = self._token()
        text, pos = self.edit.text(), self.edit.cursorPosition()
        start = token.start() if token is not None else pos
        if token is not None and text[start] != "@":
            start += 1
        new = f"{text[:start]}@{name} "
        self.edit.setText(new + text[pos:])
        self.edit.setCursorPosition(len(new))
        self._hide()
