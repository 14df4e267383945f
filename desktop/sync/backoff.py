"""How long to wait before the next try: the platform's word first, then full jitter.

Why full jitter (AWS architecture blog, "Exponential Backoff and Jitter"): many accounts that
failed together must not retry together. A platform's Retry-After or reset header is more
accurate than any guess, so it always wins when present.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, datetime

from desktop.domain.errors import SyncError

BASE_SECONDS = 0.5
CAP_SECONDS = 20.0


def full_jitter(
    attempt: int,
    *,
    base: float = BASE_SECONDS,
    cap: float = CAP_SECONDS,
    rand: Callable[[], float] = random.random,
) -> float:
    """Delay before retry number `attempt` (0 = first retry): uniform in [0, min(cap, base*2^n)]."""
    if attempt < 0:
        raise ValueError("attempt must be >= 0")
    ceiling = min(cap, base * (2 ** min(attempt, 62)))
    return rand() * ceiling


def delay_for(
    error: SyncError | None,
    attempt: int,
    *,
    now: datetime | None = None,
    rand: Callable[[], float] = random.random,
) -> float:
    """Seconds to wait after `error`: until its retry_at if the platform said, else jitter."""
    if error is not None and error.retry_at is not None:
        current = now or datetime.now(UTC)
        return max(0.0, (error.retry_at - current).total_seconds())
    return full_jitter(attempt, rand=rand)


class Backoff:
    """Attempt counter for one stream or worker; reset on success."""

    def __init__(self, rand: Callable[[], float] = random.random) -> None:
        self.attempt = 0
        self._rand = rand

    def next_delay(self, error: SyncError | None = None, now: datetime | None = None) -> float:
        delay = delay_for(error, self.attempt, now=now, rand=self._rand)
        self.attempt += 1
        return delay

    def reset(self) -> None:
        self.attempt = 0
