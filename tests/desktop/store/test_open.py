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
