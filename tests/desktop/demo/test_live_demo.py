"""The live demo and the self-test run the real connectors against the real sandbox."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

from desktop.demo import live, self_test


def test_self_test_syncs_replies_and_verifies(tmp_path: Path) -> None:
    lines: list[str] = []
    assert asyncio.run(self_test.run(tmp_path, out=lines.append)) == 0
    assert lines[-1].startswith("self-test ok")


def test_live_demo_fills_the_inbox_from_every_platform(tmp_path: Path) -> None:
    lines: list[str] = []
    asyncio.run(live.run_in_terminal(tmp_path, seconds=3, out=lines.append))
    platforms = {line[1:10].strip() for line in lines if line.startswith("[")}
    assert {"mastodon", "bluesky", "facebook", "instagram"} <= platforms


def test_switchboard_entry_point_self_test(tmp_path: Path) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "ui.app", "--self-test", "--profile", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    assert "self-test ok" in out.stdout
