"""Report queries: what a team lead asks of social care, over a date range and filters.

Two kinds of question, two kinds of query:

- Message counts (inbound volume, replies sent, per day, busiest hours) come from
  report_hourly, counts per UTC hour, account and direction that triage's incremental
  recompute keeps (each message counted once, as it passes the watermark); brand and
  platform filters become a set of account ids. Each hour is moved to its brand's local
  time in Python, so the heat map and the days are right across DST changes. Ranges are
  counted in whole UTC hours (the window asks for whole days). Erasing a customer does not
  lower past counts (they hold no personal data).
- Conversation figures (response rate, first-response times, target, resolution,
  sentiment, top customers) take the conversations whose first customer message falls in
  the range (index on first_inbound_at) with their stored triage facts; nothing is
  recomputed here.

"Colleague" means the conversation's assignee: messages carry no author agent, so replies
are credited to whoever holds the conversation now. Percentiles are exact (nearest-rank).
"""

from __future__ import annotations

import json
import math
import sqlite3
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import text
from sqlalchemy.orm import Session

from desktop.domain.enums import Platform
from desktop.domain.triage.sentiment import NEGATIVE_BELOW, POSITIVE_ABOVE
from desktop.store.times import from_db

NO_COLLEAGUE = 0  # the by-colleague row of unassigned conversations
TOP_CUSTOMERS = 10


@dataclass(frozen=True, slots=True)
class ReportFilter:
    start: datetime  # aware; inclusive
    end: datetime  # aware; exclusive
    brand_id: int | None = None
    account_id: int | None = None
    platform: Platform | None = None
    agent_id: int | None = None  # colleague: conversations assigned to them


@dataclass(frozen=True, slots=True)
class Percentiles:
    count: int
    median: float | None  # seconds
    p90: float | None


@dataclass(frozen=True, slots=True)
class ResponseFigures:
    conversations: int  # started in the range (first customer message in it)
    answered: int
    response_rate: float | None
    first_response_wall: Percentiles
    first_response_business: Percentiles
    within_target: int
    judged: int  # answered, plus unanswered ones already past due
    within_target_share: float | None
    resolved: int
    resolution: Percentiles  # first customer message -> resolved, wall-clock
    pending_triage: int  # conversations in range whose triage facts are not computed yet


@dataclass(frozen=True, slots=True)
class SentimentFigures:
    compared: int  # conversations with customer messages both before and after our replies
    before_mean: float | None
    after_mean: float | None
    improved: int
    unchanged: int
    worsened: int


@dataclass(frozen=True, slots=True)
class DayCount:
    day: date  # in the brand's time zone
    inbound: int
    replies: int


@dataclass(frozen=True, slots=True)
class TopCustomer:
    customer_id: int
    name: str
    conversations: int
    answered: int


@dataclass(frozen=True, slots=True)
class PostFigures:
    posts: int
    replies: int
    reposts: int
    likes: int

    def _rate(self, value: int) -> float | None:
        return value / self.posts if self.posts else None

    @property
    def conversation_rate(self) -> float | None:
        return self._rate(self.replies)

    @property
    def amplification_rate(self) -> float | None:
        return self._rate(self.reposts)

    @property
    def applause_rate(self) -> float | None:
        return self._rate(self.likes)


@dataclass(frozen=True, slots=True)
class BreakdownRow:
    key: str  # platform value or colleague name
    conversations: int
    answered: int
    within_target: int
    judged: int
    mean_first_response_business: float | None

    @property
    def response_rate(self) -> float | None:
        return self.answered / self.conversations if self.conversations else None

    @property
    def within_target_share(self) -> float | None:
        return self.within_target / self.judged if self.judged else None


@dataclass(frozen=True, slots=True)
class Report:
    filter: ReportFilter
    inbound: int
    replies_sent: int
    response: ResponseFigures
    sentiment: SentimentFigures
    days: tuple[DayCount, ...]
    heat: tuple[tuple[int, ...], ...]  # [weekday Monday=0][local hour]: inbound messages
    top_customers: tuple[TopCustomer, ...]
    posts: PostFigures
    by_platform: tuple[BreakdownRow, ...]
    by_colleague: tuple[BreakdownRow, ...]
    by_brand: tuple[BreakdownRow, ...] = ()
    by_account: tuple[BreakdownRow, ...] = ()


@dataclass(frozen=True, slots=True)
class Choice:
    id: int
    label: str


