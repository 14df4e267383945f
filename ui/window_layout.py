"""The window's layout per profile: geometry, splitters, list columns, view, sort and whether
the side panel is open, in the profile's settings (ui/settings.py). Saved on close and a
moment after the user drags a splitter or a column; restored when a workspace opens."""

from __future__ import annotations

from typing import Any

from ui.data_source import Sort, View


def settings_dir(context: Any) -> Any:
    """The profile folder, unless the context names another (the throw-away demo)."""
    if context is None:
        return None
    return getattr(context, "settings_dir", None) or context.profile


def save_layout(window: Any) -> None:
    st = window.settings
    st.set_blob("window/geometry", window.saveGeometry())
    st.set_blob("window/mainSplitter", window.splitter.saveState())
    st.set_blob("window/conversationSplitter", window.right_splitter.saveState())
    st.set_blob("list/header", window.table.horizontalHeader().saveState())
    st.set_data("list/view", window.filter.view.value)
    st.set_data("list/sort", window.sort.value)
    st.set_data("window/sidePanel", window.side_area.isVisible())
    st.sync()


def restore_layout(window: Any) -> None:
    st = window.settings
    geometry = st.blob("window/geometry")
    if geometry is not None:
        window.restoreGeometry(geometry)
    for key, splitter in (
        ("window/mainSplitter", window.splitter),
        ("window/conversationSplitter", window.right_splitter),
    ):
        state = st.blob(key)
        if state is not None:
            splitter.restoreState(state)
    header = st.blob("list/header")
    if header is not None:
        window.table.horizontalHeader().restoreState(header)
    try:
        sort = Sort(st.data("list/sort", window.sort.value))
        view = View(st.data("list/view", window.filter.view.value))
    except ValueError:
        sort, view = window.sort, window.filter.view
    window.filter_bar.set_sort(sort)
    window.sidebar.set_view(view)
    # restoreState also restores visibility: the side panel shows only if it has content
    window.show_side_area(
        bool(st.data("window/sidePanel", False)) and window.shortcuts["toggleSide"].isEnabled()
    )
