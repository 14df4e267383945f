"""The Mastodon connector against snac2, a real Mastodon-API server that nobody here wrote.

snac2 runs from a temporary data directory on 127.0.0.1 (a free port). The brand signs in
through our OAuth code + PKCE flow (snac's login form plays the consent page); the customer
gets a token from snac's own `/oauth/x-snac-get-token`. Known quirks handled here or in the
connector: local delivery goes through a queue that wakes every few seconds (poll with a
deadline), `direct` comes back as `private`, idle kept-alive connections are dropped, and
`Idempotency-Key` is ignored (so reconciliation reads the thread instead).
"""

from __future__ import annotations

import asyncio
import json
import re
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from desktop.domain.enums import ConversationKind, Direction, Platform, StreamKind
from desktop.domain.models import Account
from desktop.platforms.base import Credentials
from desktop.platforms.mastodon import connect_oauth, create_client
from desktop.platforms.mastodon.client import MastodonClient

SNAC = shutil.which("snac")
pytestmark = [
    pytest.mark.snac,
    pytest.mark.skipif(SNAC is None, reason="snac2 is not installed (scripts/install-system-deps.sh"
                       " installs it from bookworm-backports)"),
]
DELIVERY_DEADLINE_S = 30.0


@dataclass
class Snac:
    base_url: str
    host: str
    passwords: dict[str, str]
    log: Path


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _snac(*args: str, stdin: str = "") -> str:
    assert SNAC is not None
    done = subprocess.run([SNAC, *args], input=stdin, capture_output=True, text=True,
                          timeout=30, check=True)
    return done.stdout + done.stderr


@pytest.fixture(scope="module")
def snac(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Snac]:
    root = tmp_path_factory.mktemp("snac")
    data = root / "data"
    port = _free_port()
    host = f"127.0.0.1:{port}"
    # address, port, host name, URL prefix, admin e-mail
    _snac("init", str(data), stdin=f"127.0.0.1\n{port}\n{host}\n\n\n")
    config = json.loads((data / "server.json").read_text())
    config["protocol"] = "http"  # served directly, no TLS proxy in front
    (data / "server.json").write_text(json.dumps(config))
    passwords = {}
    for user in ("brand", "customer"):
        output = _snac("adduser", str(data), stdin=f"{user}\n")
        match = re.search(r"User password is (\S+)", output)
        assert match, output
        passwords[user] = match.group(1)
    log = root / "httpd.log"
    with log.open("w") as log_file:
        process = subprocess.Popen([str(SNAC), "httpd", str(data)], stdout=log_file,
                                   stderr=subprocess.STDOUT)
    try:
        base_url = f"http://{host}"
        deadline = time.monotonic() + 10
        while True:
            try:
                httpx.get(f"{base_url}/api/v1/instance", timeout=1)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError(f"snac httpd did not start:\n{log.read_text()}") from None
                time.sleep(0.1)
        yield Snac(base_url, host, passwords, log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _customer_token(snac: Snac) -> str:
    response = httpx.post(f"{snac.base_url}/oauth/x-snac-get-token",
                          data={"login": "customer", "passwd": snac.passwords["customer"]})
    response.raise_for_status()
    return response.text.strip()


def _login_form_browser(snac: Snac, user: str) -> Any:
    """Plays the user's browser: snac's authorize page is a login form posting to
    /oauth/x-snac-login, which redirects to our loopback listener with the code."""

    async def browse(url: str) -> None:
        async with httpx.AsyncClient(follow_redirects=True, timeout=10) as browser:
            page = await browser.get(url)
            page.raise_for_status()
            hidden = dict(re.findall(r'name="(\w+)" value="([^"]*)"', page.text))
            action = re.search(r'action="([^"]+)"', page.text)
            assert action and action.group(1).endswith("/oauth/x-snac-login"), page.text
            answer = await browser.post(f"{snac.base_url}/oauth/x-snac-login", data={
                **hidden, "login": user, "passwd": snac.passwords[user]})
            answer.raise_for_status()

    return browse


def test_customer_mention_arrives_and_brand_reply_lands_in_thread(snac: Snac) -> None:
    customer_token = _customer_token(snac)
    customer = httpx.Client(base_url=snac.base_url,
                            headers={"Authorization": f"Bearer {customer_token}"}, timeout=10)

    async def main() -> None:
        connection = await connect_oauth(snac.base_url, _login_form_browser(snac, "brand"))
        assert connection.handle == "brand"
        account = Account(id=1, brand_id=1, platform=Platform.MASTODON, handle=connection.handle,
                          display_name=connection.display_name, base_url=connection.base_url,
                          platform_user_id=connection.platform_user_id)

        async def save(credentials: Credentials) -> None:
            raise AssertionError("Mastodon tokens never rotate")

        client = create_client(account, connection.credentials, save)
        assert isinstance(client, MastodonClient)
        try:
            start = await client.fetch(StreamKind.MENTIONS, None)
            posted = customer.post("/api/v1/statuses", data={
                "status": "@brand where is my order <b>#5512</b>? https://shop.example/o/5512",
                "visibility": "public"}).json()

            cursor, found = start.next_cursor, None
            deadline = time.monotonic() + DELIVERY_DEADLINE_S
            while found is None:  # snac delivers through a queue that wakes every few s
                assert time.monotonic() < deadline, snac.log.read_text()
                await asyncio.sleep(1.0)  # also lets snac drop our kept-alive connection
                page = await client.fetch(StreamKind.MENTIONS, cursor)
                cursor = page.next_cursor
                found = next((i for i in page.items if i.platform_id == posted["id"]), None)

            assert found.kind is ConversationKind.PUBLIC_THREAD
            assert found.direction is Direction.INBOUND
            assert found.thread_key == posted["id"]
            assert found.author.platform_user_id == posted["account"]["id"]
            assert found.author.handle.split("@")[0] == "customer"
            assert "where is my order #5512?" in found.text
            assert "<" not in found.text  # snac passes <b> through as markup; we drop it
            assert "https://shop.example/o/5512" in found.text

            sent = await client.reply(text="Checking it right now!", in_reply_to=found.platform_id,
                                      thread_key=found.thread_key, idempotency_key="snac-1")
            reconciled = await client.find_sent(idempotency_key="snac-1",
                                                thread_key=found.thread_key,
                                                in_reply_to=found.platform_id,
                                                text="Checking it right now!")
            brand_replies = await client.find_brand_replies(thread_key=found.thread_key,
                                                            since_platform_id=None)
        finally:
            await client.aclose()

        # Seen from the customer's side of the server (after the delivery queue ran):
        # our reply, once, in the right thread.
        deadline = time.monotonic() + DELIVERY_DEADLINE_S
        while True:
            context = customer.get(f"/api/v1/statuses/{posted['id']}/context").json()
            replies = [s for s in context["descendants"] if s["id"] == sent.platform_id]
            if replies or time.monotonic() > deadline:
                break
            await asyncio.sleep(1.0)
        assert len(replies) == 1, snac.log.read_text()
        assert replies[0]["in_reply_to_id"] == posted["id"]
        assert replies[0]["account"]["id"] == connection.platform_user_id
        assert "Checking it right now!" in replies[0]["content"]
        assert "@customer" in replies[0]["content"]  # the customer is addressed
        assert reconciled is not None and reconciled.platform_id == sent.platform_id
        assert [r.platform_id for r in brand_replies] == [sent.platform_id]

    try:
        asyncio.run(main())
    finally:
        customer.close()
