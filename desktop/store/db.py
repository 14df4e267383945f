"""The Store: one SQLite file, one writer thread, many short readers.

Why one writer thread: SQLite allows one writer at a time; funnelling every write through
one thread (Anki's collection thread, Mailspring's single writer) removes lock contention
and makes "local phase in one transaction" trivial. Readers use their own connections
(WAL lets them run beside the writer) so the UI never waits for a sync batch.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import queue
import shutil
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import DatabaseError, OperationalError
from sqlalchemy.orm import Session

from desktop.domain.errors import StoreError
from desktop.store import changes as change_records
from desktop.store.changes import ChangeBus
from desktop.store.open_marker import mark_closed, mark_open

log = logging.getLogger(__name__)
T = TypeVar("T")
MIGRATIONS = Path(__file__).parent / "migrations"
_STOP = object()


def _alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def _make_engine(path: Path, *, writer: bool) -> Engine:
    engine = create_engine(f"sqlite:///{path}", connect_args={"check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn: sqlite3.Connection, _record: Any) -> None:
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA busy_timeout=5000")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA journal_mode=WAL")
        # The writer commits user work: FULL survives power loss. Readers never write.
        cur.execute(f"PRAGMA synchronous={'FULL' if writer else 'NORMAL'}")
        cur.close()

    return engine


def _integrity_check(conn: Any, path: Path) -> None:
    check = conn.exec_driver_sql("PRAGMA quick_check").scalar()
    if check != "ok":
        raise StoreError(f"the database is corrupt ({check})", str(path))


class Store:
    def __init__(self, path: Path, engine: Engine, reader_engine: Engine) -> None:
        self.path = path
        self._engine = engine
        self._reader_engine = reader_engine
        self.changes = ChangeBus()
        self._profile_id: str | None = None
        self._marker: Path | None = None
        self._jobs: queue.Queue[Any] = queue.Queue()
        self._thread = threading.Thread(target=self._writer_loop, name="store-writer", daemon=True)
        self._thread.start()

    # -- opening ---------------------------------------------------------------------------
    @classmethod
    def open(cls, path: Path) -> Store:
        """Open (creating or upgrading) the database at `path`. Never recreates a bad file."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        existed = path.exists() and path.stat().st_size > 0
        engine = _make_engine(path, writer=True)
        marker, unclean = mark_open(path)
        try:
            with engine.connect() as conn:
                if existed and unclean:  # only after a crash: see open_marker
                    _integrity_check(conn, path)
                current = MigrationContext.configure(conn).get_current_revision()
            script = ScriptDirectory.from_config(_alembic_config())
            head = script.get_current_head()
            known = {rev.revision for rev in script.walk_revisions()}
            if current is not None and current not in known:
                raise StoreError(
                    f"the database was written by a newer Switchboard (schema {current}); "
                    "update Switchboard to open it",
                    str(path),
                )
            if existed and current is None:
                raise StoreError("the file is not a Switchboard database", str(path))
            if current != head:
                if existed:
                    backup = path.with_name(f"{path.name}.bak-{current}")
                    shutil.copy2(path, backup)
                    log.info("backed up %s to %s before upgrading", path, backup)
                with engine.begin() as conn:
                    cfg = _alembic_config()
                    cfg.attributes["connection"] = conn
                    command.upgrade(cfg, "head")
        except StoreError:
            engine.dispose()
            mark_closed(marker)
            raise
        except OperationalError as exc:
            engine.dispose()
            mark_closed(marker)
            message = str(exc.orig) if exc.orig else str(exc)
            if "locked" in message or "busy" in message:
                raise StoreError("the database is locked by another program", str(path)) from exc
            raise StoreError(f"cannot open the database ({message})", str(path)) from exc
        except DatabaseError as exc:
            engine.dispose()
            mark_closed(marker)
            raise StoreError("the file is not a database or is corrupt", str(path)) from exc
        store = cls(path, engine, _make_engine(path, writer=False))
        store._marker = marker
        return store

    # -- writing ---------------------------------------------------------------------------
    def _writer_loop(self) -> None:
        while True:
            job = self._jobs.get()
            if job is _STOP:
                return
            fn, future = job
            if not future.set_running_or_notify_cancel():
                continue
            session = Session(self._engine, expire_on_commit=False)
            try:
                with session.begin():
                    result = fn(session)
                changes = change_records.take(session)
            except BaseException as exc:
                change_records.discard(session)
                future.set_exception(exc)
                session.close()
                continue
            session.close()
            if changes is not None:
                self.changes.publish(changes)
            future.set_result(result)

    def submit(self, fn: Callable[[Session], T]) -> concurrent.futures.Future[T]:
        future: concurrent.futures.Future[T] = concurrent.futures.Future()
        self._jobs.put((fn, future))
        return future

    async def run(self, fn: Callable[[Session], T]) -> T:
        """Run fn(session) in one transaction on the writer thread; its result comes back."""
        return await asyncio.wrap_future(self.submit(fn))

    def run_sync(self, fn: Callable[[Session], T]) -> T:
        """The same, blocking: for scripts and the CLI (never from the writer thread)."""
        return self.submit(fn).result()

    # -- identity ---------------------------------------------------------------------------
    @property
    def profile_id(self) -> str:
        """This profile's stable random id (made by migration 0008): it names the profile's
        keyring entries, so two profiles' account 1 never share a token."""
        if self._profile_id is None:
            with self._reader_engine.connect() as conn:
                self._profile_id = str(
                    conn.exec_driver_sql(
                        "SELECT value FROM profile_meta WHERE key = 'profile_id'"
                    ).scalar_one()
                )
        return self._profile_id

    # -- reading ---------------------------------------------------------------------------
    @contextmanager
    def reader(self) -> Iterator[Session]:
        """A short read session on its own connection (safe from the UI thread)."""
        session = Session(self._reader_engine)
        try:
            yield session
        finally:
            session.close()

    def close(self) -> None:
        if self._thread.is_alive():
            # Refresh the planner's statistics where they went stale (SQLite's advice for
            # long-lived connections): without them the inbox views pick a worse index.
            try:
                self.run_sync(lambda s: s.connection().exec_driver_sql("PRAGMA optimize"))
            except Exception:  # a failing optimize must not block shutdown
                log.warning("PRAGMA optimize failed", exc_info=True)
            self._jobs.put(_STOP)
            self._thread.join(timeout=30)
        self._engine.dispose()
        self._reader_engine.dispose()
        if self._marker is not None:
            mark_closed(self._marker)
            self._marker = None

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
