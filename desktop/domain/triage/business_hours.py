"""A brand's weekly business hours in its own IANA time zone, and time measured in them.

Why wall-clock intervals per local date: "Monday 09:00-17:00 in Europe/Berlin" is a promise
about the brand's clock, so each day's opening is placed on that day's local calendar and only
then turned into an instant. A DST change therefore moves the instants, never the opening
hours, and an interval that spans the change (a 24-hour support desk) is 23 or 25 real hours
long, as it should be. Durations are real elapsed seconds inside open intervals.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from desktop.domain.errors import UserError

MINUTES_PER_DAY = 24 * 60
# Walking further than this to place a due time means the calendar is closed "forever"
# (e.g. every weekday listed as a closed date): refuse instead of looping.
_MAX_DAYS = 3 * 366

Interval = tuple[int, int]  # minutes after local midnight: [start, end), end may be 1440


def _check_intervals(day: int, intervals: tuple[Interval, ...]) -> None:
    previous_end = 0
    for start, end in intervals:
        if not 0 <= start < end <= MINUTES_PER_DAY:
            raise UserError(f"business hours on weekday {day}: {start}-{end} is not a time range")
        if start < previous_end:
            raise UserError(f"business hours on weekday {day} overlap or are out of order")
        previous_end = end


@dataclass(frozen=True, slots=True)
class BusinessHours:
    """Open intervals for Monday (index 0) to Sunday (6), in `timezone`'s wall-clock time."""

    timezone: str
    week: tuple[tuple[Interval, ...], ...]
    closed_dates: frozenset[date] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        if len(self.week) != 7:
            raise UserError("business hours need an entry for each of the 7 weekdays")
        for day, intervals in enumerate(self.week):
            _check_intervals(day, intervals)
        if not any(self.week):
            raise UserError("business hours are closed on every day of the week")
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise UserError(f"unknown time zone {self.timezone!r}") from exc

    # -- constructors -----------------------------------------------------------------------
    @classmethod
    def weekdays(cls, timezone: str, start: str = "09:00", end: str = "17:00") -> BusinessHours:
        """The common case: the same hours Monday to Friday, closed at the weekend."""
        interval = (_minutes(start), _minutes(end))
        return cls(timezone, tuple((interval,) if d < 5 else () for d in range(7)))

    @classmethod
    def always(cls, timezone: str = "UTC") -> BusinessHours:
        """Open around the clock: business time equals wall-clock time."""
        return cls(timezone, tuple(((0, MINUTES_PER_DAY),) for _ in range(7)))

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    # -- placing intervals on the calendar ------------------------------------------------------
    def _instant(self, day: date, minute: int) -> datetime:
        """The instant of local wall-clock `minute` on `day` (24:00 is next midnight)."""
        if minute == MINUTES_PER_DAY:
            day, minute = day + timedelta(days=1), 0
        local = datetime.combine(day, time(minute // 60, minute % 60), tzinfo=self.zone)
        return local.astimezone(UTC)

    def open_intervals(self, start: datetime, end: datetime) -> Iterator[tuple[datetime, datetime]]:
        """Open intervals as aware UTC instants, clipped to [start, end), in order."""
        day = start.astimezone(self.zone).date()  # intervals never cross local midnight
        last = end.astimezone(self.zone).date()
        while day <= last:
            if day not in self.closed_dates:
                for a, b in self.week[day.weekday()]:
                    lo, hi = max(self._instant(day, a), start), min(self._instant(day, b), end)
                    if lo < hi:
                        yield lo, hi
            day += timedelta(days=1)

    # -- measuring ----------------------------------------------------------------------------
    def seconds_between(self, start: datetime, end: datetime) -> float:
        """Business seconds from `start` to `end` (0 if end is not after start)."""
        _aware(start, end)
        if end <= start:
            return 0.0
        return sum((b - a).total_seconds() for a, b in self.open_intervals(start, end))

    def add(self, start: datetime, duration: timedelta) -> datetime:
        """The instant when `duration` of business time has passed since `start`.

        A zero duration outside business hours lands on `start` itself (nothing is owed yet);
        a positive one starts counting at the next opening.
        """
        _aware(start)
        remaining = duration.total_seconds()
        if remaining <= 0:
            return start.astimezone(UTC)
        day = start.astimezone(self.zone).date()
        for _ in range(_MAX_DAYS):
            if day not in self.closed_dates:
                for a, b in self.week[day.weekday()]:
                    lo = max(self._instant(day, a), start)
                    hi = self._instant(day, b)
                    if lo >= hi:
                        continue
                    length = (hi - lo).total_seconds()
                    if remaining <= length:
                        return lo + timedelta(seconds=remaining)
                    remaining -= length
            day += timedelta(days=1)
        raise UserError("business hours never open again within three years")

    def is_open(self, at: datetime) -> bool:
        _aware(at)
        return any(True for _ in self.open_intervals(at, at + timedelta(microseconds=1)))


def _minutes(hhmm: str) -> int:
    if hhmm == "24:00":
        return MINUTES_PER_DAY
    try:
        parsed = datetime.strptime(hhmm, "%H:%M")
    except ValueError as exc:
        raise UserError(f"{hhmm!r} is not a time of day (HH:MM)") from exc
    return parsed.hour * 60 + parsed.minute


def _aware(*values: datetime) -> None:
    for value in values:
        if value.tzinfo is None:
            raise ValueError("business-hours arithmetic needs aware datetimes")


def parse_interval(text: str) -> Interval:
    """ "09:00-17:30" -> (540, 1050); used by the settings form and the stored JSON."""
    try:
        start, end = text.split("-")
    except ValueError as exc:
        raise UserError(f"{text!r} is not a range like 09:00-17:00") from exc
    return _minutes(start.strip()), _minutes(end.strip())


def format_interval(interval: Interval) -> str:
    start, end = interval
    return f"{start // 60:02d}:{start % 60:02d}-{end // 60:02d}:{end % 60:02d}"