@dataclass(frozen=True, slots=True)
class ReportOptions:
    brands: tuple[Choice, ...]
    accounts: tuple[Choice, ...]
    platforms: tuple[Platform, ...]
    colleagues: tuple[Choice, ...]
    first_day: date | None  # of the data, for the date pickers
    last_day: date | None


# -- helpers ------------------------------------------------------------------------------
def _bound(value: datetime) -> str:
    """A UTC bound as text that compares right against both stored formats
    ('... 12:00:00' and '... 12:00:00.000000'): whole seconds, no fraction."""
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")


def percentiles(values: Sequence[float]) -> Percentiles:
    """Nearest-rank median and 90th percentile (values need not be sorted)."""
    if not values:
        return Percentiles(0, None, None)
    ordered = sorted(values)
    n = len(ordered)

    def rank(p: float) -> float:
        return ordered[max(0, math.ceil(p * n) - 1)]

    return Percentiles(n, rank(0.5), rank(0.9))


def _ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _account_zones(session: Session) -> dict[int, tuple[int, str, str]]:
    """account id -> (brand id, platform, brand time zone)."""
    rows = session.execute(
        text(
            "SELECT a.id, a.brand_id, a.platform, b.timezone FROM accounts a "
            "JOIN brands b ON b.id = a.brand_id"
        )
    )
    return {r[0]: (r[1], r[2], r[3]) for r in rows}


def _accounts_in_scope(f: ReportFilter, zones: dict[int, tuple[int, str, str]]) -> list[int]:
    return [
        aid
        for aid, (brand, platform, _tz) in zones.items()
        if (f.brand_id is None or brand == f.brand_id)
        and (f.account_id is None or aid == f.account_id)
        and (f.platform is None or platform == f.platform.value)
    ]


def _conversation_scope(
    f: ReportFilter, dated: str | None = "c.first_inbound_at"
) -> tuple[str, dict[str, Any]]:
    """WHERE clauses on conversations c for the filter, the range applied to `dated`."""
    where = [f"{dated} >= :start", f"{dated} < :end"] if dated else ["1"]
    params: dict[str, Any] = {"start": _bound(f.start), "end": _bound(f.end)}
    for column, value in (
        ("brand_id", f.brand_id),
        ("account_id", f.account_id),
        ("platform", f.platform.value if f.platform else None),
        ("assignee_id", f.agent_id),
    ):
        if value is not None:
            where.append(f"c.{column} = :{column}")
            params[column] = value
    return " AND ".join(where), params


