"""Every sign-in flow against the sandbox over real HTTP: the authorize page on the sandbox
(which approves at once), the redirect to our loopback receiver, the code exchange with the
PKCE verifier, and the account's profile. The "browser" is an httpx client."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from desktop.auth.errors import SignInError
from desktop.auth.flows import ConnectRequest, connect, connect_x, reauth_request
from desktop.auth.oauth import OAuthClient, exchange_code
from desktop.domain.enums import Platform
from desktop.domain.errors import SyncError, UserError
from desktop.domain.models import Account
from desktop.sandbox.admin_client import AdminClient
from desktop.sandbox.server import SandboxServer


@pytest.fixture(scope="module")
def sandbox() -> Iterator[SandboxServer]:
    with SandboxServer(seed=5) as server:
        yield server


def row(sandbox: SandboxServer, platform: str, n: int = 0) -> dict[str, Any]:
    return dict(AdminClient(sandbox.base_url).accounts(platform)[n])


class RecordingBrowser:
    """Follows the authorize URL like a user clicking Allow, remembering what it saw."""

    def __init__(self, tamper_state: bool = False, decline: bool = False) -> None:
        self.urls: list[str] = []
        self.tamper_state = tamper_state
        self.decline = decline

    async def __call__(self, url: str) -> None:
        self.urls.append(url)
        async with httpx.AsyncClient(follow_redirects=False, timeout=10) as browser:
            answer = await browser.get(url)
            assert answer.status_code == 302, answer.text
            callback = urlsplit(answer.headers["location"])
            params = {k: v[0] for k, v in parse_qs(callback.query).items()}
            if self.decline:
                params = {"error": "access_denied", "state": params["state"]}
            if self.tamper_state:
                params["state"] = "forged"
            target = f"{callback.scheme}://{callback.netloc}{callback.path}"
            page = await browser.get(target, params=params)
            self.urls.append(str(page.url))
            self.last_status = page.status_code


def test_mastodon_full_pkce_flow_over_http(sandbox: SandboxServer) -> None:
    browser = RecordingBrowser()
    brand = row(sandbox, "mastodon", 1)
    connection = asyncio.run(
        connect(
            ConnectRequest(Platform.MASTODON, server=brand["base_url"], handle=brand["handle"]),
            browser,
        )
    )
    query = parse_qs(urlsplit(browser.urls[0]).query)
    assert query["code_challenge_method"] == ["S256"]
    assert len(query["code_challenge"][0]) == 43  # base64url(SHA-256) without padding
    assert query["redirect_uri"][0].startswith("http://127.0.0.1:")
    assert query["scope"] == ["read write"] and query["login_hint"] == [brand["handle"]]
    assert len(query["state"][0]) >= 32
    assert browser.last_status == 200
    assert connection.platform is Platform.MASTODON
    assert connection.handle == brand["handle"] and connection.platform_user_id == brand["id"]
    creds = connection.credentials
    assert creds.access_token and creds.client_id and creds.client_secret
    # the token is real: the sandbox knows whose it is
    with httpx.Client() as http:
        me = http.get(
            f"{brand['base_url']}/api/v1/accounts/verify_credentials",
            headers={"Authorization": f"Bearer {creds.access_token}"},
        )
    assert me.json()["id"] == brand["id"]


def test_x_public_and_confidential_clients(sandbox: SandboxServer) -> None:
    brand = row(sandbox, "x")
    public = asyncio.run(
        connect(
            ConnectRequest(Platform.X, server=brand["base_url"], client_id=brand["client_id"]),
            RecordingBrowser(),
        )
    )
    assert public.handle == brand["handle"] and public.platform_user_id == brand["id"]
    assert public.credentials.refresh_token and public.credentials.expires_at
    assert public.credentials.client_secret is None
    confidential = asyncio.run(
        connect_x(
            brand["base_url"], brand["client_id"], RecordingBrowser(), client_secret="app-secret"
        )
    )
    assert confidential.credentials.client_secret == "app-secret"
    assert confidential.credentials.access_token != public.credentials.access_token


def test_wrong_state_is_rejected_and_the_sign_in_does_not_complete(sandbox: SandboxServer) -> None:
    brand = row(sandbox, "mastodon")
    browser = RecordingBrowser(tamper_state=True)
    with pytest.raises(SignInError, match=r"not completed .*\(1 unexpected"):
        asyncio.run(
            connect(
                ConnectRequest(Platform.MASTODON, server=brand["base_url"]), browser, timeout=1.0
            )
        )
    assert browser.last_status == 400


def test_declined_sign_in(sandbox: SandboxServer) -> None:
    brand = row(sandbox, "x")
    with pytest.raises(SignInError, match=r"declined .*access_denied"):
        asyncio.run(
            connect(
                ConnectRequest(Platform.X, server=brand["base_url"], client_id=brand["client_id"]),
                RecordingBrowser(decline=True),
            )
        )


def test_bluesky_app_password(sandbox: SandboxServer) -> None:
    brand = row(sandbox, "bluesky")
    request = ConnectRequest(
        Platform.BLUESKY,
        server=brand["base_url"],
        handle=brand["handle"],
        app_password=brand["app_password"],
    )
    connection = asyncio.run(connect(request))
    assert connection.platform_user_id == brand["did"]
    assert connection.credentials.app_password == brand["app_password"]
    assert connection.credentials.access_token and connection.credentials.refresh_token
    wrong = ConnectRequest(
        Platform.BLUESKY,
        server=brand["base_url"],
        handle=brand["handle"],
        app_password="aaaa-bbbb-cccc-dddd",
    )
    with pytest.raises(SyncError) as refused:
        asyncio.run(connect(wrong))
    assert refused.value.kind.value == "auth"
    with pytest.raises(UserError, match="app password"):
        asyncio.run(connect(ConnectRequest(Platform.BLUESKY, handle=brand["handle"])))


def test_meta_bring_your_own_app(sandbox: SandboxServer) -> None:
    page = row(sandbox, "facebook")
    connection = asyncio.run(
        connect(
            ConnectRequest(
                Platform.FACEBOOK,
                server=page["base_url"],
                client_id=page["app_id"],
                client_secret=page["app_secret"],
                user_token=page["user_access_token"],
                page=page["page_id"],
            )
        )
    )
    assert connection.platform_user_id == page["page_id"]
    assert connection.credentials.client_id == page["app_id"]
    assert connection.credentials.access_token != page["user_access_token"]  # the Page token
    ig = row(sandbox, "instagram")
    insta = asyncio.run(
        connect(
            ConnectRequest(
                Platform.INSTAGRAM,
                server=ig["base_url"],
                client_id=ig["app_id"],
                client_secret=ig["app_secret"],
                user_token=ig["user_access_token"],
            )
        )
    )
    assert insta.platform_user_id == ig["ig_user_id"]


@pytest.mark.parametrize("platform", list(Platform))
def test_sandbox_accounts_remember_the_sandbox_for_reauth(
    sandbox: SandboxServer, platform: Platform
) -> None:
    connection = asyncio.run(connect(ConnectRequest(platform, sandbox_url=sandbox.base_url)))
    assert connection.settings["sandbox_url"] == sandbox.base_url
    account = Account(
        1,
        1,
        platform,
        connection.handle,
        "",
        connection.base_url,
        connection.platform_user_id,
        settings=dict(connection.settings),
    )
    again = reauth_request(account, connection.credentials)
    assert again.sandbox_url == sandbox.base_url and again.handle == connection.handle
    assert asyncio.run(connect(again)).platform_user_id == connection.platform_user_id


def test_confidential_token_request_uses_http_basic() -> None:
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"access_token": "a", "token_type": "bearer"})

    client = OAuthClient(
        "id",
        "https://as.example/authorize",
        "https://as.example/token",
        "read",
        client_secret="sec",
        token_auth="client_secret_basic",
    )
    asyncio.run(
        exchange_code(
            client,
            "code1",
            "http://127.0.0.1:1/callback",
            "v" * 64,
            transport=httpx.MockTransport(answer),
        )
    )
    form = parse_qs(seen[0].content.decode())
    assert seen[0].headers["authorization"] == httpx.BasicAuth("id", "sec")._auth_header
    assert "client_secret" not in form
    assert form["code_verifier"] == ["v" * 64] and form["grant_type"] == ["authorization_code"]


def test_x_with_a_fixed_callback_port(sandbox: SandboxServer) -> None:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    brand = row(sandbox, "x", 1)
    browser = RecordingBrowser()
    connection = asyncio.run(
        connect(
            ConnectRequest(
                Platform.X,
                server=brand["base_url"],
                client_id=brand["client_id"],
                callback_port=str(port),
            ),
            browser,
        )
    )
    redirect = parse_qs(urlsplit(browser.urls[0]).query)["redirect_uri"][0]
    assert redirect == f"http://127.0.0.1:{port}/callback"
    assert connection.settings["callback_port"] == port
    account = Account(
        1,
        1,
        Platform.X,
        connection.handle,
        "",
        connection.base_url,
        connection.platform_user_id,
        settings=dict(connection.settings),
    )
    assert reauth_request(account, connection.credentials).callback_port == str(port)
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        taken = busy.getsockname()[1]
        with pytest.raises(SignInError, match="cannot listen"):
            asyncio.run(
                connect(
                    ConnectRequest(
                        Platform.X,
                        server=brand["base_url"],
                        client_id=brand["client_id"],
                        callback_port=str(taken),
                    ),
                    browser,
                )
            )
    with pytest.raises(UserError, match="callback port"):
        asyncio.run(connect(ConnectRequest(Platform.X, client_id="c", callback_port="http")))


def test_the_system_browser_is_opened_through_webbrowser(
    sandbox: SandboxServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without `open_url` the authorize page goes to the stdlib `webbrowser`; here a
    "browser" in another thread (as a real one is another process) follows it."""
    import threading
    import webbrowser

    opened: list[str] = []

    def fake_open(url: str, new: int = 0, autoraise: bool = True) -> bool:
        opened.append(url)
        threading.Thread(
            target=httpx.get, args=(url,), kwargs={"follow_redirects": True}, daemon=True
        ).start()
        return True

    monkeypatch.setattr(webbrowser, "open", fake_open)
    brand = row(sandbox, "mastodon")
    connection = asyncio.run(connect(ConnectRequest(Platform.MASTODON, server=brand["base_url"])))
    assert len(opened) == 1 and "/oauth/authorize?" in opened[0]
    assert connection.platform_user_id == brand["id"]
