"""Screenshots of the main window under a real X server (Xvfb), saved for people to look at.

Starts its own `Xvfb :N` on a free display, runs tests/ui/screenshot_main.py with the xcb
platform, writes PNGs to artifacts/screenshots/ (gitignored), and stops Xvfb. Skips cleanly
when Xvfb is not installed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "artifacts" / "screenshots"
SCRIPT = Path(__file__).with_name("screenshot_main.py")


def _free_display() -> int:
    for n in range(90, 190):
        if not Path(f"/tmp/.X{n}-lock").exists() and not Path(f"/tmp/.X11-unix/X{n}").exists():
            return n
    raise RuntimeError("no free X display number")


@pytest.fixture
def xvfb_display():
    xvfb = shutil.which("Xvfb")
    if xvfb is None:
        pytest.skip("Xvfb is not installed (scripts/install-system-deps.sh installs it)")
    n = _free_display()
    proc = subprocess.Popen(
        [xvfb, f":{n}", "-screen", "0", "1400x900x24", "-nolisten", "tcp"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while not Path(f"/tmp/.X11-unix/X{n}").exists():
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.skip(f"Xvfb :{n} did not start")
            time.sleep(0.05)
        yield f":{n}"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.mark.xvfb
@pytest.mark.timeout(240)
def test_main_window_screenshots(xvfb_display):
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "xcb",
        "DISPLAY": xvfb_display,
        "QT_API": "pyside6",
    }
    done = subprocess.run(
        [sys.executable, str(SCRIPT), str(OUT)],
        capture_output=True,
        text=True,
        timeout=200,
        env=env,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    for name in (
        "main-light.png",
        "main-dark.png",
        "long-thread.png",
        "shortcuts.png",
        "accounts.png",
        "accounts-connect.png",
        "composer-picker.png",
        "composer-over-limit.png",
        "composer-undo.png",
        "canned-manager.png",
        "customer-panel.png",
        "customer-panel-detail.png",
        "customer-erase-confirm.png",
        "sync-status.png",
        "sync-panel.png",
        "thread-long.png",
        "thread-long-top.png",
    ):
        png = OUT / name
        assert png.exists() and png.stat().st_size > 10_000, name
