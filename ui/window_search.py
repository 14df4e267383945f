"""Search, filters and saved searches of the inbox window (a mixin of MainWindow).

The window owns one `InboxFilter` (view, brand, account, platform, status, assignee, tag)
and, while a search is on, the matching conversation ids with their snippets. The sidebar
and the filter bar only show and choose; everything that changes the filter comes through
here, and both are kept showing the same thing.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QInputDialog

from ui.naming import named
from ui.saved_searches import SavedSearch, to_filter
from ui.saved_searches import store as store_saved
from ui.sidebar import VIEW_LABELS

log = logging.getLogger(__name__)

# InboxFilter fields a saved search or the filter bar may set
SCOPE_FIELDS = ("brand_id", "account_id", "platform", "status", "assignee_id", "tag")


class SearchAndFilters:
    """Mixed into MainWindow: uses its filter, search_ids, source, model, sidebar,
    filter_bar, search_box, table, settings, show_message and _reload_list."""

    filter: Any
    search_ids: list[int] | None
    source: Any
    model: Any
    sidebar: Any
    filter_bar: Any
    search_box: Any
    table: Any
    views: Any
    settings: Any

    # -- filters and saved searches ----------------------------------------------------------
    def set_filter(self, **changes: Any) -> None:
        """Change InboxFilter fields (brand_id, account_id, platform, ...) and reload the list;
        the sidebar and filter bar show the new filter."""
        new = replace(self.filter, **changes)
        if new == self.filter:
            return
        self.filter = new
        self._show_filter()
        self._reload_list()

    def _show_filter(self) -> None:
        self.sidebar.show_scope(self.filter.brand_id, self.filter.account_id)
        show = getattr(self.filter_bar, "show_filter", None)
        if show is not None:
            show(self.filter)

    def _scope_chosen(self, kind: str, entity_id: int | None) -> None:
        if kind == "brand":
            self.set_filter(brand_id=entity_id, account_id=None)
        elif kind == "account":
            self.set_filter(brand_id=None, account_id=entity_id)
        else:
            self.set_filter(brand_id=None, account_id=None)

    def clear_filters(self) -> None:
        self.search_box.clear()
        self._set_search(None)
        self.filter = replace(self.filter, **dict.fromkeys(SCOPE_FIELDS))
        self._show_filter()
        self._reload_list()
        self.show_message("Filters cleared")

    def current_search(self, name: str) -> SavedSearch:
        filters: dict[str, Any] = {}
        for key in SCOPE_FIELDS:
            value = getattr(self.filter, key)
            if value is not None:
                filters[key] = getattr(value, "value", value)
        query = self.search_box.text().strip() if self.search_ids is not None else ""
        return SavedSearch(name, query, self.filter.view.value, filters)

    def save_search(self, name: str | None = None) -> None:
        """Save the current search text, view and filters under a name (asks when None)."""
        if name is not None:
            row = self.sidebar.saved_model.add(self.current_search(name))
            self.sidebar.saved.setCurrentIndex(self.sidebar.saved_model.index(row))
            self.show_message(f"Saved search “{name}”")
            return
        dialog = named(QInputDialog(self), "saveSearchDialog", "Save search")
        dialog.setWindowTitle("Save search")
        dialog.setLabelText(f"Name for {self.current_search('').describe()}:")
        dialog.setTextValue(self.search_box.text().strip() or VIEW_LABELS[self.filter.view])
        dialog.textValueSelected.connect(self._save_search_named)
        dialog.finished.connect(dialog.deleteLater)
        self.save_dialog = dialog
        dialog.open()  # never exec(): we run inside the event loop

    def _save_search_named(self, text: str) -> None:
        if text.strip():
            self.save_search(text.strip())

    def apply_saved_search(self, search: SavedSearch) -> None:

        self.filter = to_filter(search, self.filter)
        view = self.filter.view
        blocker = self.views.blockSignals(True)
        self.sidebar.set_view(view)
        self.views.blockSignals(blocker)
        self._show_filter()
        self.search_box.setText(search.query)
        if not (search.query and self._run_query(search.query)):
            self._set_search(None)
        self._reload_list()
        self.show_message(f"{search.name}: {self.model.rowCount()} conversations")

    def _saved_changed(self) -> None:
        store_saved(self.settings, self.sidebar.saved_model.searches())
        self.feed.dirty = True  # their counts, with the next per-account counts

    # -- search ------------------------------------------------------------------------------
    def focus_search(self) -> None:
        self.search_box.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search_box.selectAll()

    def run_search(self) -> None:
        text = self.search_box.text().strip()
        if self.source is None:
            return
        if not text:
            self.clear_search()
            return
        if not self._run_query(text):
            return
        self._reload_list()
        n = len(self.search_ids or [])
        self.show_message(f"{n} conversation{'s' if n != 1 else ''} match")
        if self.model.rowCount():
            self.table.setFocus()

    def _run_query(self, text: str) -> bool:
        """Run a search; a bad query (the store's UserError) is shown, not raised."""
        assert self.source is not None
        try:
            snippets = getattr(self.source, "search_snippets", None)
            if snippets is not None:
                found: dict[int, str] = snippets(text)
                self._set_search(list(found), found)
            else:
                self._set_search(self.source.search(text))
        except Exception as exc:
            self.show_message(str(exc))
            return False
        return True

    def _set_search(self, ids: list[int] | None, snippets: dict[int, str] | None = None) -> None:
        self.search_ids = ids
        self.model.set_snippets(snippets if ids is not None else None)

    def clear_search(self) -> None:
        self.search_box.clear()
        if self.search_ids is not None:
            self._set_search(None)
            self.requery()
        self.table.setFocus()
