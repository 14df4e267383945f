"""`python -m desktop customers ...`: show, suggest, merge, export, and erase only with --yes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from desktop.cli import main
from desktop.domain.enums import Platform
from desktop.store import Store, customers
from desktop.store.paths import database_path
from tests.desktop.store.factories import item
from tests.desktop.store.people import put, who, world


@pytest.fixture
def profile(tmp_path: Path) -> tuple[Path, int, int]:
    folder = tmp_path / "profile"
    store = Store.open(database_path(folder))
    try:
        w = world(store)
        jane_m = who(Platform.MASTODON, "m-1", "janedoe@mastodon.social", "Jane Doe")
        jane_x = who(Platform.X, "x-1", "janedoe", "Jane Doe")
        [a] = put(store, w.mastodon, [item("1", "parcel late", thread="a", who=jane_m)])
        [b] = put(store, w.x, [item("2", "still late", thread="b", who=jane_x)])
        with store.reader() as s:
            first, second = customers.of_conversation(s, a), customers.of_conversation(s, b)
    finally:
        store.close()
    assert first is not None and second is not None
    return folder, first, second


def test_suggest_merge_show_export_erase(profile, capsys, tmp_path) -> None:  # type: ignore[no-untyped-def]
    folder, jane, other = profile
    run = ["--profile", str(folder), "customers"]
    assert main([*run, "suggest", str(jane)]) == 0
    assert f"{other:>6} 100.0% Jane Doe: same name" in capsys.readouterr().out
    assert main([*run, "merge", str(jane), str(other)]) == 0
    capsys.readouterr()
    assert main(["--json", *run[:2], "customers", "show", str(jane)]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert len(shown["customer"]["identities"]) == 2 and len(shown["timeline"]) == 2
    out = tmp_path / "jane.json"
    assert main([*run, "export", str(jane), "--out", str(out)]) == 0
    assert [m["text"] for m in json.loads(out.read_text())["messages"]] == [
        "parcel late",
        "still late",
    ]
    capsys.readouterr()
    assert main([*run, "erase", str(jane)]) == 2  # only says what would go
    said = capsys.readouterr().out
    assert "identity janedoe on x" in said and "--yes" in said
    assert main([*run, "show", str(jane)]) == 0
    capsys.readouterr()
    assert main([*run, "erase", str(jane), "--yes"]) == 0
    assert "erased:" in capsys.readouterr().out
    assert main([*run, "show", str(jane)]) == 2