# -- message counts ----------------------------------------------------------------------------
def _hour(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%d %H")


def _hourly(
    session: Session, f: ReportFilter, zones: dict[int, tuple[int, str, str]]
) -> list[tuple[str, str, str, int]]:
    """(direction, 'YYYY-MM-DD HH' in UTC, brand time zone, messages), whole UTC hours.

    Without a colleague filter this reads the hourly counts triage keeps (report_hourly);
    a colleague's messages are counted from the messages of the conversations they hold.
    """
    if f.agent_id is not None:
        scope, params = _conversation_scope(f, dated="m.created_at")
        params |= {"start": _hour(f.start), "end": _hour(f.end)}
        sql = (
            "SELECT m.direction, substr(m.created_at, 1, 13) AS h, b.timezone, COUNT(*) "
            "FROM conversations c JOIN messages m ON m.conversation_id = c.id "
            "JOIN brands b ON b.id = c.brand_id "
            f"WHERE {scope.replace('m.created_at', 'substr(m.created_at, 1, 13)')} "
            "GROUP BY 1, 2, 3"
        )
        return [(r[0], r[1], r[2], r[3]) for r in session.execute(text(sql), params)]
    accounts = _accounts_in_scope(f, zones)
    narrow = len(accounts) < len(zones)
    params = {"start": _hour(f.start), "end": _hour(f.end)}
    sql = (
        "SELECT r.direction, r.hour, b.timezone, SUM(r.n) FROM report_hourly r "
        "JOIN accounts a ON a.id = r.account_id JOIN brands b ON b.id = a.brand_id "
        "WHERE r.hour >= :start AND r.hour < :end "
        + ("AND r.account_id IN (SELECT value FROM json_each(:accounts)) " if narrow else "")
        + "GROUP BY r.hour, r.direction, b.timezone"
    )
    if narrow:
        params["accounts"] = json.dumps(accounts)
    return [(r[0], r[1], r[2], r[3]) for r in session.execute(text(sql), params)]


def _local_hour(bucket: str, zone: ZoneInfo) -> datetime:
    return datetime.fromisoformat(bucket).replace(tzinfo=UTC).astimezone(zone)


def _message_counts(
    hourly: list[tuple[str, str, str, int]], own_posts_by_day: dict[date, int]
) -> tuple[int, int, tuple[DayCount, ...], tuple[tuple[int, ...], ...]]:
    heat = [[0] * 24 for _ in range(7)]
    inbound_days: dict[date, int] = defaultdict(int)
    out_days: dict[date, int] = defaultdict(int)
    zones: dict[str, ZoneInfo] = {}
    seen: dict[tuple[str, str], datetime] = {}  # in and out share the hour's conversion
    for direction, bucket, zone_name, n in hourly:
        local = seen.get((bucket, zone_name))
        if local is None:
            zone = zones.get(zone_name) or zones.setdefault(zone_name, ZoneInfo(zone_name))
            local = seen[(bucket, zone_name)] = _local_hour(bucket, zone)
        if direction == "in":
            heat[local.weekday()][local.hour] += n
            inbound_days[local.date()] += n
        else:
            out_days[local.date()] += n
    for day, posts in own_posts_by_day.items():
        out_days[day] -= posts  # the brand's own posts are not replies
    days = sorted(set(inbound_days) | set(out_days))
    series = tuple(DayCount(d, inbound_days.get(d, 0), max(0, out_days.get(d, 0))) for d in days)
    inbound = sum(inbound_days.values())
    replies = sum(d.replies for d in series)
    return inbound, replies, series, tuple(tuple(row) for row in heat)


# -- the brand's own posts -----------------------------------------------------------------------
def _posts(session: Session, f: ReportFilter) -> tuple[PostFigures, dict[date, int]]:
    scope, params = _conversation_scope(f, dated="t.opened_at")
    rows = session.execute(
        text(
            "SELECT substr(t.opened_at, 1, 10), b.timezone, t.opened_at,"
            " COALESCE(json_extract(m.metrics, '$.replies'), 0),"
            " COALESCE(json_extract(m.metrics, '$.reposts'), 0),"
            " COALESCE(json_extract(m.metrics, '$.likes'), 0)"
            " FROM conversation_triage t"
            " JOIN conversations c ON c.id = t.conversation_id"
            " JOIN messages m ON m.id = t.opened_by_brand_id"
            " JOIN brands b ON b.id = c.brand_id"
            f" WHERE t.opened_by_brand_id IS NOT NULL AND {scope}"
            " AND m.platform_id = c.platform_root_id"
        ),
        params,
    ).all()
    by_day: dict[date, int] = defaultdict(int)
    for _day, zone, opened_at, *_ in rows:
        local = from_db(_parse(opened_at))
        assert local is not None
        by_day[local.astimezone(ZoneInfo(zone)).date()] += 1
    figures = PostFigures(
        posts=len(rows),
        replies=sum(int(r[3]) for r in rows),
        reposts=sum(int(r[4]) for r in rows),
        likes=sum(int(r[5]) for r in rows),
    )
    return figures, by_day


def _parse(value: Any) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))


