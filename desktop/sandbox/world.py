"""The shared state of the sandbox and the contract each simulated platform fulfils.

Each platform lives in `desktop/sandbox/sims/<platform>.py` with `create_sim(world) -> PlatformSim`;
its routes are mounted under `/<platform>` (so a connector's base URL is
`http://127.0.0.1:PORT/<platform>`). Everything a brand account creates is recorded in
`world.created`, which the admin API lists — that log is what the exactly-once tests read.
"""

from __future__ import annotations

import itertools
import random
import threading
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

from starlette.routing import BaseRoute

from desktop.domain.enums import Platform
from desktop.sandbox.auth import TokenRegistry
from desktop.sandbox.ratelimit import RateLimits


@dataclass(frozen=True, slots=True)
class CustomerSpec:
    handle: str
    display_name: str = ""
    followers: int = 0


@dataclass(frozen=True, slots=True)
class CreatedRecord:
    platform: str
    account: str  # brand handle
    id: str
    text: str
    in_reply_to: str | None
    thread_id: str | None
    created_at: str  # ISO 8601
    idempotency_key: str | None = None
    kind: str = "reply"  # reply | dm

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class World:
    """In-memory world shared by every simulated platform. Guarded by one lock."""

    seed: int = 0
    created: list[CreatedRecord] = field(default_factory=list)
    lock: threading.RLock = field(default_factory=threading.RLock)
    # Shared by every sim: bearer tokens (expire/revoke via the admin API) and rate limits.
    tokens: TokenRegistry = field(default_factory=TokenRegistry)
    limits: RateLimits = field(default_factory=RateLimits)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)
        self._ids = itertools.count(1)

    def next_id(self) -> int:
        """Monotonic ids, so every platform's ids sort by creation time."""
        with self.lock:
            return next(self._ids)

    @staticmethod
    def now() -> datetime:
        return datetime.now(UTC)

    def record_created(self, record: CreatedRecord) -> None:
        with self.lock:
            self.created.append(record)


class PlatformSim(Protocol):
    platform: Platform

    def routes(self) -> list[BaseRoute]:
        """Routes relative to the platform prefix (mounted at /<platform>)."""
        ...

    def brand_accounts(self) -> list[dict[str, Any]]:
        """For GET /__sandbox__/accounts: handle, display name, what a client needs to connect."""
        ...

    def inject(
        self, account: str, kind: str, text: str, customer: CustomerSpec, in_reply_to: str | None
    ) -> dict[str, Any]:
        """A customer posts (kind: mention|comment|reply|dm); returns {"id", "thread_id", ...}."""
        ...

    def reset(self) -> None:
        ...
