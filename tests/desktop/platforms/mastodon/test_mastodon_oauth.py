"""The OAuth pieces that do not need a server: PKCE and the loopback receiver."""

from __future__ import annotations

import asyncio
import base64
import hashlib

import httpx

from desktop.platforms.mastodon.oauth import LoopbackReceiver, pkce_pair


def test_pkce_pair_is_s256() -> None:
    verifier, challenge = pkce_pair()
    assert 43 <= len(verifier) <= 128
    expected = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    assert challenge == expected.rstrip(b"=").decode()
    assert pkce_pair()[0] != verifier


def test_loopback_receiver_takes_the_redirect_and_ignores_noise() -> None:
    async def main() -> tuple[dict[str, str], int, int]:
        async with LoopbackReceiver() as receiver:
            assert receiver.redirect_uri.startswith("http://127.0.0.1:")
            base = receiver.redirect_uri.rsplit("/", 1)[0]
            async with httpx.AsyncClient() as browser:
                noise = await browser.get(f"{base}/favicon.ico")
                answer = await browser.get(f"{receiver.redirect_uri}?code=abc&state=s1")
            result = await receiver.wait(timeout=5)
        return result, noise.status_code, answer.status_code

    result, noise, answer = asyncio.run(main())
    assert result == {"code": "abc", "state": "s1"}
    assert (noise, answer) == (400, 200)
