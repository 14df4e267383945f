"""Desktop notifications for new inbound messages in the views the user chose.

Sync's change records name the new messages; the notifier keeps the inbound ones (never our
own replies or the brand's posts), checks which chosen views their conversations are in
(one indexed id query per view, restricted to those conversations) and shows them from the
tray (QSystemTrayIcon) while the window is not the active one. A burst (the first sync of
the day) becomes one summary instead of a wall of bubbles. Clicking a notification brings
the window up on that conversation. Without a system tray the status line says it instead.

The chosen views are a per-profile setting (`notify/views`), changed from View > Notify me.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QSystemTrayIcon

from desktop.store.changes import ChangeSet
from ui.data_source import InboxFilter, View
from ui.icons import app_icon
from ui.naming import named

log = logging.getLogger(__name__)

KEY = "notify/views"
DEFAULT_VIEWS = (View.NEEDS_REPLY, View.HANDED_TO_ME)
BURST = 3  # more than this many at once: one summary
BODY_CHARS = 140

VIEW_NAMES = {
    View.ALL: "All",
    View.NEEDS_REPLY: "Needs reply",
    View.MINE: "Mine",
    View.UNASSIGNED: "Unassigned",
    View.HANDED_TO_ME: "Handed to me",
    View.SNOOZED: "Snoozed",
    View.RESOLVED: "Resolved",
}


@dataclass(frozen=True, slots=True)
class Notification:
    title: str
    body: str
    conversation_id: int | None  # None for a summary


@dataclass(frozen=True, slots=True)
class Inbound:
    message_id: int
    conversation_id: int
    author: str
    text: str
    platform: str
    account: str


def read_inbound(store: Any, message_ids: Iterable[int]) -> list[Inbound]:
    """The inbound ones among `message_ids`, with who wrote them and where."""
    from sqlalchemy import text

    ids = sorted(set(message_ids))
    if not ids:
        return []
    sql = text(
        "SELECT m.id, m.conversation_id, coalesce(i.display_name, i.handle, ''), m.text,"
        " c.platform, a.handle FROM messages m"
        " JOIN conversations c ON c.id = m.conversation_id"
        " JOIN accounts a ON a.id = c.account_id"
        " LEFT JOIN identities i ON i.id = m.author_identity_id"
        f" WHERE m.direction = 'in' AND m.id IN ({','.join(str(int(i)) for i in ids)})"
        " ORDER BY m.created_at, m.id"
    )
    with store.reader() as session:
        return [
            Inbound(int(r[0]), int(r[1]), str(r[2]), str(r[3] or ""), str(r[4]), str(r[5]))
            for r in session.execute(sql)
        ]


def in_views(source: Any, conversation_ids: list[int], views: Iterable[View]) -> dict[int, View]:
    """Which chosen view each conversation is in (the first, in the order given)."""
    found: dict[int, View] = {}
    for view in views:
        rest = [c for c in conversation_ids if c not in found]
        if not rest:
            break
        for cid in source.ids(InboxFilter(view=view, conversation_ids=rest)):
            found.setdefault(cid, view)
    return found


def compose(items: list[tuple[Inbound, View]]) -> list[Notification]:
    """One notification per message, or one summary for a burst."""
    if not items:
        return []
    if len(items) > BURST:
        views = sorted({VIEW_NAMES[v] for _, v in items})
        people = []
        for inbound, _ in items:
            if inbound.author and inbound.author not in people:
                people.append(inbound.author)
        who = ", ".join(people[:3]) + (f" and {len(people) - 3} more" if len(people) > 3 else "")
        return [
            Notification(
                f"{len(items)} new messages in {', '.join(views)}",
                f"From {who}" if who else "",
                None,
            )
        ]
    out = []
    for inbound, view in items:
        text = " ".join(inbound.text.split())
        if len(text) > BODY_CHARS:
            text = text[: BODY_CHARS - 1] + "…"
        who = inbound.author or "Someone"
        title = f"{who} · {inbound.platform.title()} {inbound.account} ({VIEW_NAMES[view]})"
        out.append(Notification(title, text, inbound.conversation_id))
    return out


class Notifier(QObject):
    """Follows the window's change records; `shown` keeps what was (or would be) shown."""

    activated = Signal(object)  # conversation id (or None for a summary)

    def __init__(self, window: Any) -> None:
        super().__init__(window)
        self.window = window
        self.views: tuple[View, ...] = DEFAULT_VIEWS
        self.shown: list[Notification] = []
        self.tray: QSystemTrayIcon | None = None
        self._last: Notification | None = None
        self.menu = named(QMenu("&Notify me about"), "menuNotify", "Notify me about")
        self.actions: dict[View, QAction] = {}
        for view, name in VIEW_NAMES.items():
            action = QAction(name, self.menu)
            action.setObjectName(f"notify_{view.value}")
            action.setCheckable(True)
            action.toggled.connect(lambda on, v=view: self._toggled(v, on))
            self.menu.addAction(action)
            self.actions[view] = action
        self._sync_actions()

    # -- settings ---------------------------------------------------------------------------
    def load(self, settings: Any) -> None:
        raw = settings.data(KEY, [v.value for v in DEFAULT_VIEWS])
        views = []
        for value in raw if isinstance(raw, list) else []:
            try:
                views.append(View(value))
            except ValueError:
                continue
        self.views = tuple(v for v in VIEW_NAMES if v in views)  # sidebar order
        self._sync_actions()

    def set_views(self, views: Iterable[View]) -> None:
        chosen = set(views)
        self.views = tuple(v for v in VIEW_NAMES if v in chosen)
        settings = getattr(self.window, "settings", None)
        if settings is not None:
            settings.set_data(KEY, [v.value for v in self.views])
            settings.sync()
        self._sync_actions()

    def _toggled(self, view: View, on: bool) -> None:
        chosen = set(self.views)
        if on == (view in chosen):
            return
        self.set_views(chosen | {view} if on else chosen - {view})

    def _sync_actions(self) -> None:
        for view, action in self.actions.items():
            blocker = action.blockSignals(True)
            action.setChecked(view in self.views)
            action.blockSignals(blocker)

    # -- change records ---------------------------------------------------------------------
    def on_changes(self, changes: ChangeSet) -> list[Notification]:
        """What to show for these change records (only sync's new messages count)."""
        context = getattr(self.window, "context", None)
        source = getattr(self.window, "source", None)
        if context is None or source is None or not self.views:
            return []
        new = {
            i
            for r in changes.records
            if r.entity == "message" and r.initiator == "sync"
            for i in r.ids
        }
        if not new:
            return []
        try:
            inbound = read_inbound(context.store, new)
            where = in_views(source, sorted({m.conversation_id for m in inbound}), self.views)
        except Exception:
            log.exception("could not read new messages for notifications")
            return []
        notes = compose(
            [(m, where[m.conversation_id]) for m in inbound if m.conversation_id in where]
        )
        for note in notes:
            self.deliver(note)
        return notes

    def deliver(self, note: Notification) -> None:
        self.shown.append(note)
        del self.shown[:-50]
        self._last = note
        if self.window.isActiveWindow():
            return  # the user is looking at the inbox: the list itself shows it
        tray = self._tray()
        if tray is not None:
            tray.showMessage(note.title, note.body, app_icon(), 8000)
        else:
            self.window.show_message(f"{note.title}: {note.body}" if note.body else note.title)

    def _tray(self) -> QSystemTrayIcon | None:
        if self.tray is None and QSystemTrayIcon.isSystemTrayAvailable():
            self.tray = QSystemTrayIcon(app_icon(), self)
            self.tray.setObjectName("trayIcon")
            self.tray.setToolTip("Switchboard")
            self.tray.messageClicked.connect(self._clicked)
            self.tray.activated.connect(lambda _reason: self._raise())
            self.tray.show()
        return self.tray

    def _clicked(self) -> None:
        self._raise()
        if self._last is not None:
            self.activated.emit(self._last.conversation_id)

    def _raise(self) -> None:
        self.window.showNormal()
        self.window.raise_()
        self.window.activateWindow()

    def close(self) -> None:
        if self.tray is not None:
            self.tray.hide()
