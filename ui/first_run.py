"""First run: a profile without any account offers "Connect an account" or "Open the demo".

Shown in place of the empty conversation list (not a modal dialog: the menus, shortcuts and
help stay usable). The buttons only emit; the window opens the accounts dialog, the app
swaps in the demo workspace.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from ui.naming import named

TITLE = "Welcome to Switchboard"
TEXT = (
    "Every brand account's mentions, comments and direct messages in one inbox that works "
    "offline. Connect your first account (Mastodon, Bluesky, X, Facebook Pages, Instagram), "
    "or look around a live demo workspace first: a sandbox plays the platforms and their "
    "customers, and real connectors sync it in as you watch."
)


class FirstRunPanel(QWidget):
    connect_requested = Signal()
    demo_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("firstRun")
        title = QLabel(TITLE)
        title.setObjectName("firstRunTitle")
        title.setTextFormat(Qt.TextFormat.PlainText)
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.5)
        font.setBold(True)
        title.setFont(font)
        text = QLabel(TEXT)
        text.setObjectName("firstRunText")
        text.setTextFormat(Qt.TextFormat.PlainText)
        text.setWordWrap(True)
        text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        text.setMinimumWidth(320)
        text.setMaximumWidth(520)
        self.connect_button = named(
            QPushButton("&Connect an account…"), "connectAccountButton", "Connect an account"
        )
        self.demo_button = named(
            QPushButton("Open the &demo workspace"), "openDemoButton", "Open the demo workspace"
        )
        self.connect_button.setDefault(True)
        self.connect_button.clicked.connect(self.connect_requested.emit)
        self.demo_button.clicked.connect(self.demo_requested.emit)
        self.hint = QLabel("")
        self.hint.setObjectName("firstRunHint")
        self.hint.setTextFormat(Qt.TextFormat.PlainText)
        self.hint.setWordWrap(True)
        self.hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.hint.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.hint.hide()

        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.connect_button)
        buttons.addWidget(self.demo_button)
        buttons.addStretch(1)
        column = QVBoxLayout(self)
        column.addStretch(1)
        column.addWidget(title)
        centred = QHBoxLayout()  # no alignment flag: the label then gets its wrapped height
        centred.addStretch(1)
        centred.addWidget(text, 3)
        centred.addStretch(1)
        column.addLayout(centred)
        column.addSpacing(12)
        column.addLayout(buttons)
        column.addWidget(self.hint)
        column.addStretch(2)
        self.setFocusProxy(self.connect_button)

    def show_hint(self, text: str) -> None:
        """E.g. the command line way to connect when the accounts dialog is unavailable."""
        self.hint.setText(text)
        self.hint.setVisible(bool(text))
