"""Screenshots of the reports window under Xvfb (tests/ui/screenshot_reports.py), saved to
artifacts/screenshots/ for people to look at; skips without Xvfb."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.ui.test_screenshots import OUT, ROOT, xvfb_display  # noqa: F401  (the fixture)

SCRIPT = ROOT / "tests" / "ui" / "screenshot_reports.py"
NAMES = (
    "reports-volume.png",
    "reports-hours.png",
    "reports-sentiment.png",
    "reports-breakdown.png",
    "inbox-by-due.png",
)


@pytest.mark.xvfb
@pytest.mark.timeout(240)
def test_reports_screenshots(xvfb_display) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    env = {**os.environ, "QT_QPA_PLATFORM": "xcb", "DISPLAY": xvfb_display, "QT_API": "pyside6"}
    done = subprocess.run(
        [sys.executable, str(SCRIPT), str(OUT), "4000"],
        capture_output=True,
        text=True,
        timeout=200,
        env=env,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    for name in NAMES:
        png = OUT / name
        assert png.exists() and png.stat().st_size > 10_000, name
