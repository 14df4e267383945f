"""A sandbox server per module for the sandbox's own tests (reset before each test)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from desktop.sandbox.admin_client import AdminClient
from desktop.sandbox.server import SandboxServer


@pytest.fixture(scope="module")
def server() -> Iterator[SandboxServer]:
    with SandboxServer(seed=11) as running:
        yield running


@pytest.fixture
def admin(server: SandboxServer) -> Iterator[AdminClient]:
    client = AdminClient(server.base_url)
    client.reset()
    yield client
    client.close()


@pytest.fixture
def token(admin: AdminClient) -> str:
    return str(admin.accounts("mastodon")[0]["access_token"])
