"""The redirect receiver for a browser sign-in: a one-shot HTTP listener on 127.0.0.1.

RFC 8252 (OAuth for native apps): the app listens on the loopback interface on a port the OS
picks, and registers `http://127.0.0.1:PORT/callback` as the redirect. Only an answer that
carries this sign-in's `state` is accepted (compared in constant time); anything else gets a
400 page and the receiver keeps waiting, so another local program or a stale browser tab can
neither complete nor abort the sign-in. The page the browser shows says the tab can be
closed; it is sent with `no-store` and `no-referrer` so the code does not travel further.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
from urllib.parse import parse_qsl, urlsplit

from desktop.auth.errors import SignInError

log = logging.getLogger(__name__)

HOST = "127.0.0.1"
READ_TIMEOUT_S = 10.0
MAX_REQUEST_LINE = 8192

_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>body{{font:16px system-ui,sans-serif;margin:4em auto;max-width:32em;color:#222}}</style>
</head><body><h1>{title}</h1><p>{text}</p></body></html>
"""
DONE = ("Switchboard is signed in", "You can close this tab and return to Switchboard.")
REFUSED = ("Sign-in not completed", "The sign-in was declined. You can close this tab.")
UNEXPECTED = (
    "Not a sign-in Switchboard is waiting for",
    "This answer does not belong to the current sign-in. Start it again from Switchboard.",
)


def _response(status: str, page: tuple[str, str]) -> bytes:
    body = _PAGE.format(title=page[0], text=page[1]).encode()
    head = (
        f"HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\n"
        f"Content-Length: {len(body)}\r\nCache-Control: no-store\r\n"
        "Referrer-Policy: no-referrer\r\nConnection: close\r\n\r\n"
    )
    return head.encode() + body


class LoopbackReceiver:
    """`async with LoopbackReceiver(state) as rx:` register `rx.redirect_uri`, open the
    browser, then `await rx.wait(timeout)` for the redirect's query parameters."""

    def __init__(self, state: str, path: str = "/callback", port: int = 0) -> None:
        self.state = state
        self.path = path
        self.port = port  # 0: the OS picks; an app whose callback must match exactly fixes it
        self.redirect_uri = ""
        self.rejected = 0  # answers refused for a wrong or missing state, or a wrong path
        self._server: asyncio.Server | None = None
        self._answer: asyncio.Future[dict[str, str]] | None = None

    async def __aenter__(self) -> LoopbackReceiver:
        self._answer = asyncio.get_running_loop().create_future()
        try:
            self._server = await asyncio.start_server(self._handle, HOST, self.port)
        except OSError as exc:
            raise SignInError(
                f"cannot listen for the sign-in on {HOST}:{self.port} ({exc.strerror}); "
                "close the program using that port or choose another callback port"
            ) from exc
        port = self._server.sockets[0].getsockname()[1]
        self.redirect_uri = f"http://{HOST}:{port}{self.path}"
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
        if self._answer is not None and not self._answer.done():
            self._answer.cancel()

    async def wait(self, timeout: float) -> dict[str, str]:
        """The accepted redirect's parameters (`code` or `error`, and `state`).

        Raises SignInError when nothing acceptable arrived within `timeout` seconds."""
        if self._answer is None:
            raise RuntimeError("use `async with LoopbackReceiver(state)`")
        try:
            return await asyncio.wait_for(asyncio.shield(self._answer), timeout)
        except TimeoutError as exc:
            more = f" ({self.rejected} unexpected answers ignored)" if self.rejected else ""
            raise SignInError(
                f"the sign-in was not completed within {timeout:.0f} s{more}; try again"
            ) from exc

    def _accepts(self, target: str) -> tuple[bool, dict[str, str]]:
        parts = urlsplit(target)
        params = dict(parse_qsl(parts.query, keep_blank_values=True))
        state = params.get("state", "")
        ok = (
            parts.path == self.path
            and ("code" in params or "error" in params)
            and hmac.compare_digest(state.encode(), self.state.encode())
        )
        return ok, params

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            line = await asyncio.wait_for(reader.readline(), READ_TIMEOUT_S)
            while (await asyncio.wait_for(reader.readline(), READ_TIMEOUT_S)) not in (
                b"\r\n",
                b"\n",
                b"",
            ):
                pass  # headers: nothing in them matters here
            fields = line[:MAX_REQUEST_LINE].decode("latin-1").split()
            accepted, params = False, dict[str, str]()
            if len(fields) >= 2 and fields[0] == "GET":
                accepted, params = self._accepts(fields[1])
            answer = self._answer
            if accepted and answer is not None and not answer.done():
                refused = "error" in params
                writer.write(_response("200 OK", REFUSED if refused else DONE))
                answer.set_result(params)
            else:
                if len(fields) >= 2 and urlsplit(fields[1]).path == "/favicon.ico":
                    writer.write(_response("404 Not Found", UNEXPECTED))
                else:
                    self.rejected += 1
                    log.warning("sign-in redirect ignored: unexpected request or wrong state")
                    writer.write(_response("400 Bad Request", UNEXPECTED))
            await writer.drain()
        except (TimeoutError, ConnectionError, UnicodeDecodeError):
            pass
        finally:
            writer.close()
