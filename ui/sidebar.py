"""The sidebar: views with live counts; brands with their accounts; saved searches.

The sidebar only shows and chooses; the window owns the filter. Signals: `view_chosen(View)`,
`scope_chosen(kind, id)` ("all" | "brand" | "account"), `saved_search_chosen(SavedSearch)`.
Keyboard: arrows move inside a section, Tab moves between sections; in saved searches F2
renames and Delete removes.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QPoint, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence, QPainter, QPalette, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QAbstractScrollArea,
    QApplication,
    QFrame,
    QLabel,
    QListView,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QSizePolicy,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from ui.data_source import View
from ui.models.account_tree import AccountTreeModel, CountRole, EntityRole, KindRole
from ui.naming import name_scrollbars, named
from ui.saved_searches import SavedSearchModel, SearchRole

VIEW_LABELS: dict[View, str] = {
    View.ALL: "All",
    View.NEEDS_REPLY: "Needs reply",
    View.MINE: "Mine",
    View.UNASSIGNED: "Unassigned",
    View.HANDED_TO_ME: "Handed to me",
    View.SNOOZED: "Snoozed",
    View.RESOLVED: "Resolved",
}


class CountDelegate(QStyledItemDelegate):
    """Sidebar rows: the name on the left, its live count (CountRole) right-aligned."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Any) -> None:
        count = index.data(CountRole)
        if not count:
            super().paint(painter, option, index)
            return
        # the name is elided short of the count, so a long handle never runs under it
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        metrics = opt.fontMetrics  # type: ignore[attr-defined]
        room = opt.rect.width() - metrics.horizontalAdvance(str(count)) - 34  # type: ignore[attr-defined]
        if not opt.icon.isNull():  # type: ignore[attr-defined]
            room -= opt.decorationSize.width() + 8  # type: ignore[attr-defined]
        opt.text = metrics.elidedText(opt.text, Qt.TextElideMode.ElideRight, max(room, 20))  # type: ignore[attr-defined]
        style = opt.widget.style() if opt.widget is not None else QApplication.style()  # type: ignore[attr-defined]
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)  # type: ignore[attr-defined]
        painter.save()
        selected = bool(option.state & QStyle.StateFlag.State_Selected)  # type: ignore[attr-defined]
        role = (
            QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.PlaceholderText
        )
        painter.setPen(option.palette.color(role))  # type: ignore[attr-defined]
        rect = option.rect.adjusted(0, 0, -14, 0)  # type: ignore[attr-defined]
        painter.drawText(
            rect, int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter), str(count)
        )
        painter.restore()


ViewCountDelegate = CountDelegate  # the older name


