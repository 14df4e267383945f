"""Every figure of a Report as a table: what the tiles, the charts' side tables and the CSV
files show. Plain Python (no Qt), so the wording and the CSV are tested without a window.

A table keeps raw values (seconds, ratios, dates) and a formatter per column: the window shows
"1 h 5 min" and "60.0 %", the CSV gets 3900 and 0.6, which a spreadsheet can sum.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from desktop.domain.triage.targets import format_duration
from desktop.store.reports import BreakdownRow, Percentiles, Report

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
DASH = "—"

Value = int | float | str | date | None
Formatter = Callable[[Value], str]


def duration(value: Value) -> str:
    return DASH if value is None else format_duration(float(value))  # type: ignore[arg-type]


def percent(value: Value) -> str:
    return DASH if value is None else f"{float(value) * 100:.1f} %"  # type: ignore[arg-type]


def number(value: Value) -> str:
    if value is None:
        return DASH
    if isinstance(value, float):
        return f"{value:,.2f}"
    return f"{value:,}" if isinstance(value, int) else str(value)


def signed(value: Value) -> str:
    return DASH if value is None else f"{float(value):+.2f}"  # type: ignore[arg-type]


def plain(value: Value) -> str:
    return DASH if value is None else str(value)


@dataclass(frozen=True, slots=True)
class Column:
    title: str  # on screen
    csv_title: str  # in the CSV header (units spelled out)
    fmt: Formatter = number


@dataclass(frozen=True, slots=True)
class Table:
    key: str  # file name stem and objectName part: "daily", "hours"...
    title: str
    columns: tuple[Column, ...]
    rows: tuple[tuple[Value, ...], ...]
    # a formatter per row for the last column, when rows mix kinds (counts, times, rates)
    value_formats: tuple[Formatter, ...] | None = None

    def text(self, row: int, col: int) -> str:
        if self.value_formats is not None and col == len(self.columns) - 1:
            return self.value_formats[row](self.rows[row][col])
        return self.columns[col].fmt(self.rows[row][col])

    def csv(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow([c.csv_title for c in self.columns])
        for row in self.rows:
            writer.writerow(["" if v is None else _csv_value(v) for v in row])
        return out.getvalue()

    def write_csv(self, path: Path) -> None:
        path.write_text(self.csv(), encoding="utf-8")


def _csv_value(value: Value) -> str | int | float:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return round(value, 6)
    return value  # type: ignore[return-value]


# -- the tables ----------------------------------------------------------------------------------
def summary(r: Report) -> Table:
    resp, s, p = r.response, r.sentiment, r.posts
    rows: list[tuple[Value, Value, Formatter]] = [
        ("Inbound messages", r.inbound, number),
        ("Replies sent", r.replies_sent, number),
        ("Conversations started", resp.conversations, number),
        ("Conversations answered", resp.answered, number),
        ("Response rate", resp.response_rate, percent),
        *_percentile_rows("First response (business hours)", resp.first_response_business),
        *_percentile_rows("First response (wall clock)", resp.first_response_wall),
        ("Answered within target", resp.within_target_share, percent),
        ("Resolved", resp.resolved, number),
        *_percentile_rows("Resolution time", resp.resolution),
        ("Sentiment before our replies", s.before_mean, signed),
        ("Sentiment after our replies", s.after_mean, signed),
        ("Own posts", p.posts, number),
        ("Conversation rate (replies per post)", p.conversation_rate, number),
        ("Amplification rate (reposts per post)", p.amplification_rate, number),
        ("Applause rate (likes per post)", p.applause_rate, number),
    ]
    return Table(
        "summary",
        "Figures",
        (Column("Figure", "figure", plain), Column("Value", "value")),
        tuple((label, value) for label, value, _fmt in rows),
        value_formats=tuple(fmt for _label, _value, fmt in rows),
    )


def _percentile_rows(label: str, p: Percentiles) -> list[tuple[Value, Value, Formatter]]:
    return [
        (f"{label}, median", p.median, duration),
        (f"{label}, 90th percentile", p.p90, duration),
    ]


def daily(r: Report) -> Table:
    return Table(
        "daily",
        "Messages per day",
        (
            Column("Day", "day", plain),
            Column("Inbound", "inbound"),
            Column("Replies", "replies"),
        ),
        tuple((d.day, d.inbound, d.replies) for d in r.days),
    )


def hours(r: Report) -> Table:
    per_hour = (Column(f"{h:02d}", f"{h:02d}:00") for h in range(24))
    columns = (Column("Day", "weekday", plain), *per_hour)
    rows = tuple((WEEKDAYS[d], *r.heat[d]) for d in range(7))
    return Table("hours", "Inbound messages by weekday and local hour", columns, rows)


def sentiment(r: Report) -> Table:
    s = r.sentiment
    return Table(
        "sentiment",
        "Sentiment before and after our replies",
        (Column("Measure", "measure", plain), Column("Value", "value")),
        (
            ("Conversations compared", s.compared),
            ("Mean before (VADER compound)", _round(s.before_mean)),
            ("Mean after (VADER compound)", _round(s.after_mean)),
            ("Improved", s.improved),
            ("Unchanged", s.unchanged),
            ("Worsened", s.worsened),
        ),
    )


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def top_customers(r: Report) -> Table:
    return Table(
        "customers",
        "Top customers by conversations",
        (
            Column("Customer", "customer", plain),
            Column("Conversations", "conversations"),
            Column("Answered", "answered"),
        ),
        tuple(
            (c.name or f"#{c.customer_id}", c.conversations, c.answered) for c in r.top_customers
        ),
    )


def _breakdown(key: str, title: str, first: str, rows: Sequence[BreakdownRow]) -> Table:
    return Table(
        key,
        title,
        (
            Column(first, first.lower(), plain),
            Column("Conversations", "conversations"),
            Column("Answered", "answered"),
            Column("Response rate", "response_rate", percent),
            Column("Within target", "within_target_share", percent),
            Column("Mean first response", "mean_first_response_business_s", duration),
        ),
        tuple(
            (
                b.key,
                b.conversations,
                b.answered,
                b.response_rate,
                b.within_target_share,
                b.mean_first_response_business,
            )
            for b in rows
        ),
    )


PLATFORM_NAMES = {
    "mastodon": "Mastodon",
    "bluesky": "Bluesky",
    "x": "X",
    "facebook": "Facebook",
    "instagram": "Instagram",
}


def by_platform(r: Report) -> Table:
    named = [replace(b, key=PLATFORM_NAMES.get(b.key, b.key)) for b in r.by_platform]
    return _breakdown("platforms", "By platform", "Platform", named)


def by_brand(r: Report) -> Table:
    return _breakdown("brands", "By brand", "Brand", r.by_brand)


def by_account(r: Report) -> Table:
    return _breakdown("accounts", "By account", "Account", r.by_account)


def by_colleague(r: Report) -> Table:
    return _breakdown("colleagues", "By colleague (assignee)", "Colleague", r.by_colleague)


def posts(r: Report) -> Table:
    p = r.posts
    return Table(
        "posts",
        "The brand's own posts",
        (
            Column("Posts", "posts"),
            Column("Replies", "replies"),
            Column("Reposts", "reposts"),
            Column("Likes", "likes"),
            Column("Conversation rate", "conversation_rate"),
            Column("Amplification rate", "amplification_rate"),
            Column("Applause rate", "applause_rate"),
        ),
        (
            (
                p.posts,
                p.replies,
                p.reposts,
                p.likes,
                p.conversation_rate,
                p.amplification_rate,
                p.applause_rate,
            ),
        ),
    )


def all_tables(r: Report) -> dict[str, Table]:
    tables = (
        summary(r),
        daily(r),
        hours(r),
        sentiment(r),
        top_customers(r),
        by_brand(r),
        by_account(r),
        by_platform(r),
        by_colleague(r),
        posts(r),
    )
    return {t.key: t for t in tables}


@dataclass(frozen=True, slots=True)
class Tile:
    key: str
    label: str
    value: str
    detail: str


def tiles(r: Report) -> tuple[Tile, ...]:
    """The figures at the top of the window, each with a line of context."""
    resp, s = r.response, r.sentiment
    fb, fw = resp.first_response_business, resp.first_response_wall
    return (
        Tile("inbound", "Inbound", number(r.inbound), f"{number(r.replies_sent)} replies sent"),
        Tile(
            "responseRate",
            "Response rate",
            percent(resp.response_rate),
            f"{number(resp.answered)} of {number(resp.conversations)} conversations",
        ),
        Tile(
            "firstResponse",
            "First response (business)",
            duration(fb.median),
            f"median · p90 {duration(fb.p90)}",
        ),
        Tile(
            "firstResponseWall",
            "First response (wall clock)",
            duration(fw.median),
            f"median · p90 {duration(fw.p90)}",
        ),
        Tile(
            "withinTarget",
            "Within target",
            percent(resp.within_target_share),
            f"{number(resp.within_target)} of {number(resp.judged)} judged",
        ),
        Tile(
            "resolution",
            "Resolution time",
            duration(resp.resolution.median),
            f"median of {number(resp.resolved)} · p90 {duration(resp.resolution.p90)}",
        ),
        Tile(
            "sentiment",
            "Sentiment before → after",
            f"{signed(s.before_mean)} → {signed(s.after_mean)}",
            f"{number(s.compared)} conversations compared",
        ),
    )
