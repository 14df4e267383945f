"""The conversation list widget: a QTableView with fixed-height rows over the windowed model."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QMenu, QTableView, QWidget

from ui.models.conversation_list import (
    COL_ACCOUNT,
    COL_AGE,
    COL_ASSIGNEE,
    COL_CUSTOMER,
    COL_DUE,
    COL_PLATFORM,
    COL_PRIORITY,
    COL_SNIPPET,
    COL_STATUS,
    ConversationListModel,
)
from ui.naming import named

ROW_HEIGHT = 30

COLUMN_WIDTHS = {
    COL_PLATFORM: 34,
    COL_CUSTOMER: 140,
    COL_ACCOUNT: 125,
    COL_AGE: 58,
    COL_DUE: 128,
    COL_PRIORITY: 54,
    COL_STATUS: 88,
    COL_ASSIGNEE: 84,
}
# the message needs the room at a laptop's width; View > Columns shows it again
HIDDEN_BY_DEFAULT = (COL_PRIORITY,)
ALWAYS_SHOWN = (COL_PLATFORM, COL_CUSTOMER, COL_SNIPPET)


class ConversationTable(QTableView):
    def __init__(self, model: ConversationListModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        named(self, "conversationList", "Conversations")
        self.setModel(model)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setShowGrid(False)
        self.setWordWrap(False)
        self.setAlternatingRowColors(True)
        self.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        vh = self.verticalHeader()
        vh.hide()
        # fixed-height rows: the view never measures rows (DESIGN.md: ~9 ms insert at 1M rows)
        vh.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vh.setDefaultSectionSize(ROW_HEIGHT)
        vh.setMinimumSectionSize(ROW_HEIGHT)
        hh = self.horizontalHeader()
        named(hh, "conversationListHeader", "Columns")
        hh.setHighlightSections(False)
        hh.setStretchLastSection(False)
        for col in range(model.columnCount()):
            hh.setSectionResizeMode(col, QHeaderView.ResizeMode.Interactive)
            if col in COLUMN_WIDTHS:
                hh.resizeSection(col, COLUMN_WIDTHS[col])
        hh.setSectionResizeMode(COL_PLATFORM, QHeaderView.ResizeMode.Fixed)
        hh.setSectionResizeMode(COL_SNIPPET, QHeaderView.ResizeMode.Stretch)
        for col in HIDDEN_BY_DEFAULT:
            if col < model.columnCount():
                hh.hideSection(col)
        self.columns_menu = named(QMenu("&Columns"), "menuColumns", "Columns")
        self.columns_menu.aboutToShow.connect(self._sync_column_actions)
        self.column_actions: dict[int, QAction] = {}
        for col in range(model.columnCount()):
            if col in ALWAYS_SHOWN:
                continue
            title = str(model.headerData(col, Qt.Orientation.Horizontal) or "")
            action = QAction(title, self.columns_menu)
            action.setObjectName(f"column_{title.lower() or col}")
            action.setCheckable(True)
            action.toggled.connect(lambda on, c=col: hh.setSectionHidden(c, not on))
            self.columns_menu.addAction(action)
            self.column_actions[col] = action
        self._sync_column_actions()
        hh.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        hh.customContextMenuRequested.connect(
            lambda pos: self.columns_menu.popup(hh.viewport().mapToGlobal(pos))
        )
        self.setIconSize(self.iconSize().scaled(18, 18, Qt.AspectRatioMode.KeepAspectRatio))
        for bar, what in (
            (self.verticalScrollBar(), "conversationListVScroll"),
            (self.horizontalScrollBar(), "conversationListHScroll"),
        ):
            named(bar, what, "Scroll conversations")
        self.first_column = COL_CUSTOMER

    def _sync_column_actions(self) -> None:
        """The menu's checks follow the header (which a restored layout may have changed)."""
        hh = self.horizontalHeader()
        for col, action in self.column_actions.items():
            blocker = action.blockSignals(True)
            action.setChecked(not hh.isSectionHidden(col))
            action.blockSignals(blocker)
