"""`switchboard --first-paint` reports the monotonic time of the first painted inbox and quits
(the cold-start benchmark reads it from outside the process)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_first_paint_line_after_launch_then_exit(tmp_path: Path) -> None:
    profile = tmp_path / "profile"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    subprocess.run(
        [
            sys.executable,
            "-m",
            "desktop",
            "--profile",
            str(profile),
            "demo",
            "--messages",
            "200",
            "--seed",
            "3",
        ],
        check=True,
        capture_output=True,
        timeout=120,
        cwd=ROOT,
        env=env,
    )
    started = time.monotonic()
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from ui.app import main; sys.exit(main())",
            "--profile",
            str(profile),
            "--first-paint",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        env=env,
    )
    ended = time.monotonic()
    assert out.returncode == 0, out.stderr
    lines = [line for line in out.stdout.splitlines() if line.startswith("first-paint ")]
    assert len(lines) == 1, out.stdout
    _, painted, cpu = lines[0].split()
    assert started < float(painted) < ended
    assert 0 < float(cpu) < ended - started + 60  # CPU seconds of the process (threads add up)
