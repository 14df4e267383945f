"""The entry point, end to end in a subprocess (offscreen): opens, shows, shuts down cleanly."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from ui.app import parse_args


def _run(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "QT_API": "pyside6"}
    return subprocess.run(
        [sys.executable, "-m", "ui.app", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        cwd=Path(__file__).resolve().parents[2],
    )


def test_arguments():
    args = parse_args(["--profile", "/tmp/p", "--demo", "--theme", "dark"])
    assert args.profile == Path("/tmp/p") and args.demo and args.theme == "dark"
    assert not args.self_test


def test_an_empty_profile_opens_and_closes(tmp_path):
    done = _run("--profile", str(tmp_path / "profile"), "--quit-after", "0.5")
    assert done.returncode == 0, done.stderr
    assert "closed showing 0 conversations" in done.stdout
    assert (tmp_path / "profile" / "switchboard.sqlite3").exists()


def test_a_locked_or_broken_profile_shows_a_reason_not_a_crash(tmp_path):
    profile = tmp_path / "profile"
    profile.mkdir()
    (profile / "switchboard.sqlite3").write_bytes(b"not a database at all" * 100)
    done = _run("--profile", str(profile), "--quit-after", "0.5")
    assert done.returncode == 0, done.stderr
    assert "store failed to open" in (profile / "switchboard.log").read_text()
    assert "closed showing 0 conversations" in done.stdout


@pytest.mark.timeout(180)
def test_demo_opens_a_live_inbox(tmp_path):
    done = _run("--demo", "--profile", str(tmp_path / "demo"), "--quit-after", "8")
    assert done.returncode == 0, done.stderr
    shown = int(done.stdout.split("closed showing ")[1].split()[0])
    assert shown > 0, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
