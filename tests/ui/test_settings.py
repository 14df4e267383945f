"""Sizes, splitter positions, column widths, the chosen view and sort are remembered per
profile (switchboard.ini in the profile folder) and restored when it opens again."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QByteArray
from PySide6.QtWidgets import QWidget

from desktop.demo.generator import generate
from desktop.store import Store
from ui.context import AppContext
from ui.data_source import Sort, StoreSource, View
from ui.main_window import MainWindow
from ui.models.conversation_list import COL_CUSTOMER
from ui.settings import SETTINGS_NAME, ProfileSettings


@pytest.fixture
def store(tmp_path):
    s = Store.open(tmp_path / "profile" / "switchboard.sqlite3")
    generate(s, 200, seed=2)
    yield s
    s.close()


def open_window(qtbot, store, qloop, profile):
    source = StoreSource(store, qloop)
    w = MainWindow()
    qtbot.addWidget(w)
    w.set_source(source, None, AppContext(store=store, loop=qloop, profile=profile))
    w.show()
    qtbot.waitExposed(w)
    return w


def test_profile_settings_round_trip(tmp_path):
    st = ProfileSettings(tmp_path)
    st.set_data("a", {"x": [1, "two"]})
    st.set_blob("b", QByteArray(b"\x00\x01state"))
    st.sync()
    again = ProfileSettings(tmp_path)
    assert again.data("a") == {"x": [1, "two"]}
    assert bytes(again.blob("b")) == b"\x00\x01state"
    assert again.data("missing", 5) == 5
    assert (tmp_path / SETTINGS_NAME).exists()
    memory = ProfileSettings(None)
    memory.set_data("a", 1)
    assert memory.data("a") == 1 and memory.path is None


def test_layout_view_and_sort_come_back(store, qloop, qtbot, tmp_path):
    profile = tmp_path / "profile"
    w = open_window(qtbot, store, qloop, profile)
    w.resize(796, 520)  # inside the offscreen screen (800x600): geometry is clamped to it
    size = w.size()  # no narrower than the window's minimum
    assert size.height() == 520
    w.table.horizontalHeader().resizeSection(COL_CUSTOMER, 231)
    w.go(View.NEEDS_REPLY)
    w.filter_bar.set_sort(Sort.OLDEST_WAITING)
    w.close()
    assert (profile / SETTINGS_NAME).exists()

    again = open_window(qtbot, store, qloop, profile)
    assert again.size() == size
    assert again.table.horizontalHeader().sectionSize(COL_CUSTOMER) == 231
    assert again.filter.view is View.NEEDS_REPLY
    assert again.views.currentItem().text() == "Needs reply"
    assert again.sort is Sort.OLDEST_WAITING
    assert again.sort_box.currentText() == "Oldest waiting"


def test_other_profiles_keep_their_own_layout(store, qloop, qtbot, tmp_path):
    one = open_window(qtbot, store, qloop, tmp_path / "one")
    one.go(View.RESOLVED)
    one.close()
    two = open_window(qtbot, store, qloop, tmp_path / "two")
    assert two.filter.view is View.ALL


def test_dragging_a_splitter_is_saved_without_closing(store, qloop, qtbot, tmp_path):
    profile = tmp_path / "profile"
    w = open_window(qtbot, store, qloop, profile)
    w.splitter.splitterMoved.emit(300, 1)
    qtbot.waitUntil(lambda: (profile / SETTINGS_NAME).exists(), timeout=3000)
    assert ProfileSettings(profile).blob("window/mainSplitter") is not None


def test_splitter_positions_come_back(store, qloop, qtbot, tmp_path):
    # offscreen screens are 800x600 and restoreGeometry clamps to them: test the splitters
    # in a window resized (not restored) to 1800 px, like a desktop screen
    profile = tmp_path / "profile"
    w = open_window(qtbot, store, qloop, profile)
    w.resize(1800, 900)
    w.add_side_widget(QWidget())  # (the customer panel may already be there)
    w.show_side_area(True)
    w.splitter.setSizes([300, 800, 692])
    w.right_splitter.setSizes([420, 272])
    sizes, right = w.splitter.sizes(), w.right_splitter.sizes()
    assert sizes[0] > 250  # moved away from the default 180
    w.close()
    settings = ProfileSettings(profile)
    settings.set_blob("window/geometry", QByteArray())
    settings.sync()
    again = open_window(qtbot, store, qloop, profile)
    again.resize(1800, 900)
    assert again.side_area.isVisible()  # the side panel comes back open, as left
    assert again.splitter.sizes() == sizes
    # the side panel was hidden while its splitter was restored: allow a few pixels
    assert all(abs(a - b) <= 6 for a, b in zip(again.right_splitter.sizes(), right, strict=True)), (
        again.right_splitter.sizes(),
        right,
    )
