"""The customer traffic generator: seeded, varied, and really posting through the sims."""

from __future__ import annotations

import random
import time

import httpx

from desktop.sandbox.admin_client import AdminClient
from desktop.sandbox.server import SandboxServer
from desktop.sandbox.sims.mastodon import MastodonSim
from desktop.sandbox.state import Sandbox
from desktop.sandbox.traffic import TrafficGenerator, generate_customer, generate_text


def test_text_is_seeded_and_varied() -> None:
    first = [generate_text(random.Random(3)) for _ in range(3)]
    assert first == [generate_text(random.Random(3)) for _ in range(3)]
    rng = random.Random(9)
    texts = [generate_text(rng) for _ in range(300)]
    assert len(set(texts)) > 150
    assert any("?" in t for t in texts) and any("!" in t for t in texts)
    assert any(not t.isascii() for t in texts)  # emoji and other scripts
    assert any("Bestellung" in t for t in texts) and any("注文" in t for t in texts)
    assert all("{" not in t for t in texts)  # every placeholder filled


def test_customers_have_handles_and_a_long_tail_of_followers() -> None:
    rng = random.Random(1)
    customers = [generate_customer(rng) for _ in range(500)]
    assert all(c.handle.isascii() and c.handle for c in customers)
    followers = sorted(c.followers for c in customers)
    assert followers[len(followers) // 2] < 200 < followers[-1]


def test_post_one_goes_through_a_sim(server: SandboxServer, admin: AdminClient) -> None:
    sandbox: Sandbox = server.sandbox
    generator = TrafficGenerator(sandbox, seed=4)
    sim = sandbox.sims["mastodon"]
    assert isinstance(sim, MastodonSim)
    posted = [p for p in (generator.post_one() for _ in range(20)) if p]
    mastodon = [p for p in posted if p["platform"] == "mastodon"]
    assert mastodon, "with every platform's sim present some posts go to Mastodon"
    assert all(p["id"] in sim.statuses for p in mastodon)
    assert generator.posted == len(posted)


def test_rate_switch_at_run_time(server: SandboxServer, admin: AdminClient) -> None:
    generator: TrafficGenerator = server.sandbox.extras["traffic"]
    before = generator.posted
    admin.set_traffic(3000)  # 50 a second
    deadline = time.monotonic() + 5
    while generator.posted < before + 5 and time.monotonic() < deadline:
        time.sleep(0.05)
    admin.set_traffic(0)
    assert generator.posted >= before + 5
    time.sleep(0.3)  # a post already in flight when the rate changed may still land
    stopped = generator.posted
    time.sleep(0.3)
    assert generator.posted == stopped


def test_customer_follows_up_on_a_brand_reply(server: SandboxServer, admin: AdminClient) -> None:
    generator = TrafficGenerator(server.sandbox, seed=8)
    assert generator.follow_up() is None  # nothing answered yet
    post = None
    while post is None or post["platform"] != "mastodon" or post["kind"] != "mention":
        post = generator.post_one()
    token = next(a["access_token"] for a in admin.accounts("mastodon")
                 if a["handle"] == post["account"])
    sim = server.sandbox.sims["mastodon"]
    assert isinstance(sim, MastodonSim)
    customer = sim.statuses[post["id"]].account_id
    reply = httpx.post(f"{server.base_url}/mastodon/api/v1/statuses",
                       headers={"Authorization": f"Bearer {token}"},
                       data={"status": "We are on it", "in_reply_to_id": post["id"]}).json()
    follow_up = generator.follow_up()
    assert follow_up is not None
    assert (follow_up["in_reply_to"], follow_up["thread_id"]) == (reply["id"], post["thread_id"])
    assert sim.statuses[follow_up["id"]].account_id == customer
    assert generator.follow_up() is None  # one follow-up per brand reply