# -- conversation figures ------------------------------------------------------------------
# One pass joins the conversations in range with their triage facts into a narrow temporary
# table (on the reader's own connection; nothing is written to the database file); every
# figure below reads that table at C speed instead of joining again. At 1M messages the join
# is the one cost that grows with the range.
_SCOPE = """
CREATE TEMP TABLE report_scope AS
SELECT c.account_id, c.assignee_id, c.customer_id,
  c.first_response_at IS NOT NULL AS answered,
  t.within_target = 1 AS within,
  (t.frt_business_s IS NOT NULL
   OR (c.first_response_at IS NULL AND c.due_at IS NOT NULL AND c.due_at < :now)) AS judged,
  t.frt_business_s AS frt_business, t.frt_wall_s AS frt_wall,
  t.conversation_id IS NULL AS pending,
  CASE WHEN c.status = 'resolved' AND t.resolved_at IS NOT NULL
       THEN ROUND((julianday(t.resolved_at) - julianday(c.first_inbound_at)) * 86400.0)
  END AS resolution,
  CASE WHEN t.after_n > 0 AND t.before_n > 0 AND t.last_reply_at IS NOT NULL
       THEN t.before_sum / t.before_n END AS before,
  CASE WHEN t.after_n > 0 AND t.before_n > 0 AND t.last_reply_at IS NOT NULL
       THEN t.after_sum / t.after_n END AS after
FROM conversations c LEFT JOIN conversation_triage t ON t.conversation_id = c.id
WHERE {scope}
"""
_GROUPED = """
SELECT account_id, assignee_id, COUNT(*), SUM(answered), SUM(within), SUM(judged),
  SUM(frt_business), COUNT(frt_business), SUM(pending), COUNT(resolution)
FROM temp.report_scope GROUP BY account_id, assignee_id
"""
# One unsorted read of every value (Python sorts faster than a sorter per column).
_VALUES = """
SELECT frt_wall, frt_business, resolution, before, after FROM temp.report_scope
WHERE frt_wall IS NOT NULL OR resolution IS NOT NULL
"""
_TOP = """
SELECT customer_id, COUNT(*) AS n, SUM(answered) FROM temp.report_scope
WHERE customer_id IS NOT NULL GROUP BY customer_id ORDER BY n DESC, customer_id LIMIT :top
"""
MMAP_BYTES = 1 << 30  # reports read much of the file: map it rather than copy page by page


def _raw(session: Session) -> sqlite3.Connection:
    raw = session.connection().connection.driver_connection
    assert isinstance(raw, sqlite3.Connection)
    return raw


def _conversation_figures(
    session: Session, f: ReportFilter, now: datetime
) -> tuple[
    ResponseFigures, SentimentFigures, dict[str, tuple[BreakdownRow, ...]], tuple[TopCustomer, ...]
]:
    scope, params = _conversation_scope(f)
    raw = _raw(session)
    raw.execute(f"PRAGMA mmap_size={MMAP_BYTES}")
    raw.execute("PRAGMA temp_store=MEMORY")  # the scratch table never touches the disk
    raw.execute("DROP TABLE IF EXISTS temp.report_scope")
    raw.execute(_SCOPE.format(scope=scope), params | {"now": _bound(now)})
    try:
        grouped = raw.execute(_GROUPED).fetchall()
        values = raw.execute(_VALUES).fetchall()
        top = raw.execute(_TOP, {"top": TOP_CUSTOMERS}).fetchall()
    finally:
        raw.execute("DROP TABLE IF EXISTS temp.report_scope")
    columns = list(zip(*values, strict=True)) if values else [(), (), (), (), ()]
    wall, business, resolution = ([v for v in col if v is not None] for col in columns[:3])
    pairs = [(b, a) for b, a in zip(columns[3], columns[4], strict=True) if b is not None]
    totals = [sum(int(r[i] or 0) for r in grouped) for i in range(2, 10)]
    n, answered, within, judged, _frt_sum, _frt_n, pending, resolved = totals
    response = ResponseFigures(
        conversations=n,
        answered=answered,
        response_rate=_ratio(answered, n),
        first_response_wall=percentiles(wall),
        first_response_business=percentiles(business),
        within_target=within,
        judged=judged,
        within_target_share=_ratio(within, judged),
        resolved=resolved,
        resolution=percentiles(resolution),
        pending_triage=pending,
    )
    improved = sum(1 for b, a in pairs if a - b > POSITIVE_ABOVE)
    worsened = sum(1 for b, a in pairs if a - b < NEGATIVE_BELOW)
    sentiment = SentimentFigures(
        compared=len(pairs),
        before_mean=sum(b for b, _ in pairs) / len(pairs) if pairs else None,
        after_mean=sum(a for _, a in pairs) / len(pairs) if pairs else None,
        improved=improved,
        unchanged=len(pairs) - improved - worsened,
        worsened=worsened,
    )
    names = {r[0]: r[1] for r in session.execute(text("SELECT id, name FROM agents"))}
    # Grouped by account and colleague only: an account belongs to one brand and platform.
    accounts = {
        r[0]: (r[1], r[2], f"{r[1]} · {r[2]} @{r[3]}")
        for r in session.execute(
            text(
                "SELECT a.id, b.name, a.platform, a.handle FROM accounts a"
                " JOIN brands b ON b.id = a.brand_id"
            )
        )
    }
    unknown = ("?", "?", "?")
    breakdowns = {
        "platform": _breakdown(grouped, lambda r: accounts.get(r[0], unknown)[1]),
        "colleague": _breakdown(
            grouped, lambda r: names.get(r[1], "Unassigned") if r[1] else "Unassigned"
        ),
        "brand": _breakdown(grouped, lambda r: accounts.get(r[0], unknown)[0]),
        "account": _breakdown(grouped, lambda r: accounts.get(r[0], unknown)[2]),
    }
    who = {
        r[0]: r[1]
        for r in session.execute(
            text(
                "SELECT id, COALESCE(name, '') FROM customers"
                " WHERE id IN (SELECT value FROM json_each(:ids))"
            ),
            {"ids": json.dumps([r[0] for r in top])},
        )
    }
    customers = tuple(
        TopCustomer(int(r[0]), who[r[0]], int(r[1]), int(r[2] or 0)) for r in top if r[0] in who
    )
    return response, sentiment, breakdowns, customers


