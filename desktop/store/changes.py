"""Change records: what a commit changed, announced after the commit and never before.

Writers call `record(session, entity, ids)` inside their transaction; the writer thread
publishes the accumulated ChangeSet once the commit succeeded (a rolled-back transaction
announces nothing). Screens then refresh only the named rows, like Anki's OpChanges.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sqlalchemy.orm import Session

log = logging.getLogger(__name__)

_KEY = "switchboard_changes"


@dataclass(frozen=True, slots=True)
class ChangeRecord:
    entity: str  # "conversation", "message", "customer", "account", "outbox", ...
    ids: tuple[int, ...]
    initiator: str | None = None  # "sync", "user", an op name...


@dataclass(frozen=True, slots=True)
class ChangeSet:
    records: tuple[ChangeRecord, ...]

    def ids(self, entity: str) -> set[int]:
        return {i for r in self.records if r.entity == entity for i in r.ids}


def record(session: Session, entity: str, ids: Iterable[int], initiator: str | None = None) -> None:
    ids = tuple(ids)
    if ids:
        session.info.setdefault(_KEY, []).append(ChangeRecord(entity, ids, initiator))


def take(session: Session) -> ChangeSet | None:
    records = session.info.pop(_KEY, None)
    return ChangeSet(tuple(records)) if records else None


def discard(session: Session) -> None:
    session.info.pop(_KEY, None)


Subscriber = Callable[[ChangeSet], None]


class ChangeBus:
    """Subscribers are called on the WRITER thread, right after the commit. Deliver to an
    event loop with `subscribe_on_loop`; keep callbacks short."""

    def __init__(self) -> None:
        self._subscribers: list[Subscriber] = []
        self._lock = threading.Lock()

    def subscribe(self, callback: Subscriber) -> Callable[[], None]:
        with self._lock:
            self._subscribers.append(callback)

        def unsubscribe() -> None:
            with self._lock:
                if callback in self._subscribers:
                    self._subscribers.remove(callback)

        return unsubscribe

    def subscribe_on_loop(
        self, loop: asyncio.AbstractEventLoop, callback: Subscriber
    ) -> Callable[[], None]:
        def deliver(changes: ChangeSet) -> None:
            loop.call_soon_threadsafe(callback, changes)

        return self.subscribe(deliver)

    def publish(self, changes: ChangeSet) -> None:
        with self._lock:
            subscribers = list(self._subscribers)
        for callback in subscribers:
            try:
                callback(changes)
            except Exception:  # one broken screen must not stop the writer
                log.exception("change subscriber failed")
