from datetime import UTC, datetime, timedelta

import pytest

from desktop.domain.errors import SyncError, SyncErrorKind
from desktop.sync.backoff import Backoff, delay_for, full_jitter


def test_full_jitter_grows_then_caps() -> None:
    top = lambda: 1.0  # noqa: E731 - the upper edge of the jitter range
    assert full_jitter(0, rand=top) == 0.5
    assert full_jitter(1, rand=top) == 1.0
    assert full_jitter(3, rand=top) == 4.0
    assert full_jitter(6, rand=top) == 20.0
    assert full_jitter(500, rand=top) == 20.0


def test_full_jitter_spreads_over_the_whole_range() -> None:
    assert full_jitter(4, rand=lambda: 0.0) == 0.0
    assert full_jitter(4, rand=lambda: 0.25) == 2.0
    with pytest.raises(ValueError):
        full_jitter(-1)


def test_retry_at_wins_over_jitter() -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    err = SyncError(SyncErrorKind.RATE_LIMITED, "429", retry_at=now + timedelta(seconds=42))
    assert delay_for(err, 0, now=now, rand=lambda: 1.0) == 42.0
    past = SyncError(SyncErrorKind.RATE_LIMITED, "429", retry_at=now - timedelta(seconds=5))
    assert delay_for(past, 3, now=now) == 0.0


def test_backoff_counts_attempts_and_resets() -> None:
    b = Backoff(rand=lambda: 1.0)
    assert [b.next_delay() for _ in range(3)] == [0.5, 1.0, 2.0]
    b.reset()
    assert b.next_delay() == 0.5
