"""Fixed-window rate limits per platform account, shared by the sims.

Each sim reads the state to set its own headers (`X-RateLimit-*`, `RateLimit-*`,
`x-rate-limit-*`, `X-App-Usage`) and answers 429 in its own words when `exceeded`.
The admin API lowers a limit so tests can hit a real 429 and a real reset time.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

# (limit, window seconds) per platform, from the platforms' documentation.
DEFAULT_LIMITS: dict[str, tuple[int, float]] = {
    "mastodon": (300, 300.0),
    "bluesky": (3000, 300.0),
    "x": (900, 900.0),
    "facebook": (200, 3600.0),
    "instagram": (200, 3600.0),
}


@dataclass(frozen=True, slots=True)
class RateState:
    limit: int
    remaining: int
    reset_at: float  # epoch seconds
    exceeded: bool

    @property
    def used_percent(self) -> int:
        return min(100, int(100 * (self.limit - self.remaining) / max(1, self.limit)))


@dataclass
class RateLimits:
    _overrides: dict[tuple[str, str | None], tuple[int, float]] = field(default_factory=dict)
    _windows: dict[tuple[str, str, str], tuple[float, int]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def configure(
        self, platform: str, limit: int, window_s: float, account: str | None = None
    ) -> None:
        """Override the limit for one account (or, with account None, the whole platform)."""
        with self._lock:
            self._overrides[(platform, account)] = (limit, window_s)
            for key in [k for k in self._windows if k[0] == platform]:
                if account is None or key[1] == account:
                    del self._windows[key]

    def reset(self) -> None:
        with self._lock:
            self._overrides.clear()
            self._windows.clear()

    def hit(self, platform: str, account: str, bucket: str = "default") -> RateState:
        """Count one request; `exceeded` means it must be refused with 429."""
        now = time.time()
        with self._lock:
            limit, window = self._overrides.get(
                (platform, account),
                self._overrides.get((platform, None), DEFAULT_LIMITS.get(platform, (300, 300.0))),
            )
            start, used = self._windows.get((platform, account, bucket), (now, 0))
            if now >= start + window:
                start, used = now, 0
            exceeded = used >= limit
            if not exceeded:
                used += 1
            self._windows[(platform, account, bucket)] = (start, used)
        return RateState(limit, max(0, limit - used), start + window, exceeded)
