"""The generated workspace: every platform, multi-platform customers, threads, extras."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from sqlalchemy import text

from desktop.store import Store, inbox, search
from desktop.store.inbox import InboxFilter, View


def test_generate_a_small_workspace_through_the_cli(tmp_path: Path) -> None:
    profile = tmp_path / "p"
    out = subprocess.run(
        [sys.executable, "-m", "desktop", "--profile", str(profile), "demo", "--messages", "3000"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    with Store.open(profile / "switchboard.sqlite3") as store, store.reader() as s:
        q = lambda sql: s.execute(text(sql)).scalar()  # noqa: E731
        assert q("SELECT COUNT(*) FROM messages") >= 3000
        assert q("SELECT COUNT(DISTINCT platform) FROM conversations") == 5
        assert (
            q(
                "SELECT COUNT(*) FROM (SELECT customer_id FROM identities GROUP BY customer_id"
                " HAVING COUNT(*) > 1)"
            )
            > 0
        )
        assert q("SELECT COUNT(*) FROM conversations WHERE message_count > 1") > 0
        assert q("SELECT COUNT(*) FROM notes WHERE kind = 'handoff'") == 2
        assert q("SELECT COUNT(*) FROM canned_responses") >= 3
        assert inbox.count(s, InboxFilter(view=View.NEEDS_REPLY)) > 0
        assert search.search(s, "refund", limit=5)
    again = subprocess.run(
        [sys.executable, "-m", "desktop", "--profile", str(profile), "demo", "--messages", "10"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert again.returncode == 2 and "exists" in again.stderr
