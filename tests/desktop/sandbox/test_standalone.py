"""`python -m desktop.sandbox` runs on its own, and the in-process server stops cleanly."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from pathlib import Path

import httpx

from desktop.sandbox.server import SandboxServer


def test_module_prints_its_url_and_serves(tmp_path: Path) -> None:
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps({"seed": 1, "rules": [{"fault": "latency", "latency_ms": 1}]}))
    process = subprocess.Popen(
        [sys.executable, "-m", "desktop.sandbox", "--port", "0", "--seed", "5",
         "--faults", str(plan), "--traffic", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:")
        accounts = httpx.get(f"{url}/__sandbox__/accounts", timeout=5).json()
        assert accounts["mastodon"][0]["base_url"] == f"{url}/mastodon"
        assert httpx.get(f"{url}/__sandbox__/faults").json()["rules"] == 1
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_module_refuses_a_bad_plan(tmp_path: Path) -> None:
    plan = tmp_path / "plan.json"
    plan.write_text('{"rules": [{"fault": "meteor"}]}')
    done = subprocess.run([sys.executable, "-m", "desktop.sandbox", "--faults", str(plan)],
                          capture_output=True, text=True, timeout=30)
    assert done.returncode == 2
    assert "meteor" not in done.stdout and "fault must be one of" in done.stderr


def test_server_stops_and_frees_its_thread() -> None:
    before = {t.name for t in threading.enumerate()}
    with SandboxServer(seed=2) as server:
        url = server.base_url
        assert httpx.get(f"{url}/__sandbox__/accounts").status_code == 200
    assert {t.name for t in threading.enumerate()} == before
    try:
        httpx.get(f"{url}/__sandbox__/accounts", timeout=1)
    except httpx.ConnectError:
        pass
    else:
        raise AssertionError("the server still answers after stop()")
