"""`python -m desktop accounts ...` end to end: real sign-in flows against the sandbox over
HTTP (the test plays the browser the CLI asks the user to open), the real keyring, a real
profile."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from desktop.sandbox.admin_client import AdminClient
from desktop.sandbox.server import SandboxServer
from desktop.secrets import SecretStore
from desktop.store import Store
from desktop.store.paths import database_path

pytestmark = pytest.mark.keyring


@pytest.fixture(scope="module")
def sandbox() -> Iterator[SandboxServer]:
    with SandboxServer(seed=4) as server:
        yield server


def vault_of(profile: Path) -> SecretStore:
    """The keyring as that profile sees it (entries are scoped by the profile's id)."""
    with Store.open(database_path(profile)) as store:
        return SecretStore(profile=store.profile_id)


def cli(profile: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "desktop", "--profile", str(profile), "--json", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def sign_in_in_browser(profile: Path, env: dict[str, str], *args: str) -> dict:  # type: ignore[type-arg]
    """Run a CLI sign-in with --no-browser, open the URL it prints like a browser would."""
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "desktop",
            "--profile",
            str(profile),
            "--json",
            *args,
            "--no-browser",
            "--timeout",
            "60",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert proc.stderr is not None
    url = ""
    for line in proc.stderr:
        if line.startswith("  http"):
            url = line.strip()
            break
    assert url, "the CLI printed no sign-in URL"
    with httpx.Client(follow_redirects=True, timeout=20) as browser:
        page = browser.get(url)
    assert page.status_code == 200 and "close this tab" in page.text
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert "token" not in out.lower()
    return dict(json.loads(out))


def test_mastodon_and_x_sign_in_through_the_browser(
    sandbox: SandboxServer, secret_service: dict[str, str], tmp_path: Path
) -> None:
    admin = AdminClient(sandbox.base_url)
    masto, x = admin.accounts("mastodon")[0], admin.accounts("x")[0]
    added = sign_in_in_browser(
        tmp_path,
        secret_service,
        "accounts",
        "add",
        "mastodon",
        "--server",
        masto["base_url"],
        "--handle",
        masto["handle"],
        "--brand",
        "Acme",
    )
    assert added["handle"] == masto["handle"] and added["platform_user_id"] == masto["id"]
    held = vault_of(tmp_path).load(added["id"])
    assert held is not None and held.access_token and held.client_secret

    added_x = sign_in_in_browser(
        tmp_path,
        secret_service,
        "accounts",
        "add",
        "x",
        "--server",
        x["base_url"],
        "--client-id",
        x["client_id"],
    )
    held_x = vault_of(tmp_path).load(added_x["id"])
    assert held_x is not None and held_x.refresh_token and held_x.client_id == x["client_id"]

    # re-authenticate X: the client id comes from the keyring, new tokens replace the old
    again = sign_in_in_browser(tmp_path, secret_service, "accounts", "reauth", str(added_x["id"]))
    assert again["id"] == added_x["id"]
    fresh = vault_of(tmp_path).load(added_x["id"])
    assert fresh is not None and fresh.access_token != held_x.access_token

    listed = json.loads(cli(tmp_path, secret_service, "accounts", "list").stdout)
    assert {a["platform"] for a in listed} == {"mastodon", "x"}


def test_bluesky_pause_resume_remove_keeping_history(
    sandbox: SandboxServer, secret_service: dict[str, str], tmp_path: Path
) -> None:
    env = secret_service
    brand = AdminClient(sandbox.base_url).accounts("bluesky")[0]
    out = cli(
        tmp_path,
        env,
        "accounts",
        "add",
        "bluesky",
        "--server",
        brand["base_url"],
        "--handle",
        brand["handle"],
        "--app-password",
        brand["app_password"],
    )
    assert out.returncode == 0, out.stderr
    account_id = json.loads(out.stdout)["id"]
    assert vault_of(tmp_path).load(account_id).app_password == brand["app_password"]  # type: ignore[union-attr]

    paused = cli(tmp_path, env, "accounts", "pause", str(account_id))
    assert json.loads(paused.stdout)["status"] == "paused"
    synced = cli(tmp_path, env, "sync", "--once")
    assert synced.returncode == 0 and json.loads(synced.stdout) == {}  # paused: not synced
    resumed = cli(tmp_path, env, "accounts", "resume", str(account_id))
    assert json.loads(resumed.stdout)["status"] == "active"

    refused = cli(tmp_path, env, "accounts", "remove", str(account_id))
    assert refused.returncode == 2 and "keep-history" in refused.stderr  # a choice is needed
    removed = cli(tmp_path, env, "accounts", "remove", str(account_id), "--keep-history")
    assert removed.returncode == 0, removed.stderr
    assert vault_of(tmp_path).load(account_id) is None
    listed = json.loads(cli(tmp_path, env, "accounts", "list").stdout)
    assert [(a["id"], a["status"]) for a in listed] == [(account_id, "disconnected")]

    # connecting the same account again brings back the same row (and its history)
    again = cli(
        tmp_path,
        env,
        "accounts",
        "add",
        "bluesky",
        "--sandbox",
        sandbox.base_url,
        "--handle",
        brand["handle"],
    )
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["id"] == account_id

    gone = cli(tmp_path, env, "accounts", "remove", str(account_id), "--delete-history")
    assert gone.returncode == 0
    assert json.loads(cli(tmp_path, env, "accounts", "list").stdout) == []


def test_user_errors(secret_service: dict[str, str], tmp_path: Path) -> None:
    out = cli(tmp_path, secret_service, "accounts", "add", "mastodon")
    assert out.returncode == 2 and "--server" in out.stderr
    out = cli(tmp_path, secret_service, "accounts", "add", "x", "--no-browser")
    assert out.returncode == 2 and "client id" in out.stderr
    out = cli(tmp_path, secret_service, "accounts", "pause", "99")
    assert out.returncode == 2 and "no account" in out.stderr
