"""Every report figure on a small hand-built workspace, answers worked out by hand.

The week of 23-31 March 2026 includes a weekend and Berlin's switch to summer time (Sunday
29 March). Brand Acme: Europe/Berlin, 1 h target, Mon-Fri 09:00-17:00. Brand Globex: UTC,
30 min target, always open. Range [23 March, 1 April) UTC; "now" is 1 April 00:00 UTC.

  A  Acme/mastodon public  cust 1  in Fri 27 15:30Z (16:30 CET), reply Mon 30 07:20Z
                                   (09:20 CEST), in Mon 30 08:00Z (10:00 CEST)
     first response: wall 63 h 50 min = 229800 s; business 30 + 20 min = 3000 s (met)
  B  Acme/mastodon public  cust 2  in Wed 25 09:00Z, reply 11:00Z: 7200 s both (missed);
                                   assigned to Tom
  D  Acme/mastodon DM      cust 1  in Thu 26 14:00Z, never answered: due 15:00Z (overdue)
  E  Globex/x public       cust 4  in Sat 28 10:00Z, reply 10:20Z: 1200 s both (met);
                                   resolved at 12:00Z: resolution 7200 s
  F  Acme/mastodon comments        own post Tue 24 08:00Z (the thread's root; 3 replies,
                                   2 reposts, 10 likes),
                           cust 3  comment 09:00Z, never answered: due 10:00Z (overdue)
  G  Acme/mastodon public  cust 2  in 10 March: outside the range
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from desktop.domain.enums import ConversationKind, ConversationStatus, Direction, Platform
from desktop.domain.inbound import InboundItem, ProfileInfo
from desktop.domain.triage import sentiment
from desktop.domain.triage.business_hours import BusinessHours
from desktop.domain.triage.targets import ResponseTarget
from desktop.store import Store, accounts, conversations, reports, triage
from desktop.store.ingest import ingest
from desktop.store.reports import ReportFilter, percentiles

START = datetime(2026, 3, 23, tzinfo=UTC)
END = NOW = datetime(2026, 4, 1, tzinfo=UTC)
PUBLIC, DM, COMMENTS = (
    ConversationKind.PUBLIC_THREAD,
    ConversationKind.DIRECT_MESSAGE,
    ConversationKind.COMMENT_THREAD,
)
A1 = "My tent arrived broken 😞 terrible"
A2 = "Thanks, that was great! 😍"


def z(day: int, hour: int, minute: int = 0, month: int = 3) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


def person(platform: Platform, n: int) -> ProfileInfo:
    return ProfileInfo(platform, f"{platform.value}-{n}", f"cust{n}", f"Customer {n}")


def msg(
    pid: str,
    thread: str,
    at: datetime,
    body: str = "hello",
    *,
    who: ProfileInfo | None = None,
    kind: ConversationKind = PUBLIC,
    metrics: dict[str, int] | None = None,
) -> InboundItem:
    brand = ProfileInfo(Platform.MASTODON, "brand", "acme")
    return InboundItem(
        platform_id=pid,
        kind=kind,
        thread_key=thread,
        author=who or brand,
        text=body,
        created_at=at,
        direction=Direction.INBOUND if who else Direction.OUTBOUND,
        metrics=metrics or {},
    )


@pytest.fixture
def ids(store: Store) -> dict[str, int]:
    def setup(s):  # type: ignore[no-untyped-def]
        accounts.ensure_me(s, "Alex")
        tom = accounts.add_agent(s, "Tom")
        acme = accounts.ensure_brand(s, "Acme")
        globex = accounts.ensure_brand(s, "Globex")
        office = ResponseTarget(timedelta(hours=1), BusinessHours.weekdays("Europe/Berlin"))
        triage.set_target(s, acme.id, office)
        triage.set_target(
            s, globex.id, ResponseTarget(timedelta(minutes=30), BusinessHours.always())
        )
        masto = accounts.add_account(
            s, brand_id=acme.id, platform=Platform.MASTODON, handle="acme", base_url="http://x"
        )
        x = accounts.add_account(
            s, brand_id=globex.id, platform=Platform.X, handle="globex", base_url="http://x"
        )
        return {"tom": tom.id, "acme": acme.id, "globex": globex.id, "masto": masto.id, "x": x.id}

    made = store.run_sync(setup)
    m1, m2, m3 = (person(Platform.MASTODON, n) for n in (1, 2, 3))
    x4 = person(Platform.X, 4)
    pages: list[tuple[int, list[InboundItem], datetime]] = [
        (made["masto"], [msg("g1", "G", z(10, 9), who=m2)], z(10, 9)),
        (
            made["masto"],
            [
                msg(
                    "F",
                    "F",
                    z(24, 8),
                    "Our spring sale",
                    kind=COMMENTS,
                    metrics={"replies": 3, "reposts": 2, "likes": 10},
                )
            ],
            z(24, 8),
        ),
        (made["masto"], [msg("f1", "F", z(24, 9), "Nice", who=m3, kind=COMMENTS)], z(24, 9)),
        (made["masto"], [msg("b1", "B", z(25, 9), "Where is my order?", who=m2)], z(25, 9)),
        (made["masto"], [msg("b2", "B", z(25, 11), "On its way")], z(25, 11)),
        (made["masto"], [msg("d1", "D", z(26, 14), "hello?", who=m1, kind=DM)], z(26, 14)),
        (made["masto"], [msg("a1", "A", z(27, 15, 30), A1, who=m1)], z(27, 15, 30)),
        (made["x"], [msg("e1", "E", z(28, 10), "I want a refund", who=x4)], z(28, 10)),
        (made["x"], [msg("e2", "E", z(28, 10, 20), "Done")], z(28, 10, 20)),
        (made["masto"], [msg("a2", "A", z(30, 7, 20), "Sorry! New one on its way")], z(30, 7)),
        (made["masto"], [msg("a3", "A", z(30, 8), A2, who=m1)], z(30, 8)),
    ]
    for account_id, page, at in pages:

        def job(s, account_id=account_id, page=page, at=at):  # type: ignore[no-untyped-def]
            result = ingest(s, account_id, page)
            triage.recompute_for_conversations(s, result.conversation_ids, at)

        store.run_sync(job)

    def finish(s):  # type: ignore[no-untyped-def]
        from sqlalchemy import text

        conv = {k: v for k, v in s.execute(text("SELECT platform_root_id, id FROM conversations"))}
        conversations.set_status(s, conv["E"], ConversationStatus.RESOLVED)
        triage.recompute_for_conversations(s, [conv["E"]], z(28, 12))
        s.execute(
            text("UPDATE conversations SET assignee_id = :t WHERE id = :b"),
            {"t": made["tom"], "b": conv["B"]},
        )
        return conv

    return made | store.run_sync(finish)


def run(store: Store, **filters: object) -> reports.Report:
    with store.reader() as s:
        return reports.report(s, ReportFilter(START, END, **filters), NOW)  # type: ignore[arg-type]


def test_volume_and_replies_exclude_own_posts_and_other_dates(store: Store, ids: dict) -> None:  # type: ignore[type-arg]
    r = run(store)
    assert r.inbound == 6  # A twice, B, D, E, F; G is outside
    assert r.replies_sent == 3  # A, B, E; the own post F is not a reply


def test_response_rate_and_first_response_times(store: Store, ids: dict) -> None:  # type: ignore[type-arg]
    resp = run(store).response
    assert (resp.conversations, resp.answered) == (5, 3)
    assert resp.response_rate == pytest.approx(0.6)
    # Wall clock [1200, 7200, 229800]: nearest-rank median 7200, p90 229800.
    assert resp.first_response_wall == reports.Percentiles(3, 7200, 229800)
    # Business hours [1200, 3000, 7200]: A's 63 h over a weekend and a DST change is 50 min.
    assert resp.first_response_business == reports.Percentiles(3, 1200 + 1800, 7200)
    assert resp.pending_triage == 0


def test_share_within_target_counts_overdue_unanswered(store: Store, ids: dict) -> None:  # type: ignore[type-arg]
    resp = run(store).response
    # Met: A, E. Missed: B. Unanswered and past due: D, F.
    assert (resp.within_target, resp.judged) == (2, 5)
    assert resp.within_target_share == pytest.approx(0.4)


def test_resolution_time(store: Store, ids: dict) -> None:  # type: ignore[type-arg]
    resp = run(store).response
    assert resp.resolved == 1
    assert resp.resolution == reports.Percentiles(1, 7200, 7200)


def test_sentiment_before_and_after_our_replies(store: Store, ids: dict) -> None:  # type: ignore[type-arg]
    s = run(store).sentiment
    assert s.compared == 1  # only A has customer messages on both sides of our reply
    assert s.before_mean == pytest.approx(sentiment.score(A1))
    assert s.after_mean == pytest.approx(sentiment.score(A2))
    assert s.before_mean < 0 < s.after_mean  # type: ignore[operator]
    assert (s.improved, s.unchanged, s.worsened) == (1, 0, 0)


def test_busiest_hours_are_in_each_brands_local_time(store: Store, ids: dict) -> None:  # type: ignore[type-arg]
    heat = run(store).heat
    cells = {(d, h): n for d, row in enumerate(heat) for h, n in enumerate(row) if n}
    assert cells == {
        (0, 10): 1,  # A's Monday 08:00Z is 10:00 CEST, after the DST change
        (1, 10): 1,  # F's comment, Tuesday 09:00Z = 10:00 CET
        (2, 10): 1,  # B
        (3, 15): 1,  # D
        (4, 16): 1,  # A, Friday 16:30 CET
        (5, 10): 1,  # E, Globex keeps UTC
    }


def test_daily_series(store: Store, ids: dict) -> None:  # type: ignore[type-arg]
    days = {d.day.day: (d.inbound, d.replies) for d in run(store).days}
    assert days == {24: (1, 0), 25: (1, 1), 26: (1, 0), 27: (1, 0), 28: (1, 1), 30: (1, 1)}


def test_top_customers_by_conversations(store: Store, ids: dict) -> None:  # type: ignore[type-arg]
    top = run(store).top_customers
    assert (top[0].name, top[0].conversations, top[0].answered) == ("Customer 1", 2, 1)
    # B's and E's people; F, opened by our post, belongs to no single customer.
    assert sorted(t.conversations for t in top) == [1, 1, 2]


def test_own_post_rates(store: Store, ids: dict) -> None:  # type: ignore[type-arg]
    posts = run(store).posts
    assert (posts.posts, posts.replies, posts.reposts, posts.likes) == (1, 3, 2, 10)
    assert (posts.conversation_rate, posts.amplification_rate, posts.applause_rate) == (3, 2, 10)
    assert run(store, platform=Platform.X).posts.conversation_rate is None


def test_breakdowns_by_platform_and_colleague(store: Store, ids: dict) -> None:  # type: ignore[type-arg]
    r = run(store)
    platforms = {
        b.key: (b.conversations, b.answered, b.within_target, b.judged) for b in r.by_platform
    }
    assert platforms == {"mastodon": (4, 2, 1, 4), "x": (1, 1, 1, 1)}
    colleagues = {b.key: (b.conversations, b.answered) for b in r.by_colleague}
    assert colleagues == {"Unassigned": (4, 2), "Tom": (1, 1)}
    brands = {b.key: (b.conversations, b.answered, b.within_target, b.judged) for b in r.by_brand}
    assert brands == {"Acme": (4, 2, 1, 4), "Globex": (1, 1, 1, 1)}
    accounts = {b.key: (b.conversations, b.answered) for b in r.by_account}
    assert accounts == {"Acme · mastodon @acme": (4, 2), "Globex · x @globex": (1, 1)}
    mastodon = next(b for b in r.by_platform if b.key == "mastodon")
    assert mastodon.mean_first_response_business == (3000 + 7200) / 2


def test_filters_by_brand_platform_account_and_colleague(store: Store, ids: dict) -> None:  # type: ignore[type-arg]
    x = run(store, platform=Platform.X)
    assert (x.inbound, x.replies_sent, x.response.conversations) == (1, 1, 1)
    acme = run(store, brand_id=ids["acme"])
    assert (acme.inbound, acme.replies_sent, acme.response.conversations) == (5, 2, 4)
    assert run(store, account_id=ids["x"]).response.answered == 1
    tom = run(store, agent_id=ids["tom"])
    assert (tom.inbound, tom.replies_sent, tom.response.conversations) == (1, 1, 1)
    assert tom.response.first_response_business.median == 7200


def test_range_edges_are_half_open(store: Store, ids: dict) -> None:  # type: ignore[type-arg]
    with store.reader() as s:
        only_b = reports.report(s, ReportFilter(z(25, 9), z(25, 11)), NOW)
    assert (only_b.inbound, only_b.replies_sent) == (1, 0)  # 09:00 in, 11:00 out excluded


def test_options_and_default_range(store: Store, ids: dict) -> None:  # type: ignore[type-arg]
    with store.reader() as s:
        opts = reports.options(s)
        start, end = reports.default_range(s, days=7)
    assert [b.label for b in opts.brands] == ["Acme", "Globex"]
    assert opts.platforms == (Platform.MASTODON, Platform.X)
    assert [c.label for c in opts.colleagues] == ["Alex", "Tom"]
    assert (end - start, end) == (timedelta(days=7), z(31, 0))


def test_percentiles_nearest_rank() -> None:
    assert percentiles([]) == reports.Percentiles(0, None, None)
    assert percentiles(list(range(1, 11))) == reports.Percentiles(10, 5, 9)
    assert percentiles([5.0]) == reports.Percentiles(1, 5.0, 5.0)
