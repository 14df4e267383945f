"""Business time, worked out by hand: weekends, DST changes in both directions, holidays."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from desktop.domain.errors import UserError
from desktop.domain.triage.business_hours import BusinessHours, format_interval, parse_interval

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
HOUR = timedelta(hours=1)


def berlin(*args: int) -> datetime:
    return datetime(*args, tzinfo=BERLIN)  # type: ignore[misc]


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


OFFICE = BusinessHours.weekdays("Europe/Berlin", "09:00", "17:00")


def test_inside_hours_is_plain_addition() -> None:
    # Wednesday 10:00 + 1 h of business time = 11:00 the same day.
    assert OFFICE.add(berlin(2026, 3, 11, 10, 0), HOUR) == berlin(2026, 3, 11, 11, 0)


def test_friday_afternoon_rolls_over_the_weekend() -> None:
    # Friday 16:30 CET: 30 min left on Friday, the other 30 min on Monday from 09:00.
    due = OFFICE.add(berlin(2026, 3, 13, 16, 30), HOUR)
    assert due == berlin(2026, 3, 16, 9, 30)
    assert due == utc(2026, 3, 16, 8, 30)


def test_weekend_over_spring_forward_keeps_local_opening_time() -> None:
    # Berlin moves to CEST on Sunday 29 March 2026. Friday 16:30 CET (15:30 UTC) + 1 h:
    # Monday 09:30 *CEST*, which is 07:30 UTC, not 08:30 UTC as a fixed offset would say.
    due = OFFICE.add(berlin(2026, 3, 27, 16, 30), HOUR)
    assert due == utc(2026, 3, 30, 7, 30)
    assert due.astimezone(BERLIN).hour == 9
    assert OFFICE.seconds_between(berlin(2026, 3, 27, 16, 30), due) == 3600


def test_measured_across_weekend() -> None:
    # Friday 16:00 -> Monday 10:00: 1 h on Friday + 1 h on Monday.
    assert OFFICE.seconds_between(berlin(2026, 3, 13, 16, 0), berlin(2026, 3, 16, 10, 0)) == 7200
    # Saturday to Sunday: nothing.
    assert OFFICE.seconds_between(berlin(2026, 3, 14, 8, 0), berlin(2026, 3, 15, 20, 0)) == 0


def test_round_the_clock_desk_has_a_23_and_a_25_hour_day() -> None:
    desk = BusinessHours.always("Europe/Berlin")
    spring = desk.seconds_between(berlin(2026, 3, 28, 12, 0), berlin(2026, 3, 29, 12, 0))
    autumn = desk.seconds_between(berlin(2026, 10, 24, 12, 0), berlin(2026, 10, 25, 12, 0))
    assert spring == 23 * 3600
    assert autumn == 25 * 3600
    # And adding 24 h of business time on the spring day lands at 13:00 local.
    assert desk.add(berlin(2026, 3, 28, 12, 0), 24 * HOUR) == berlin(2026, 3, 29, 13, 0)


def test_us_weekend_and_dst_in_another_zone() -> None:
    # New York switches on Sunday 8 March 2026. Saturday 10:00 EST + 2 h: Monday 11:00 EDT.
    hours = BusinessHours.weekdays("America/New_York")
    due = hours.add(datetime(2026, 3, 7, 10, 0, tzinfo=NEW_YORK), 2 * HOUR)
    assert due == utc(2026, 3, 9, 15, 0)  # 11:00 EDT = UTC-4


def test_closed_dates_are_skipped() -> None:
    holiday = BusinessHours(OFFICE.timezone, OFFICE.week, frozenset({date(2026, 3, 16)}))
    assert holiday.add(berlin(2026, 3, 13, 16, 30), HOUR) == berlin(2026, 3, 17, 9, 30)


def test_lunch_break_splits_the_day() -> None:
    hours = BusinessHours(
        "Europe/Berlin", tuple(((540, 720), (780, 1020)) if d < 5 else () for d in range(7))
    )
    assert hours.add(berlin(2026, 3, 11, 11, 30), HOUR) == berlin(2026, 3, 11, 13, 30)
    assert not hours.is_open(berlin(2026, 3, 11, 12, 30))
    assert hours.is_open(berlin(2026, 3, 11, 13, 0))


def test_zero_duration_outside_hours_is_due_at_once() -> None:
    saturday = berlin(2026, 3, 14, 10, 0)
    assert OFFICE.add(saturday, timedelta(0)) == saturday


@pytest.mark.parametrize(
    "week, zone",
    [
        (tuple(() for _ in range(7)), "UTC"),  # never open
        (tuple(((600, 540),) for _ in range(7)), "UTC"),  # ends before it starts
        (tuple(((540, 720), (700, 800)) for _ in range(7)), "UTC"),  # overlap
        (tuple(((540, 600),) for _ in range(6)), "UTC"),  # six days
        (tuple(((540, 600),) for _ in range(7)), "Mars/Olympus"),
    ],
)
def test_invalid_hours_are_refused(week: tuple, zone: str) -> None:  # type: ignore[type-arg]
    with pytest.raises(UserError):
        BusinessHours(zone, week)


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError):
        OFFICE.add(datetime(2026, 3, 11, 10, 0), HOUR)


def test_interval_text_round_trip() -> None:
    assert parse_interval("09:00-17:30") == (540, 1050)
    assert format_interval((540, 1440)) == "09:00-24:00"
    assert parse_interval(format_interval((0, 1440))) == (0, 1440)
    with pytest.raises(UserError):
        parse_interval("nine to five")
