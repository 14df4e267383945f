"""The customers: posts mentions, comments, replies and DMs at a configurable rate.

About a third of the posts are follow-ups: a customer answering the brand's reply to them,
in the same thread or DM conversation, so conversations grow the way real ones do.

Text is assembled from care-desk phrasings (questions, complaints, praise) in a few languages
with emoji, so the inbox, search and priority rules see something like real traffic. Seeded:
the same seed gives the same customers and the same words in the same order.
"""

from __future__ import annotations

import asyncio
import logging
import random
from typing import Any

from desktop.sandbox.state import Sandbox
from desktop.sandbox.world import CustomerSpec

log = logging.getLogger(__name__)

# What a customer can do on each platform (an unknown platform gets mention + dm).
KINDS_BY_PLATFORM: dict[str, tuple[str, ...]] = {
    "mastodon": ("mention", "mention", "reply", "dm"),
    "bluesky": ("mention", "mention", "reply", "dm"),
    "x": ("mention", "mention", "reply", "dm"),
    "facebook": ("comment", "comment", "dm"),
    "instagram": ("comment", "comment", "dm"),
}

TEXTS: dict[str, dict[str, tuple[str, ...]]] = {
    "en": {
        "question": (
            "Hi! Does the {product} ship to {place}? 🤔",
            "Quick question: is there a student discount on the {product}?",
            "How do I reset my password? The link in the email has expired.",
            "When will the {product} be back in stock? Been waiting for weeks 🙏",
            "Can I change the delivery address on order #{order}?",
        ),
        "complaint": (
            "Order #{order} still hasn't arrived and nobody answers my emails 😡",
            "Your app crashes every time I open the {product} page. Fix it please!",
            "Charged twice for order #{order}. I want a refund NOW.",
            "Third time I'm asking: where is my {product}?! 💢",
            "The {product} broke after two days. Really disappointed.",
        ),
        "praise": (
            "Just got my {product} and I love it ❤️ thanks team!",
            "Shout-out to your support, sorted my issue in 5 minutes 👏",
            "The new {product} is amazing 🔥 best purchase this year",
        ),
    },
    "de": {
        "question": ("Hallo! Liefert ihr den {product} auch nach {place}?",
                     "Wie kann ich meine Bestellung #{order} stornieren?"),
        "complaint": ("Bestellung #{order} ist seit zwei Wochen unterwegs. Was ist da los? 😤",),
        "praise": ("Super Service, danke! 🙌",),
    },
    "fr": {
        "question": ("Bonjour, le {product} est-il disponible à {place} ?",),
        "complaint": ("Toujours pas reçu ma commande #{order}… c'est inadmissible 😠",),
        "praise": ("Merci pour la réponse rapide, top ! ✨",),
    },
    "es": {
        "question": ("¿Hacéis envíos a {place}? Me interesa el {product} 😊",),
        "complaint": ("Mi pedido #{order} llegó roto. ¿Qué hago ahora?",),
        "praise": ("¡Me encanta el {product}! 💯",),
    },
    "ja": {
        "question": ("{product}は{place}に発送できますか？",),
        "complaint": ("注文#{order}がまだ届きません😢",),
        "praise": ("{product}最高です！ありがとうございます🎉",),
    },
}
FOLLOW_UPS = (
    "Thanks, that helped! 🙏", "Still waiting… any news?", "That didn't work 😕",
    "Great, order number is #{order}.", "Ok, I sent you the details.", "Merci !",
    "Danke, alles klar 👍", "Perfect, thanks for the quick answer!",
)
FOLLOW_UP_SHARE = 0.3  # of posts that answer a brand reply instead of starting anew
MEMORY = 2000  # recent customer posts remembered for follow-ups

LANGUAGE_WEIGHTS = {"en": 70, "de": 10, "fr": 8, "es": 8, "ja": 4}
MOOD_WEIGHTS = {"question": 50, "complaint": 30, "praise": 20}
PRODUCTS = ("Rocket Skates", "Anvil Pro", "Tornado Kit", "Giant Magnet", "Jet Bike")
PLACES = ("Berlin", "Lisbon", "Osaka", "Montréal", "Nairobi", "Leeds")
FIRST = ("Ana", "Ben", "Chloé", "Dmitri", "Emeka", "Fatima", "Giulia", "Hiro", "Ines", "Jonas",
         "Kemal", "Lena", "Mateo", "Nora", "Olu", "Priya", "Quentin", "Rosa", "Sven", "Yuki")
LAST = ("García", "Müller", "Okafor", "Rossi", "Tanaka", "Dubois", "Silva", "Kowalski", "Ng")


