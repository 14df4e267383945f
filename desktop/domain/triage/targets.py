"""Response targets: when a waiting conversation is due, and how to say it.

A brand promises a reply within `first_response` of business time. The clock starts at the
oldest customer message nobody has answered yet (the first message of a new conversation,
or the first one after our last reply), so a follow-up question gets the same promise as a
first one. The countdown shown to the user is wall-clock time to the due instant, because
that is what "due in 12 min" means to someone looking at the list.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from desktop.domain.triage.business_hours import BusinessHours

DEFAULT_FIRST_RESPONSE = timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class ResponseTarget:
    first_response: timedelta
    hours: BusinessHours

    def due_at(self, waiting_since: datetime) -> datetime:
        return self.hours.add(waiting_since, self.first_response)

    def business_seconds(self, start: datetime, end: datetime) -> float:
        return self.hours.seconds_between(start, end)

    def met(self, asked_at: datetime, answered_at: datetime) -> bool:
        """Whether an answer at `answered_at` kept the promise for a question at `asked_at`."""
        return self.business_seconds(asked_at, answered_at) <= self.first_response.total_seconds()

    @classmethod
    def default(cls, timezone: str = "UTC") -> ResponseTarget:
        """What a brand gets until someone sets its hours: 1 h, Mon-Fri 09:00-17:00 local."""
        return cls(DEFAULT_FIRST_RESPONSE, BusinessHours.weekdays(timezone))


def format_duration(seconds: float) -> str:
    """Two units at most, rounded down: "12 min", "1 h 5 min", "2 d 3 h", "<1 min"."""
    minutes = int(abs(seconds) // 60)
    if minutes < 1:
        return "<1 min"
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h" if hours else f"{days} d"
    if hours:
        return f"{hours} h {mins} min" if mins else f"{hours} h"
    return f"{mins} min"


def format_due(due_at: datetime, now: datetime) -> str:
    """ "due in 12 min" before the due instant, "overdue 1 h 5 min" after it."""
    remaining = (due_at - now).total_seconds()
    if remaining >= 0:
        return f"due in {format_duration(remaining)}"
    return f"overdue {format_duration(remaining)}"
