"""Colleagues and teams: stable ids, rename, deactivate (never delete), handoff targets."""

from __future__ import annotations

import pytest

from desktop.domain.errors import UserError
from desktop.store import Store, agents, conversations, notes
from tests.desktop.store.factories import item
from tests.desktop.store.people import put, world


def test_add_rename_deactivate_keep_identity(store: Store) -> None:
    w = world(store)
    ana = store.run_sync(lambda s: agents.add(s, "  Ana   Lima ", email="ana@example.com"))
    assert ana.name == "Ana Lima" and ana.active and len(ana.uid) == 36
    assert ana.created_at is not None
    renamed = store.run_sync(lambda s: agents.rename(s, ana.id, "Ana L."))
    assert (renamed.uid, renamed.name) == (ana.uid, "Ana L.")
    store.run_sync(lambda s: agents.set_active(s, ana.id, False))
    with store.reader() as s:
        everyone = agents.list_all(s)
        targets = agents.handoff_targets(s)
        names = agents.names(s)
    assert everyone[0].is_me
    assert [a.label for a in everyone] == ["Me (me)", "Ana L.", "Sam", "Customer care (team)"]
    assert [a.name for a in targets] == ["Sam", "Customer care"]
    assert names[ana.id] == "Ana L."  # history still shows a deactivated colleague
    [cid] = put(store, w.mastodon, [item("1", "hello")])
    with pytest.raises(UserError, match="deactivated"):
        store.run_sync(lambda s: conversations.assign(s, cid, ana.id))
    with pytest.raises(UserError, match="deactivated"):
        store.run_sync(lambda s: notes.handoff(s, cid, author_id=w.me, to_id=ana.id, body="x"))


def test_names_are_unique_and_me_stays_active(store: Store) -> None:
    w = world(store)
    with pytest.raises(UserError, match="already"):
        store.run_sync(lambda s: agents.add(s, "Sam"))
    with pytest.raises(UserError, match="name"):
        store.run_sync(lambda s: agents.add(s, "   "))
    with pytest.raises(UserError, match="yourself"):
        store.run_sync(lambda s: agents.set_active(s, w.me, False))
    team = store.run_sync(lambda s: agents.add(s, "Legal", team=True))
    assert team.is_team and team.label == "Legal (team)"


def test_colleagues_from_before_0006_stay_active(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from alembic import command

    from desktop.store.db import _alembic_config, _make_engine

    path = tmp_path / "old.sqlite3"
    engine = _make_engine(path, writer=True)
    with engine.begin() as conn:
        cfg = _alembic_config()
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0003_people_notes_fts")
        conn.exec_driver_sql(
            "INSERT INTO agents (id, uid, name, is_me, is_team) VALUES (4, 'u-4', 'Old Pal', 0, 0)"
        )
    engine.dispose()
    reopened = Store.open(path)
    try:
        with reopened.reader() as s:
            [pal] = agents.list_all(s)
        assert (pal.name, pal.active, pal.created_at) == ("Old Pal", True, None)
    finally:
        reopened.close()
