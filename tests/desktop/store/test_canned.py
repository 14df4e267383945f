"""Canned responses: scope filtering, usage count, template fallback, editing, order,
JSON export and import."""

from __future__ import annotations

import json

import pytest

from desktop.domain.enums import Platform
from desktop.domain.errors import UserError
from desktop.store import Store, accounts, canned


def test_scope_usage_and_render(store: Store) -> None:
    def setup(s):  # type: ignore[no-untyped-def]
        a = canned.add(s, "Order", "order", "Hi {customer.first_name|there}!")
        canned.add(s, "Bsky only", "bsky", "Hey", platforms=[Platform.BLUESKY])
        canned.record_use(s, a.id)
        return a

    a = store.run_sync(setup)
    with store.reader() as s:
        mastodon = canned.list_for(s, platform=Platform.MASTODON)
        everything = canned.list_for(s)
    assert [c.shortcut for c in mastodon] == ["order"]
    assert everything[0].id == a.id and everything[0].usage_count == 1
    assert canned.render(a.body, {"customer.first_name": "Ana"}) == "Hi Ana!"
    assert canned.render(a.body, {}) == "Hi there!"
    # an unknown variable is never silently blanked
    assert canned.render("Hi {nick}", {"nick": "x"}) == "Hi {nick}"


def test_edit_delete_and_validation(store: Store) -> None:
    a = store.run_sync(lambda s: canned.add(s, "A", "a", "one"))
    b = store.run_sync(lambda s: canned.add(s, "B", "b", "two"))
    assert (a.position, b.position) == (0, 1)
    with pytest.raises(UserError, match="already used"):
        store.run_sync(lambda s: canned.add(s, "Again", "a", "x"))
    with pytest.raises(UserError, match="shortcut"):
        store.run_sync(lambda s: canned.add(s, "Bad", "Has Space", "x"))
    with pytest.raises(UserError, match="already used"):
        store.run_sync(
            lambda s: canned.update_response(s, b.id, title="B", shortcut="a", body="two")
        )
    edited = store.run_sync(
        lambda s: canned.update_response(
            s, b.id, title="Bee", shortcut="bee", body="2", platforms=[Platform.X]
        )
    )
    assert (edited.title, edited.shortcut, edited.platforms) == ("Bee", "bee", (Platform.X,))
    store.run_sync(lambda s: canned.remove(s, a.id))
    with store.reader() as s:
        assert [c.id for c in canned.list_all(s)] == [b.id]


def test_reorder_sets_positions(store: Store) -> None:
    ids = [store.run_sync(lambda s, n=n: canned.add(s, n, n, n)).id for n in ("x", "y", "z")]
    store.run_sync(lambda s: canned.reorder(s, [ids[2], ids[0]]))
    with store.reader() as s:
        listed = canned.list_all(s)
    assert [c.id for c in listed] == [ids[2], ids[0], ids[1]]
    assert [c.position for c in listed] == [0, 1, 2]


def test_export_then_import_into_another_profile(store: Store, tmp_path) -> None:  # type: ignore[no-untyped-def]
    def setup(s):  # type: ignore[no-untyped-def]
        acme = accounts.ensure_brand(s, "Acme")
        canned.add(s, "Hello", "hello", "Hi {customer.first_name|there}", brand_ids=[acme.id])
        canned.add(s, "Bye", "bye", "Bye!", platforms=[Platform.BLUESKY])
        canned.record_use(s, 1)

    store.run_sync(setup)
    with store.reader() as s:
        exported = canned.export_json(s)
    data = json.loads(exported)
    assert data["responses"][0] == {
        "title": "Hello",
        "shortcut": "hello",
        "body": "Hi {customer.first_name|there}",
        "brands": ["Acme"],
        "platforms": [],
    }
    other = Store.open(tmp_path / "other.sqlite3")
    try:
        other.run_sync(lambda s: accounts.ensure_brand(s, "Acme"))
        other.run_sync(lambda s: canned.add(s, "Old bye", "bye", "old text"))
        result = other.run_sync(lambda s: canned.import_json(s, exported))
        assert (result.added, result.updated, result.warnings) == (1, 1, [])
        with other.reader() as s:
            got = {c.shortcut: c for c in canned.list_all(s)}
        assert got["bye"].body == "Bye!" and got["bye"].platforms == (Platform.BLUESKY,)
        assert got["hello"].brand_ids and got["hello"].usage_count == 0
    finally:
        other.close()


def test_import_rejects_bad_files_whole(store: Store) -> None:
    with pytest.raises(UserError, match="not a JSON"):
        store.run_sync(lambda s: canned.import_json(s, "{nope"))
    with pytest.raises(UserError, match="not a Switchboard"):
        store.run_sync(lambda s: canned.import_json(s, "[]"))
    bad = json.dumps(
        {
            "format": canned.EXPORT_FORMAT,
            "version": 1,
            "responses": [
                {"title": "Fine", "shortcut": "fine", "body": "ok"},
                {"title": "Broken", "shortcut": "NO WAY", "body": "x"},
            ],
        }
    )
    with pytest.raises(UserError, match="response 2"):
        store.run_sync(lambda s: canned.import_json(s, bad))
    with store.reader() as s:
        assert canned.list_all(s) == []  # the good first entry rolled back too
    warn = json.dumps(
        {
            "format": canned.EXPORT_FORMAT,
            "version": 1,
            "responses": [
                {
                    "title": "W",
                    "shortcut": "w",
                    "body": "Hi {customer.nick}",
                    "brands": ["Nobody"],
                    "platforms": ["myspace"],
                }
            ],
        }
    )
    result = store.run_sync(lambda s: canned.import_json(s, warn))
    assert result.added == 1 and len(result.warnings) == 3
