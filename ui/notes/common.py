"""What the notes, handoff, assign, colleagues and customer widgets share: a writer that runs
store functions on the writer thread and reports back on the Qt thread, change watching,
and small formatting helpers."""

from __future__ import annotations

import asyncio
import html
import logging
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any, TypeVar

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget

from ui.context import AppContext
from ui.naming import named

log = logging.getLogger(__name__)
T = TypeVar("T")

# the entities whose change means notes, people, tags or the trail may have changed
PEOPLE_ENTITIES = ("note", "customer", "conversation", "agent", "audit", "tag")


def write(
    ctx: AppContext,
    fn: Callable[[Any], T],
    done: Callable[[T], None] | None = None,
    failed: Callable[[str], None] | None = None,
) -> asyncio.Future[T] | None:
    """Run `fn(session)` on the store's writer thread; `done(result)` or `failed(message)`
    are called on the Qt thread afterwards. Returns the task (tests may await it)."""

    async def run() -> T:
        return await ctx.store.run(fn)

    try:
        task = ctx.loop.create_task(run())
    except RuntimeError as exc:  # the loop is closed (shutting down)
        if failed is not None:
            failed(str(exc))
        return None

    def finished(t: asyncio.Future[T]) -> None:
        if t.cancelled():
            return
        exc = t.exception()
        if exc is not None:
            if not _is_user_error(exc):
                log.error("write failed", exc_info=exc)
            if failed is not None:
                failed(str(exc))
        elif done is not None:
            done(t.result())

    task.add_done_callback(finished)
    return task


def _is_user_error(exc: BaseException) -> bool:
    from desktop.domain.errors import UserError

    return isinstance(exc, UserError)


class ChangeWatch:
    """Call `callback` on the Qt thread when the store commits changes to `entities`."""

    def __init__(
        self,
        callback: Callable[[], None],
        entities: Iterable[str] = PEOPLE_ENTITIES,
        wanted: Callable[[Any], bool] | None = None,
    ):
        self._callback = callback
        self._entities = tuple(entities)
        self._wanted = wanted  # a finer test of the ChangeSet (e.g. only my conversation)
        self._unsubscribe: Callable[[], None] | None = None

    def watch(self, ctx: AppContext | None) -> None:
        self.stop()
        if ctx is not None:
            self._unsubscribe = ctx.store.changes.subscribe_on_loop(ctx.loop, self._changed)

    def _changed(self, changes: Any) -> None:
        if self._wanted is not None:
            if self._wanted(changes):
                self._callback()
        elif any(changes.ids(e) for e in self._entities):
            self._callback()

    def stop(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None


def plain(text: str, name: str, accessible: str | None = None, *, wrap: bool = True) -> QLabel:
    """A label that shows untrusted text as text (never rich text, never links)."""
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(wrap)
    label.setObjectName(name)
    label.setAccessibleName(accessible or text)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    return label


def when(value: datetime | None) -> str:
    if value is None:
        return ""
    return value.astimezone().strftime("%d %b %Y %H:%M")


def clear_layout(widget: QWidget) -> None:
    layout = widget.layout()
    if layout is None:
        return
    while layout.count():
        item = layout.takeAt(0)
        if item is None:
            break
        child = item.widget()
        if child is not None:
            child.hide()
            child.deleteLater()


def name_scrollbars(area: Any, name: str, accessible: str) -> None:
    """Scroll bars are interactive: give a scroll area's bars names too."""
    named(area.verticalScrollBar(), f"{name}VScroll", accessible)
    named(area.horizontalScrollBar(), f"{name}HScroll", accessible)


def text_tip(text: str) -> str:
    """A tooltip that shows `text` as text: tooltips guess rich text from the content, so
    untrusted words (a display name such as "<b>Bob</b>") are escaped inside <qt>."""
    return "<qt>" + html.escape(text).replace("\n", "<br>") + "</qt>"
