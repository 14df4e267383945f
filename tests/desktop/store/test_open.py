"""Opening a profile: create, reopen, and clear errors that name the file."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import text

from desktop.domain.errors import StoreError
from desktop.store import Store


def test_reopen_keeps_data_and_does_not_back_up(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    with Store.open(path) as store:
        store.run_sync(
            lambda s: s.execute(text("INSERT INTO brands (name, timezone) VALUES ('Acme', 'UTC')"))
        )
    with Store.open(path) as store, store.reader() as s:
        assert s.execute(text("SELECT name FROM brands")).scalar() == "Acme"
    assert not list(tmp_path.glob("*.bak-*"))


def test_wal_and_foreign_keys_are_on(tmp_path: Path) -> None:
    with Store.open(tmp_path / "db.sqlite3") as store, store.reader() as s:
        assert s.connection().exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert s.connection().exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_garbage_file_is_refused_and_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match=str(path)):
        Store.open(path)
    assert path.read_bytes().startswith(b"this is not sqlite")


def test_foreign_sqlite_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.sqlite3"
    sqlite3.connect(path).execute("CREATE TABLE notes (x)").connection.commit()
    with pytest.raises(StoreError, match="not a Switchboard database"):
        Store.open(path)


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    Store.open(path).close()
    conn = sqlite3.connect(path)
    conn.execute("UPDATE alembic_version SET version_num = '9999_future'")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match="newer Switchboard") as info:
        Store.open(path)
    assert str(path) in str(info.value)


def test_locked_database_says_so(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    path.write_bytes(b"")
    holder = sqlite3.connect(path, timeout=0)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(StoreError, match="locked") as info:
            Store.open(path)
        assert str(path) in str(info.value)
    finally:
        holder.rollback()
        holder.close()


def test_a_profile_that_passed_0006_without_team_members_gets_the_table(tmp_path: Path) -> None:
    """0006 once created agent_team_members only in a later edit; databases upgraded before
    that must get it from 0009, and the inbox's view counts must work on them."""
    from alembic import command

    from desktop.store import inbox
    from desktop.store.db import _alembic_config, _make_engine

    path = tmp_path / "old.sqlite3"
    engine = _make_engine(path, writer=True)
    with engine.begin() as conn:
        cfg = _alembic_config()
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0008_profile_id")
        conn.exec_driver_sql("DROP TABLE IF EXISTS agent_team_members")  # as the early 0006 left it
    engine.dispose()
    with Store.open(path) as store, store.reader() as session:
        assert inbox.view_counts(session, 1) is not None
        tables = session.execute(text("SELECT name FROM sqlite_master WHERE type = 'table'"))
        assert "agent_team_members" in set(tables.scalars())


def _fill(path: Path) -> None:
    with Store.open(path) as store:
        store.run_sync(
            lambda s: s.connection().exec_driver_sql(
                "CREATE TABLE filler (id INTEGER PRIMARY KEY, t TEXT)"
            )
        )
        for _ in range(4):
            store.run_sync(
                lambda s: s.connection().exec_driver_sql(
                    "INSERT INTO filler (t) SELECT hex(randomblob(200)) FROM"
                    " (WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n"
                    " WHERE i < 500) SELECT i FROM n)"
                )
            )
        store.run_sync(
            lambda s: s.connection().exec_driver_sql("CREATE INDEX ix_filler_t ON filler (t)")
        )
    with sqlite3.connect(path) as raw:
        raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def test_a_cleanly_closed_profile_opens_without_reading_every_page(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import desktop.store.db as db

    path = tmp_path / "p" / "switchboard.sqlite3"
    _fill(path)
    assert not list(path.parent.glob("*.open-*"))  # close took its marker away
    checks: list[Path] = []
    monkeypatch.setattr(db, "_integrity_check", lambda conn, p: checks.append(p))
    with Store.open(path):
        assert len(list(path.parent.glob("*.open-*"))) == 1  # in use
    assert checks == []


def test_after_a_crash_the_integrity_check_finds_damage(tmp_path: Path) -> None:
    path = tmp_path / "p" / "switchboard.sqlite3"
    _fill(path)
    # A session that never closed: its process (pid 2**22 + 1 is beyond Linux's pid_max
    # default) is gone and its marker is still there.
    (path.parent / f"{path.name}.open-{2**22 + 1}-dead").touch()
    size = path.stat().st_size
    with path.open("r+b") as f:  # scribble over the middle of the file (table/index pages)
        f.seek(size // 2)
        f.write(b"\x07" * 8192)
    with pytest.raises(StoreError, match="corrupt"):
        Store.open(path)
    assert path.stat().st_size == size  # never recreated
