"""The product's own sync process, killed: `python -m desktop sync --once` under faults and SIGKILL.

Five sandbox brand accounts are connected through the CLI (tokens in the real keyring), customers
write, replies are queued with `reply` while no sync runs (offline), more customers write, and
then `sync --once` is started again and again while the sandbox times out after committing,
resets connections and answers 5xx and 429 — and the process is SIGKILLed at random moments.
Afterwards the sandbox's own record must hold every reply exactly once, in its thread, the
profile's outbox must say every item was sent, and every customer post must be stored once.
A run that exits 3 (a sync failure it reported) is simply run again, as a script would.
"""

from __future__ import annotations

import json
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from desktop.domain.enums import Platform
from desktop.sandbox.admin_client import AdminClient
from desktop.sandbox.server import SandboxServer

pytestmark = pytest.mark.keyring
ROOT = Path(__file__).resolve().parents[2]
KIND = {
    Platform.MASTODON: "mention",
    Platform.BLUESKY: "mention",
    Platform.X: "mention",
    Platform.FACEBOOK: "comment",
    Platform.INSTAGRAM: "comment",
}
# Sign-in and token refresh are not what is tested here: faults hit everything else.
NOT_AUTH = "^(?!.*(oauth|token|Session|authorize|access_token)).*$"
FAULTS = [
    {
        "match": {"method": "POST", "path": NOT_AUTH},
        "probability": 0.2,
        "fault": "timeout_after_commit",
    },
    {"match": {"method": "POST", "path": NOT_AUTH}, "probability": 0.1, "fault": "reset"},
    {
        "match": {"method": "*", "path": NOT_AUTH},
        "probability": 0.08,
        "fault": "status",
        "status": 503,
    },
    {
        "match": {"method": "*", "path": NOT_AUTH},
        "probability": 0.05,
        "fault": "status",
        "status": 429,
        "retry_after_s": 0,
    },
    {"match": {"method": "GET", "path": NOT_AUTH}, "probability": 0.05, "fault": "reset"},
]


def cli(profile: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "desktop", "--profile", str(profile), *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=120,
    )


def _customers_write(admin: AdminClient, handles: dict[Platform, str], wave: str, n: int) -> None:
    for platform, handle in handles.items():
        for k in range(n):
            admin.inbound(
                platform.value,
                KIND[platform],
                f"clikill {wave} {platform.value} {k} where is my order?",
                {"handle": f"ck{wave}{k}", "display_name": f"Kim {k}"},
                account=handle,
            )


SIZES = [
    # CI: every platform, two kills, faults at half rate (each faulted run costs seconds)
    pytest.param(1, 2, 0.5, id="ci"),
    # make slow: more posts, more kills, the full fault rate
    pytest.param(3, 6, 1.0, id="large", marks=pytest.mark.slow),
]


@pytest.mark.parametrize(("per_platform", "max_kills", "fault_rate"), SIZES)
def test_cli_sync_killed_at_random_sends_each_reply_once_and_stores_each_post_once(
    sandbox: SandboxServer,
    admin: AdminClient,
    secret_service: dict[str, str],
    tmp_path: Path,
    per_platform: int,
    max_kills: int,
    fault_rate: float,
) -> None:
    env, profile = secret_service, tmp_path / "profile"
    handles: dict[Platform, str] = {}
    for platform in Platform:
        handles[platform] = admin.accounts(platform.value)[0]["handle"]
        added = cli(
            profile,
            env,
            "--json",
            "accounts",
            "add",
            platform.value,
            "--sandbox",
            sandbox.base_url,
            "--handle",
            handles[platform],
        )
        assert added.returncode == 0, added.stderr
    # A timeout that commits on the server must not cost the default 20 s per fault here.
    db = profile / "switchboard.sqlite3"
    with sqlite3.connect(db) as raw:
        raw.execute("UPDATE accounts SET settings = json_set(settings, '$.timeout_s', 1.0)")

    _customers_write(admin, handles, "w1", per_platform)
    synced = cli(profile, env, "sync", "--once")
    assert synced.returncode == 0, synced.stderr
    listed = cli(profile, env, "--json", "conversations", "list", "--needs-reply", "--limit", "500")
    asked = [r for r in json.loads(listed.stdout) if "clikill w1" in r["snippet"]]
    # Mentions are one conversation each; comments on the same post share their thread.
    assert {r["platform"] for r in asked} == {p.value for p in Platform}

    # Offline: replies are only queued; nothing talks to the platforms until sync runs.
    for row in asked:
        queued = cli(profile, env, "reply", str(row["id"]), f"answer to {row['snippet']}", "--now")
        assert queued.returncode == 0, queued.stderr
    assert not [c for c in admin.created() if "clikill" in c["text"]]
    _customers_write(admin, handles, "w2", per_platform)

    rules = [{**r, "probability": r["probability"] * fault_rate} for r in FAULTS]
    admin.set_faults({"seed": 11, "rules": rules})
    rng, kills, runs = random.Random(7), 0, 0
    cmd = [sys.executable, "-m", "desktop", "--profile", str(profile), "sync", "--once"]
    while True:
        runs += 1
        started = time.monotonic()
        assert runs < 40, "sync --once never finished cleanly"
        proc = subprocess.Popen(
            cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        try:
            proc.wait(timeout=rng.uniform(1.0, 4.0) if kills < max_kills else 180)
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            kills += 1
            continue
        print(f"run {runs}: exit {proc.returncode} after {time.monotonic() - started:.1f} s")
        if proc.returncode == 0 and kills >= max_kills:
            break
        assert proc.returncode in (0, 3), proc.returncode  # 3: a failure it reported
    applied = admin.faults()["applied"]
    admin.clear_faults()
    print(f"runs {runs}, kills {kills}, faults applied {applied}")
    assert kills == max_kills

    # A clean pass after the storm: nothing left to send, nothing sent twice.
    final = cli(profile, env, "sync", "--once")
    assert final.returncode == 0, final.stderr
    outbox = json.loads(cli(profile, env, "--json", "outbox", "list").stdout)
    assert sorted(o["state"] for o in outbox) == ["sent"] * len(asked)
    created = [c for c in admin.created() if "clikill" in c["text"] and "answer to" in c["text"]]
    for row in asked:
        # X and Mastodon put the customer's @handle in front of a reply's text
        mine = [c for c in created if c["text"].endswith(f"answer to {row['snippet']}")]
        assert len(mine) == 1, (row["snippet"], mine)
    assert len(created) == len(asked)
    with sqlite3.connect(db) as raw:
        stored = [
            t
            for (t,) in raw.execute(
                "SELECT text FROM messages WHERE direction = 'in' AND text LIKE '%clikill%'"
            )
        ]
    expected = {
        f"clikill {w} {p.value} {k} where is my order?"
        for w in ("w1", "w2")
        for p in Platform
        for k in range(per_platform)
    }
    # (the platforms keep the "@brand " a mention starts with)
    assert sorted(t[t.index("clikill") :] for t in stored) == sorted(expected)
