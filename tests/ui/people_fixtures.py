"""A real store with colleagues, two brands on two platforms and a few customers, and an
AppContext over it, for the notes, handoff, colleagues and customer panel tests."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QAbstractSlider, QWidget

from desktop.domain.enums import Platform
from desktop.store import Store
from tests.desktop.store.factories import item
from tests.desktop.store.people import World, put, who, world
from ui.context import AppContext

JANE_M = who(Platform.MASTODON, "m-1", "jane_doe@mastodon.social", "Jane Doe", followers=50)
JANE_X = who(Platform.X, "x-1", "janedoe", "Jane Doe", followers=900)
BOB = who(Platform.MASTODON, "m-2", "bob", "Bob <b>Stone</b>")


@dataclass
class People:
    store: Store
    ctx: AppContext
    w: World
    jane_m: int  # conversation ids
    jane_x: int
    bob: int


@pytest.fixture(name="people")
def people_fixture(tmp_path: Path, qloop: object) -> Iterator[People]:
    store = Store.open(tmp_path / "switchboard.sqlite3")
    try:
        w = world(store)
        [jane_m] = put(store, w.mastodon, [item("1", "parcel late", thread="a", who=JANE_M)])
        [jane_x] = put(store, w.x, [item("2", "still late!", thread="b", who=JANE_X, minutes=5)])
        [bob] = put(store, w.mastodon, [item("3", "hi <i>there</i>", thread="c", who=BOB)])
        ctx = AppContext(store=store, loop=qloop, me_id=w.me)  # type: ignore[arg-type]
        yield People(store, ctx, w, jane_m, jane_x, bob)
    finally:
        store.close()
        # the shared qloop (already_running=True) marks itself as the thread's running loop;
        # leave none behind, or a later asyncio.run() in this process refuses to start
        asyncio.events._set_running_loop(None)


def _interactive(widget: QWidget) -> bool:
    if isinstance(widget, QAbstractSlider | QAbstractButton):
        return widget.isVisibleTo(widget.window())
    return widget.focusPolicy() != Qt.FocusPolicy.NoFocus and widget.isVisibleTo(widget.window())


def unnamed(root: QWidget) -> list[str]:
    """Interactive widgets without an objectName or accessibleName."""
    return [
        f"{type(w).__name__}({w.objectName()!r})"
        for w in [root, *root.findChildren(QWidget)]
        if _interactive(w) and (not w.objectName() or not w.accessibleName())
    ]
