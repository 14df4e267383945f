"""Due times and their wording."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from desktop.domain.triage.business_hours import BusinessHours
from desktop.domain.triage.targets import ResponseTarget, format_due, format_duration

NOW = datetime(2026, 3, 11, 10, 0, tzinfo=UTC)


def test_due_wording_before_and_after() -> None:
    assert format_due(NOW + timedelta(minutes=12, seconds=30), NOW) == "due in 12 min"
    assert format_due(NOW - timedelta(minutes=65, seconds=20), NOW) == "overdue 1 h 5 min"
    assert format_due(NOW + timedelta(seconds=20), NOW) == "due in <1 min"
    assert format_due(NOW - timedelta(days=2, hours=3, minutes=4), NOW) == "overdue 2 d 3 h"


def test_duration_units() -> None:
    assert format_duration(2 * 3600) == "2 h"
    assert format_duration(86400) == "1 d"
    assert format_duration(59) == "<1 min"
    assert format_duration(61 * 60) == "1 h 1 min"


def test_target_met_is_judged_in_business_time() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    target = ResponseTarget(timedelta(hours=1), BusinessHours.weekdays("Europe/Berlin"))
    asked = datetime(2026, 3, 13, 16, 30, tzinfo=berlin)  # Friday
    # Monday 09:25: 30 + 25 = 55 business minutes, though 65 wall-clock hours later.
    assert target.met(asked, datetime(2026, 3, 16, 9, 25, tzinfo=berlin))
    assert not target.met(asked, datetime(2026, 3, 16, 9, 35, tzinfo=berlin))
    assert target.due_at(asked) == datetime(2026, 3, 16, 9, 30, tzinfo=berlin)


def test_default_target_is_an_hour_on_weekdays() -> None:
    target = ResponseTarget.default("Europe/Berlin")
    assert target.first_response == timedelta(hours=1)
    assert target.hours.timezone == "Europe/Berlin"
    assert target.hours.week[5] == () and target.hours.week[0] == ((540, 1020),)
