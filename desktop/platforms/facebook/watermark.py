"""A time watermark cursor for Graph edges that have no "newer than id" parameter.

Graph timestamps have one-second resolution and edges are read newest first, so the cursor
is the newest second already delivered plus the ids delivered within that second: an item is
new when it is later, or in the same second and not yet seen. Serialised as JSON (sync
persists it as an opaque string). Used by the Facebook and Instagram connectors.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from desktop.domain.inbound import InboundItem


@dataclass(frozen=True, slots=True)
class Watermark:
    since: int  # epoch seconds of the newest delivered item
    seen: frozenset[str] = frozenset()  # ids delivered within that second
    extra: dict[str, Any] = field(default_factory=dict)  # a stream's own memo (JSON-able)

    def is_new(self, item: InboundItem) -> bool:
        ts = int(item.created_at.timestamp())
        return ts > self.since or (ts == self.since and item.platform_id not in self.seen)

    @property
    def since_datetime(self) -> datetime:
        return datetime.fromtimestamp(self.since, tz=UTC)

    def encode(self) -> str:
        data: dict[str, Any] = {"since": self.since, "seen": sorted(self.seen)}
        if self.extra:
            data["x"] = self.extra
        return json.dumps(data, separators=(",", ":"), sort_keys=True)

    @classmethod
    def decode(cls, cursor: str | None, *, initial_days: float) -> Watermark:
        """The cursor sync persisted; None (or garbage) starts `initial_days` back."""
        if cursor:
            try:
                data = json.loads(cursor)
                extra = data.get("x") if isinstance(data.get("x"), dict) else {}
                return cls(int(data["since"]), frozenset(str(i) for i in data.get("seen", ())),
                           extra)
            except (ValueError, KeyError, TypeError):
                pass  # an unreadable cursor restarts from recent history, never crashes
        start = datetime.now(UTC) - timedelta(days=initial_days)
        return cls(int(start.timestamp()) - 1)


def take_newer(
    items: Sequence[InboundItem], mark: Watermark, limit: int
) -> tuple[tuple[InboundItem, ...], Watermark, bool]:
    """The oldest `limit` items newer than `mark`, the watermark after them, and whether
    more new items remain (sync then calls again at once).

    `items` should come in the platform's chronological order: the sort is stable and only
    by time, because Graph times have one-second resolution and ids do not sort by time."""
    fresh = {i.platform_id: i for i in items if mark.is_new(i)}
    ordered = sorted(fresh.values(), key=lambda i: i.created_at)
    taken = ordered[:limit]
    if not taken:
        return (), mark, False
    newest = int(taken[-1].created_at.timestamp())
    seen = {i.platform_id for i in taken if int(i.created_at.timestamp()) == newest}
    if newest == mark.since:
        seen |= mark.seen
    return tuple(taken), replace(mark, since=newest, seen=frozenset(seen)), len(ordered) > limit
