"""The packaged bundle: size, and cold start to the first painted inbox, as a ratio to a minimal
PySide6 window bundled the same way (tests/bench/bundle_baseline), measured in the same run.

    make bench-bundle     (builds dist/Switchboard first; the baseline bundle is built here)

Cold start = from just before the process is spawned to the `first-paint <monotonic>` line the
process prints once its list is painted with rows (ui/first_paint.py; the same probe in the
baseline). Both run offscreen in a clean environment (env -i); runs alternate between the two
so machine load hits both alike; medians are reported. "Cold" is a new process with the page
cache warm (a warm-up run of each first): dropping the caches would need root and disturb
everything else on the machine. Budgets (issue 7): <= 150 MB unpacked, <= 1.5 s cold start.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BUNDLE = ROOT / "dist" / "Switchboard"
BASELINE_SRC = Path(__file__).resolve().parent / "bundle_baseline"
BASELINE_OUT = ROOT / "build" / "bench-baseline"
BASELINE_EXE = BASELINE_OUT / "dist" / "Baseline" / "baseline"
RUNS = int(os.environ.get("SWITCHBOARD_BENCH_BUNDLE_RUNS", "7"))
MESSAGES = int(os.environ.get("SWITCHBOARD_BENCH_BUNDLE_MESSAGES", "20000"))
SIZE_BUDGET_MB = 150
START_BUDGET_S = 1.5

pytestmark = [
    pytest.mark.bench,
    pytest.mark.skipif(
        not (BUNDLE / "switchboard").exists(), reason="no bundle: run `make package`"
    ),
]


def size_mb(folder: Path) -> float:
    return sum(p.lstat().st_size for p in folder.rglob("*") if not p.is_dir()) / 1e6


def build_baseline() -> None:
    """(Re)build the baseline bundle when its sources or the shared trimming changed."""
    sources = [*BASELINE_SRC.iterdir(), ROOT / "scripts" / "bundle_filter.py"]
    if BASELINE_EXE.exists() and BASELINE_EXE.stat().st_mtime > max(
        p.stat().st_mtime for p in sources
    ):
        return
    subprocess.run(
        [
            sys.executable,
            "-m",
            "PyInstaller",
            "--noconfirm",
            "--log-level",
            "WARN",
            "--distpath",
            str(BASELINE_OUT / "dist"),
            "--workpath",
            str(BASELINE_OUT / "work"),
            str(BASELINE_SRC / "baseline.spec"),
        ],
        check=True,
        cwd=ROOT,
        timeout=900,
    )


def clean_env(home: Path) -> dict[str, str]:
    return {
        "PATH": "/usr/bin:/bin",
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "QT_QPA_PLATFORM": "offscreen",
    }


def first_paint(args: list[str], env: dict[str, str], cwd: Path) -> tuple[float, float]:
    """Seconds from spawning the process to its first painted list, and the CPU seconds the
    process had used by then (less skewed by other work on the machine)."""
    started = time.monotonic()
    out = subprocess.run(
        args, env=env, cwd=cwd, capture_output=True, text=True, timeout=120, check=False
    )
    lines = [line for line in out.stdout.splitlines() if line.startswith("first-paint ")]
    assert out.returncode == 0 and lines, out.stdout + out.stderr
    _, painted, cpu = lines[0].split()
    return float(painted) - started, float(cpu)


def test_bundle_size_and_cold_start(tmp_path: Path) -> None:
    build_baseline()
    profile = tmp_path / "profile"
    subprocess.run(
        [sys.executable, "-m", "desktop", "--profile", str(profile), "demo",
         "--messages", str(MESSAGES), "--seed", "1"],
        check=True, cwd=ROOT, capture_output=True, timeout=1800,
    )  # fmt: skip
    env = clean_env(tmp_path)
    app = [str(BUNDLE / "switchboard"), "--profile", str(profile), "--first-paint"]
    baseline = [str(BASELINE_EXE)]
    venv_env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    venv_app = [sys.executable, "-m", "ui.app", "--profile", str(profile), "--first-paint"]

    first_paint(app, env, tmp_path)  # warm-up: page cache, fontconfig cache in HOME
    first_paint(baseline, env, tmp_path)
    times: dict[str, list[float]] = {"bundle": [], "baseline": [], "venv": []}
    cpu: dict[str, list[float]] = {"bundle": [], "baseline": [], "venv": []}
    for _ in range(RUNS):
        for name, args, run_env, cwd in (
            ("baseline", baseline, env, tmp_path),
            ("bundle", app, env, tmp_path),
            ("venv", venv_app, venv_env, ROOT),
        ):
            wall, used = first_paint(args, run_env, cwd)
            times[name].append(wall)
            cpu[name].append(used)
    median = {name: statistics.median(values) for name, values in times.items()}
    cpu_median = {name: statistics.median(values) for name, values in cpu.items()}

    tarballs = sorted((ROOT / "dist").glob("Switchboard-*.tar.gz"))
    print()
    print(f"bundle size: {size_mb(BUNDLE):.0f} MB unpacked (budget {SIZE_BUDGET_MB} MB)"
          + (f", tarball {tarballs[-1].stat().st_size / 1e6:.0f} MB" if tarballs else "")
          + f"; baseline bundle {size_mb(BASELINE_EXE.parent):.0f} MB")  # fmt: skip
    print(f"cold start to first painted inbox, {MESSAGES:,} messages, median of {RUNS}:")
    for name in ("baseline", "bundle", "venv"):
        values = ", ".join(f"{v:.2f}" for v in sorted(times[name]))
        print(f"  {name:9} {median[name]:.3f} s wall ({values}); {cpu_median[name]:.3f} s CPU")
    print(f"  bundle / baseline = {median['bundle'] / median['baseline']:.2f} wall, "
          f"{cpu_median['bundle'] / cpu_median['baseline']:.2f} CPU; "
          f"bundle / venv = {median['bundle'] / median['venv']:.2f} wall; "
          f"budget {START_BUDGET_S} s")  # fmt: skip
