"""The engine CLI end to end: a real sandbox over HTTP, the real keyring, a real profile.

Connect a sandbox brand account, receive a mention, reply, and check on the sandbox that the
reply exists exactly once in the right thread.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop.sandbox.admin_client import AdminClient
from desktop.sandbox.server import SandboxServer

pytestmark = pytest.mark.keyring


@pytest.fixture(scope="module")
def sandbox() -> Iterator[SandboxServer]:
    with SandboxServer(seed=3) as server:
        yield server


def cli(profile: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "desktop", "--profile", str(profile), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def test_mention_to_reply_exactly_once(
    sandbox: SandboxServer, secret_service: dict[str, str], tmp_path: Path
) -> None:
    env = secret_service
    profile = tmp_path / "profile"
    admin = AdminClient(sandbox.base_url)
    handle = admin.accounts("mastodon")[0]["handle"]
    added = cli(
        profile,
        env,
        "--json",
        "accounts",
        "add",
        "mastodon",
        "--sandbox",
        sandbox.base_url,
        "--handle",
        handle,
    )
    assert added.returncode == 0, added.stderr
    account = json.loads(added.stdout)
    assert account["platform"] == "mastodon"
    assert "token" not in added.stdout.lower()

    mention = admin.inbound(
        "mastodon",
        "mention",
        "my parcel never arrived 😡",
        {"handle": "jane", "display_name": "Jane Doe", "followers": 120},
        account=handle,
    )

    synced = cli(profile, env, "sync", "--once")
    assert synced.returncode == 0, synced.stderr
    listed = cli(profile, env, "--json", "conversations", "list", "--needs-reply")
    assert listed.returncode == 0, listed.stderr
    rows = json.loads(listed.stdout)
    ours = [r for r in rows if "parcel never arrived" in r["snippet"]]
    assert len(ours) == 1 and ours[0]["customer_handle"].startswith("jane")

    replied = cli(profile, env, "reply", str(ours[0]["id"]), "So sorry Jane, checking now", "--now")
    assert replied.returncode == 0, replied.stderr
    for _ in range(2):  # a second sync must not send it again
        synced = cli(profile, env, "sync", "--once")
        assert synced.returncode == 0, synced.stderr

    created = [c for c in admin.created("mastodon") if "checking now" in c["text"]]
    assert len(created) == 1
    assert created[0]["in_reply_to"] == mention["id"]
    outbox = json.loads(cli(profile, env, "--json", "outbox", "list").stdout)
    assert [o["state"] for o in outbox] == ["sent"]
    # Our reply is in the thread, and the conversation no longer needs a reply.
    shown = cli(profile, env, "conversations", "show", str(ours[0]["id"]))
    assert "-> " in shown.stdout and "checking now" in shown.stdout
    still = json.loads(cli(profile, env, "--json", "conversations", "list", "--needs-reply").stdout)
    assert ours[0]["id"] not in [r["id"] for r in still]


def test_user_errors_exit_2(secret_service: dict[str, str], tmp_path: Path) -> None:
    out = cli(tmp_path / "p", secret_service, "conversations", "show", "12345")
    assert out.returncode == 2 and "no conversation" in out.stderr
    out = cli(tmp_path / "p", secret_service, "search", '"unclosed')
    assert out.returncode == 2
