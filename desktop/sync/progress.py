"""Progress of one stream's catch-up, as the worker pulls it page by page (issue #4).

Why an estimate from timestamps: platforms do not say how many items a cursor is behind, but a
catch-up pages FORWARD in time from the cursor towards now, so the share of the time span
already covered is a fair measure of the work done (items are spread unevenly, so the ETA is an
estimate, and shown as one). A pull that pages backwards (a first history backfill) has no
known end: it reports counts and a rate, and `fraction` stays None (an indeterminate bar).

Publishing is throttled (at most every PUBLISH_EVERY seconds, plus the first page of a long
pull) so a 100k-item history costs the UI a few dozen updates, not thousands.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from desktop.domain.enums import StreamKind
from desktop.domain.inbound import Page
from desktop.sync.account_state import AccountStates

PUBLISH_EVERY = 0.25  # seconds between progress events of one pull
MAX_FRACTION = 0.99  # an estimate never claims "done": only the end of the pull does


@dataclass(frozen=True, slots=True)
class SyncProgress:
    """A snapshot of one pull: what the status bar and the sync panel show."""

    stream: StreamKind
    pages: int = 0
    items: int = 0
    elapsed: float = 0.0  # seconds since the pull started
    fraction: float | None = None  # 0..1 estimate, None when unknown
    newest: datetime | None = None  # newest item time reached so far

    @property
    def rate(self) -> float:
        """Items per second so far."""
        return self.items / self.elapsed if self.elapsed > 0 else 0.0

    @property
    def eta_seconds(self) -> float | None:
        if not self.fraction or self.fraction <= 0 or self.elapsed <= 0:
            return None
        return self.elapsed * (1.0 - self.fraction) / self.fraction

    def describe(self) -> str:
        """E.g. 'mentions: 12,400 items, 3,100/s, about 20 s left'."""
        parts = [f"{self.stream.value.replace('_', ' ')}: {self.items:,} items"]
        if self.elapsed >= 1.0 and self.items:
            parts.append(f"{self.rate:,.0f}/s")
        eta = self.eta_seconds
        if eta is not None and self.elapsed >= 1.0:
            parts.append(f"about {_duration(eta)} left")
        return ", ".join(parts)


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{max(1, round(seconds))} s"
    if seconds < 5400:
        return f"{round(seconds / 60)} min"
    return f"{seconds / 3600:.1f} h"


def _naive_utc(value: datetime) -> datetime:
    return value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value


class ProgressTracker:
    """Follows one pull of one stream and publishes SYNCING states to `states`."""

    def __init__(
        self,
        account_id: int,
        stream: StreamKind,
        states: AccountStates,
        *,
        clock: Callable[[], float] = time.monotonic,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        publish_every: float | None = None,
    ) -> None:
        self.account_id = account_id
        self.stream = stream
        self.states = states
        self._clock = clock
        self._now = now
        self._publish_every = PUBLISH_EVERY if publish_every is None else publish_every
        self._started = clock()
        self._last_publish: float | None = None
        self._start_time: datetime | None = None  # oldest item of the first page
        self._newest: datetime | None = None
        self._forward = False
        self.pages = 0
        self.items = 0
        self.published = 0

    def page(self, page: Page) -> SyncProgress:
        """Count a stored page; publish if the pull goes on and it is time to."""
        self.pages += 1
        self.items += len(page.items)
        times = [_naive_utc(i.created_at) for i in page.items]
        if times:
            oldest, newest = min(times), max(times)
            if self._start_time is None:
                self._start_time = oldest
            elif self._newest is not None and newest > self._newest:
                self._forward = True
            if self._newest is None or newest > self._newest:
                self._newest = newest
        progress = self.snapshot()
        if page.has_more and self._due():
            self._last_publish = self._clock()
            self.published += 1
            self.states.syncing(
                self.account_id,
                progress.fraction,
                progress.describe(),
                items=progress.items,
                eta_seconds=progress.eta_seconds,
            )
        return progress

    def _due(self) -> bool:
        if self._last_publish is None:
            return True
        return self._clock() - self._last_publish >= self._publish_every

    def snapshot(self) -> SyncProgress:
        return SyncProgress(
            stream=self.stream,
            pages=self.pages,
            items=self.items,
            elapsed=self._clock() - self._started,
            fraction=self._fraction(),
            newest=self._newest.replace(tzinfo=UTC) if self._newest else None,
        )

    def _fraction(self) -> float | None:
        if not self._forward or self._start_time is None or self._newest is None:
            return None
        end = _naive_utc(self._now())
        span = (end - self._start_time).total_seconds()
        if span <= 0:
            return None
        done = (self._newest - self._start_time).total_seconds() / span
        return max(0.0, min(MAX_FRACTION, done))