class Sidebar(QWidget):
    view_chosen = Signal(object)  # View
    scope_chosen = Signal(str, object)  # "all" | "brand" | "account", id or None
    saved_search_chosen = Signal(object)  # SavedSearch

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sidebar")
        self.views = named(QListWidget(), "viewList", "Views")
        for view, label in VIEW_LABELS.items():
            item = QListWidgetItem(label)
            item.setData(Qt.ItemDataRole.UserRole, view.value)
            self.views.addItem(item)
        self.views.setCurrentRow(0)
        self.views.currentItemChanged.connect(self._view_item_changed)
        self.views.setItemDelegate(CountDelegate(self.views))
        self.views.setSizeAdjustPolicy(QAbstractScrollArea.SizeAdjustPolicy.AdjustToContents)
        self.views.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self.views.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

        self.account_model = AccountTreeModel(self)
        self.accounts = named(QTreeView(), "accountTree", "Brands and accounts")
        self.accounts.setModel(self.account_model)
        self.accounts.setHeaderHidden(True)
        self.accounts.setRootIsDecorated(False)
        self.accounts.setIndentation(14)
        self.accounts.setUniformRowHeights(True)
        self.accounts.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.accounts.setItemDelegate(CountDelegate(self.accounts))
        self.accounts.selectionModel().currentChanged.connect(self._scope_changed)
        self.account_model.modelReset.connect(self.accounts.expandAll)

        self.saved_model = SavedSearchModel(self)
        self.saved = named(QListView(), "savedSearchList", "Saved searches")
        self.saved.setModel(self.saved_model)
        self.saved.setEditTriggers(QAbstractItemView.EditTrigger.EditKeyPressed)
        self.saved.setItemDelegate(CountDelegate(self.saved))
        self.saved.clicked.connect(self._saved_activated)
        self.saved.activated.connect(self._saved_activated)
        self.saved.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.saved.customContextMenuRequested.connect(self._saved_menu)
        delete = QShortcut(QKeySequence(QKeySequence.StandardKey.Delete), self.saved)
        delete.setContext(Qt.ShortcutContext.WidgetShortcut)
        delete.setObjectName("shortcut_deleteSavedSearch")
        delete.activated.connect(self.delete_current_saved)
        self.saved_hint = named(QLabel(), "savedSearchHint", "No saved searches")
        self.saved_hint.setTextFormat(Qt.TextFormat.PlainText)
        self.saved_hint.setWordWrap(True)
        self.saved_hint.setText("Search or filter, then View ▸ Save search (Ctrl+Shift+S).")
        self.saved_model.modelReset.connect(self._saved_hint_update)
        self.saved_model.rowsInserted.connect(self._saved_hint_update)
        self.saved_model.rowsRemoved.connect(self._saved_hint_update)

        self.setMinimumWidth(170)
        for view in (self.accounts, self.saved):
            view.setFrameShape(QFrame.Shape.NoFrame)
        name_scrollbars(self.views, "viewList", "Scroll views")
        name_scrollbars(self.accounts, "accountTree", "Scroll brands and accounts")
        name_scrollbars(self.saved, "savedSearchList", "Scroll saved searches")
        self.saved_hint.setContentsMargins(10, 2, 10, 8)
        # local to the sidebar: the sections read as one column with the views above
        self.setStyleSheet(SIDEBAR_QSS)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.views)
        layout.addWidget(_section("Brands"))
        layout.addWidget(self.accounts, 2)
        layout.addWidget(_section("Saved searches"))
        layout.addWidget(self.saved, 1)
        layout.addWidget(self.saved_hint)
        self._saved_hint_update()

    # -- views ------------------------------------------------------------------------------
    def current_view(self) -> View:
        item = self.views.currentItem()
        return View(item.data(Qt.ItemDataRole.UserRole)) if item is not None else View.ALL

    def set_view(self, view: View) -> None:
        for i in range(self.views.count()):
            if self.views.item(i).data(Qt.ItemDataRole.UserRole) == view.value:
                self.views.setCurrentRow(i)

    def set_counts(self, counts: dict[View, int]) -> None:
        for i in range(self.views.count()):
            item = self.views.item(i)
            view = View(item.data(Qt.ItemDataRole.UserRole))
            label = VIEW_LABELS[view]
            n = counts.get(view)
            item.setText(label)
            item.setData(CountRole, f"{n:,}" if n is not None else "")
            item.setData(Qt.ItemDataRole.AccessibleTextRole, f"{label}, {n or 0} conversations")

    def _view_item_changed(self, item: QListWidgetItem | None, _previous: object = None) -> None:
        if item is not None:
            self.view_chosen.emit(View(item.data(Qt.ItemDataRole.UserRole)))

    # -- brands and accounts ----------------------------------------------------------------
    def show_scope(self, brand_id: int | None, account_id: int | None) -> None:
        """Select the row matching the filter without emitting scope_chosen."""
        if account_id is not None:
            index = self.account_model.index_of("account", account_id)
        elif brand_id is not None:
            index = self.account_model.index_of("brand", brand_id)
        else:
            index = self.account_model.index_of("all")
        blocker = self.accounts.selectionModel().blockSignals(True)
        try:
            if index is not None and index.isValid():
                self.accounts.setCurrentIndex(index)
            else:
                self.accounts.selectionModel().clearCurrentIndex()
                self.accounts.clearSelection()
        finally:
            self.accounts.selectionModel().blockSignals(blocker)
        self.accounts.viewport().update()

    def _scope_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if not current.isValid():
            return
        kind = current.data(KindRole)
        self.scope_chosen.emit(kind, current.data(EntityRole) if kind != "all" else None)

    # -- saved searches ---------------------------------------------------------------------
    def _saved_activated(self, index: QModelIndex) -> None:
        search = index.data(SearchRole)
        if search is not None:
            self.saved_search_chosen.emit(search)

    def delete_current_saved(self) -> None:
        index = self.saved.currentIndex()
        if index.isValid():
            self.saved_model.remove(index.row())

    def _saved_menu(self, pos: QPoint) -> None:
        index = self.saved.indexAt(pos)
        if not index.isValid():
            return
        menu = named(QMenu(self), "savedSearchMenu", "Saved search")
        rename = QAction("Rename", menu)
        rename.triggered.connect(lambda: self.saved.edit(index))
        delete = QAction("Delete", menu)
        delete.triggered.connect(lambda: self.saved_model.remove(index.row()))
        menu.addAction(rename)
        menu.addAction(delete)
        menu.popup(self.saved.viewport().mapToGlobal(pos))

    def _saved_hint_update(self) -> None:
        empty = self.saved_model.rowCount() == 0
        self.saved.setVisible(not empty)
        self.saved_hint.setVisible(empty)


SIDEBAR_QSS = """
QTreeView#accountTree, QListView#savedSearchList { background: palette(window); }
QTreeView#accountTree::item, QListView#savedSearchList::item { padding: 3px 2px; }
QLabel#sidebarSection {
    color: palette(placeholder-text); font-weight: bold; padding: 10px 10px 3px 10px;
}
QLabel#savedSearchHint { color: palette(placeholder-text); }
"""


def _section(title: str) -> QLabel:
    label = QLabel(title)
    label.setObjectName("sidebarSection")
    label.setTextFormat(Qt.TextFormat.PlainText)
    return label
