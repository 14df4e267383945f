"""The conversation list widget: a QTableView with fixed-height rows over the windowed model."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

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
    COL_CUSTOMER: 160,
    COL_ACCOUNT: 165,
    COL_AGE: 60,
    COL_DUE: 120,
    COL_PRIORITY: 58,
    COL_STATUS: 96,
    COL_ASSIGNEE: 96,
}


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
        self.setIconSize(self.iconSize().scaled(18, 18, Qt.AspectRatioMode.KeepAspectRatio))
        for bar, what in (
            (self.verticalScrollBar(), "conversationListVScroll"),
            (self.horizontalScrollBar(), "conversationListHScroll"),
        ):
            named(bar, what, "Scroll conversations")
        self.first_column = COL_CUSTOMER
