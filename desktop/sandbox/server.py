"""Run the sandbox under uvicorn on 127.0.0.1 in a background thread with its own loop.

Why a thread: tests, the CLI and the UI demo all need the sandbox next to their own event
loop (pytest's, asyncio's, qasync's) without sharing it, and need a clean stop.
    with SandboxServer(seed=1) as server:
        server.base_url  # http://127.0.0.1:PORT
"""

from __future__ import annotations

import asyncio
import socket
import threading
from types import TracebackType

import uvicorn

from desktop.sandbox.app import SandboxApp
from desktop.sandbox.faults import FaultPlan
from desktop.sandbox.state import Sandbox

HOST = "127.0.0.1"


def bind_socket(port: int = 0) -> socket.socket:
    """Bind on loopback (port 0: a free port) before the server starts, so the port is known."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # Accepted sockets inherit this on Linux: h11 writes headers and body separately, and
    # Nagle + delayed ACK would add ~40 ms to every answer.
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind((HOST, port))
    sock.set_inheritable(True)
    return sock


def make_config(app: SandboxApp, log_level: str = "warning") -> uvicorn.Config:
    return uvicorn.Config(
        app,
        host=HOST,
        log_level=log_level,
        access_log=False,
        http="h11",  # the reset fault reaches h11's transport; keeps behaviour identical
        ws="none",
        lifespan="off",
        timeout_keep_alive=5,
        timeout_graceful_shutdown=1,
    )


class SandboxServer:
    """A running sandbox; `start()`/`stop()` or use as a context manager."""

    def __init__(self, *, seed: int = 0, port: int = 0, plan: FaultPlan | None = None,
                 traffic_rate_per_min: float = 0.0) -> None:
        self.app = SandboxApp(seed=seed, plan=plan)
        self._port = port
        self._traffic_rate = traffic_rate_per_min
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._socket: socket.socket | None = None
        self.base_url = ""

    @property
    def sandbox(self) -> Sandbox:
        return self.app.sandbox

    def start(self, timeout: float = 10.0) -> SandboxServer:
        from desktop.sandbox.traffic import TrafficGenerator

        self._socket = bind_socket(self._port)
        port = self._socket.getsockname()[1]
        self.base_url = f"http://{HOST}:{port}"
        self._server = uvicorn.Server(make_config(self.app))
        generator = TrafficGenerator(self.sandbox, rate_per_min=self._traffic_rate)
        self.sandbox.extras["traffic"] = generator
        server, sock = self._server, self._socket

        async def serve() -> None:
            task = asyncio.create_task(generator.run())
            try:
                await server.serve(sockets=[sock])
            finally:
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)

        self._thread = threading.Thread(
            target=asyncio.run, args=(serve(),), name=f"sandbox:{port}", daemon=True
        )
        self._thread.start()
        deadline = threading.Event()
        for _ in range(int(timeout / 0.02)):
            if server.started or not self._thread.is_alive():
                break
            deadline.wait(0.02)
        if not server.started:
            self.stop()
            raise RuntimeError(f"sandbox did not start on {self.base_url}")
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
        if self._socket is not None:
            self._socket.close()
        self._server = self._thread = self._socket = None

    def __enter__(self) -> SandboxServer:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()
