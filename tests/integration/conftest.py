"""Integration fixtures: one real sandbox server per session, reset before every test.

- `sandbox`: the running `SandboxServer` (`.base_url`, `.sandbox` for in-process state).
- `admin`: an `AdminClient` for the admin API of that server.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from desktop.sandbox.admin_client import AdminClient
from desktop.sandbox.server import SandboxServer


@pytest.fixture(scope="session")
def _sandbox_server() -> Iterator[SandboxServer]:
    with SandboxServer(seed=1) as server:
        yield server


@pytest.fixture(scope="session")
def _admin_client(_sandbox_server: SandboxServer) -> Iterator[AdminClient]:
    client = AdminClient(_sandbox_server.base_url)
    yield client
    client.close()


@pytest.fixture
def sandbox(_sandbox_server: SandboxServer, _admin_client: AdminClient) -> SandboxServer:
    _admin_client.reset()
    return _sandbox_server


@pytest.fixture
def admin(sandbox: SandboxServer, _admin_client: AdminClient) -> AdminClient:
    return _admin_client