def _breakdown(grouped: Sequence[Any], key: Any) -> tuple[BreakdownRow, ...]:
    acc: dict[str, list[float]] = defaultdict(lambda: [0, 0, 0, 0, 0.0, 0])
    for r in grouped:
        row = acc[key(r)]
        for i, value in enumerate((r[2], r[3], r[4], r[5], r[6], r[7])):
            row[i] += value or 0
    rows = [
        BreakdownRow(
            key=k,
            conversations=int(v[0]),
            answered=int(v[1]),
            within_target=int(v[2]),
            judged=int(v[3]),
            mean_first_response_business=v[4] / v[5] if v[5] else None,
        )
        for k, v in acc.items()
    ]
    return tuple(sorted(rows, key=lambda r: (-r.conversations, r.key)))


# -- the public entry points ---------------------------------------------------------------------
def report(session: Session, f: ReportFilter, now: datetime | None = None) -> Report:
    """Every figure of the reports window for one filter, from one read session."""
    now = now or datetime.now(UTC)
    zones = _account_zones(session)
    posts, posts_by_day = _posts(session, f)
    inbound, replies, days, heat = _message_counts(_hourly(session, f, zones), posts_by_day)
    response, sentiment, breakdowns, top = _conversation_figures(session, f, now)
    return Report(
        filter=f,
        inbound=inbound,
        replies_sent=replies,
        response=response,
        sentiment=sentiment,
        days=days,
        heat=heat,
        top_customers=top,
        posts=posts,
        by_platform=breakdowns["platform"],
        by_colleague=breakdowns["colleague"],
        by_brand=breakdowns["brand"],
        by_account=breakdowns["account"],
    )


def options(session: Session) -> ReportOptions:
    """What the filter bar offers, and the span of the data."""
    brands = tuple(
        Choice(r[0], r[1])
        for r in session.execute(text("SELECT id, name FROM brands ORDER BY name"))
    )
    accounts = tuple(
        Choice(r[0], f"{r[1]} · {r[2]} @{r[3]}")
        for r in session.execute(
            text(
                "SELECT a.id, b.name, a.platform, a.handle FROM accounts a "
                "JOIN brands b ON b.id = a.brand_id ORDER BY b.name, a.platform, a.handle"
            )
        )
    )
    platforms = tuple(
        Platform(p)
        for p in session.execute(text("SELECT DISTINCT platform FROM accounts")).scalars()
        if p in Platform._value2member_map_
    )
    colleagues = tuple(
        Choice(r[0], r[1])
        for r in session.execute(text("SELECT id, name FROM agents ORDER BY is_me DESC, name"))
    )
    # Two statements: SQLite answers a lone MIN() or MAX() from the index's end (1M rows:
    # microseconds); both in one SELECT scan the table.
    first = session.execute(text("SELECT MIN(first_inbound_at) FROM conversations")).scalar()
    last = session.execute(text("SELECT MAX(last_message_at) FROM conversations")).scalar()
    return ReportOptions(
        brands,
        accounts,
        tuple(sorted(platforms, key=list(Platform).index)),
        colleagues,
        _parse(first).date() if first else None,
        _parse(last).date() if last else None,
    )


def default_range(session: Session, days: int = 30) -> tuple[datetime, datetime]:
    """The latest `days` days with activity: up to the newest message (or today)."""
    last = session.execute(text("SELECT MAX(last_message_at) FROM conversations")).scalar()
    end_day = (_parse(last).date() if last else datetime.now(UTC).date()) + timedelta(days=1)
    end = datetime.combine(end_day, datetime.min.time(), tzinfo=UTC)
    return end - timedelta(days=days), end