def generate_text(rng: random.Random) -> str:
    """One customer message: a language, a mood, a template, filled in."""
    language = rng.choices(list(LANGUAGE_WEIGHTS), weights=list(LANGUAGE_WEIGHTS.values()))[0]
    moods = TEXTS[language]
    mood = rng.choices(list(moods), weights=[MOOD_WEIGHTS[m] for m in moods])[0]
    template = rng.choice(moods[mood])
    return template.format(product=rng.choice(PRODUCTS), place=rng.choice(PLACES),
                           order=rng.randint(10000, 99999))


def generate_customer(rng: random.Random) -> CustomerSpec:
    first, last = rng.choice(FIRST), rng.choice(LAST)
    handle = f"{first.lower()}{rng.randint(1, 999)}".encode("ascii", "ignore").decode()
    followers = int(rng.paretovariate(1.2) * 40)  # a few influencers, many small accounts
    return CustomerSpec(handle=handle, display_name=f"{first} {last}", followers=followers)


class TrafficGenerator:
    """Injects customer posts through the sims at `rate_per_min` (Poisson arrivals)."""

    def __init__(self, sandbox: Sandbox, rate_per_min: float = 0.0, seed: int | None = None
                 ) -> None:
        self.sandbox = sandbox
        self.rate_per_min = max(0.0, rate_per_min)
        self.rng = random.Random(sandbox.world.seed if seed is None else seed)
        self.posted = 0
        self._wake = asyncio.Event()
        # (platform, post id) -> (brand handle, customer) for follow-ups
        self._asked: dict[tuple[str, str], tuple[str, CustomerSpec]] = {}
        self._followed: set[tuple[str, str]] = set()

    def set_rate(self, rate_per_min: float) -> None:
        self.rate_per_min = max(0.0, rate_per_min)
        self._wake.set()

    def post_one(self) -> dict[str, Any] | None:
        """One customer post: sometimes a follow-up to a brand reply, else a new post on a
        random platform/brand; None if no sim can take it."""
        if self.rng.random() < FOLLOW_UP_SHARE:
            follow_up = self.follow_up()
            if follow_up is not None:
                return follow_up
        platforms = sorted(self.sandbox.sims)
        if not platforms:
            return None
        platform = self.rng.choice(platforms)
        sim = self.sandbox.sims[platform]
        accounts = sim.brand_accounts()
        if not accounts:
            return None
        account = str(self.rng.choice(accounts)["handle"])
        kind = self.rng.choice(KINDS_BY_PLATFORM.get(platform, ("mention", "dm")))
        text = generate_text(self.rng)
        customer = generate_customer(self.rng)
        try:
            item = sim.inject(account, kind, text, customer, None)
        except (KeyError, ValueError) as exc:
            log.debug("traffic: %s cannot take a %s: %s", platform, kind, exc)
            return None
        self._remember(platform, str(item.get("id")), account, customer)
        self.posted += 1
        return {"platform": platform, "account": account, "kind": kind, **item}

    def _remember(self, platform: str, item_id: str, account: str,
                  customer: CustomerSpec) -> None:
        if len(self._asked) >= MEMORY:
            self._asked.pop(next(iter(self._asked)))
        self._asked[(platform, item_id)] = (account, customer)

    def follow_up(self) -> dict[str, Any] | None:
        """The customer answers the newest brand reply to one of their posts, in the same
        thread (a reply, or a DM in the same conversation)."""
        with self.sandbox.world.lock:
            recent = list(self.sandbox.world.created[-200:])
        for record in reversed(recent):
            key = (record.platform, record.id)
            asked = self._asked.get((record.platform, str(record.in_reply_to)))
            if asked is None or key in self._followed:
                continue
            sim = self.sandbox.sims.get(record.platform)
            if sim is None:
                continue
            self._followed.add(key)
            account, customer = asked
            kind = "dm" if record.kind == "dm" else "reply"
            text = self.rng.choice(FOLLOW_UPS).format(order=self.rng.randint(10000, 99999))
            try:
                item = sim.inject(account, kind, text, customer, record.id)
            except (KeyError, ValueError) as exc:
                log.debug("traffic: %s follow-up refused: %s", record.platform, exc)
                continue
            self._remember(record.platform, str(item.get("id")), account, customer)
            self.posted += 1
            return {"platform": record.platform, "account": account, "kind": kind,
                    "in_reply_to": record.id, **item}
        return None

    async def run(self) -> None:
        """Post until cancelled; a rate of 0 idles until `set_rate` wakes it."""
        while True:
            if self.rate_per_min <= 0:
                self._wake.clear()
                await self._wake.wait()
                continue
            delay = self.rng.expovariate(self.rate_per_min / 60.0)
            self._wake.clear()
            try:
                async with asyncio.timeout(delay):
                    await self._wake.wait()
                continue  # the rate changed: draw a new delay
            except TimeoutError:
                pass
            try:
                self.post_one()
            except Exception:  # one bad sim must not stop the customers
                log.exception("traffic: post failed")
