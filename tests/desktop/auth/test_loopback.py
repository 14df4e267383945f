"""The loopback redirect receiver: 127.0.0.1 on a port of the OS's choosing, the right state
only, a page that says the tab can be closed, and a time limit."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from desktop.auth.errors import SignInError
from desktop.auth.loopback import LoopbackReceiver
from tests.desktop.sync.aio import run


@run
async def test_wrong_state_is_refused_and_the_right_answer_still_arrives() -> None:
    async with LoopbackReceiver("s3cret-state") as rx, httpx.AsyncClient() as browser:
        assert rx.redirect_uri.startswith("http://127.0.0.1:")
        assert not rx.redirect_uri.endswith(":0/callback")
        forged = await browser.get(rx.redirect_uri, params={"code": "evil", "state": "guess"})
        assert forged.status_code == 400
        missing = await browser.get(rx.redirect_uri, params={"code": "evil"})
        assert missing.status_code == 400
        wrong_path = rx.redirect_uri.replace("/callback", "/other")
        other = await browser.get(wrong_path, params={"code": "c", "state": "s3cret-state"})
        assert other.status_code == 400
        assert rx.rejected == 3
        waiting = asyncio.ensure_future(rx.wait(5))
        await asyncio.sleep(0.05)
        assert not waiting.done()  # forged answers neither complete nor abort the sign-in
        good = await browser.get(rx.redirect_uri, params={"code": "real", "state": "s3cret-state"})
        assert good.status_code == 200
        assert "close this tab" in good.text
        assert good.headers["cache-control"] == "no-store"
        assert good.headers["referrer-policy"] == "no-referrer"
        assert await waiting == {"code": "real", "state": "s3cret-state"}
        late = await browser.get(rx.redirect_uri, params={"code": "again", "state": "s3cret-state"})
        assert late.status_code == 400  # one-shot


@run
async def test_declined_sign_in_is_an_answer() -> None:
    async with LoopbackReceiver("st") as rx, httpx.AsyncClient() as browser:
        page = await browser.get(rx.redirect_uri, params={"error": "access_denied", "state": "st"})
        assert page.status_code == 200 and "declined" in page.text
        assert (await rx.wait(1))["error"] == "access_denied"


@run
async def test_times_out_with_a_sign_in_error_and_frees_the_port() -> None:
    async with LoopbackReceiver("st") as rx:
        uri = rx.redirect_uri
        with pytest.raises(SignInError, match="not completed"):
            await rx.wait(0.1)
    async with httpx.AsyncClient() as browser:
        with pytest.raises(httpx.ConnectError):
            await browser.get(uri, params={"code": "c", "state": "st"})
