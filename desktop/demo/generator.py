"""A generated workspace for benchmarks and demos: brands, accounts on all five platforms,
agents, customers with identities on several platforms, threads with back-and-forth, notes,
a handoff, canned responses and tags, in realistic customer-care language. Seeded and
deterministic; bulk inserts through one writer transaction per chunk, so 1M messages take
minutes, not hours.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from desktop.domain.enums import Platform
from desktop.store import Store, accounts
from desktop.store.ingest import refresh_aggregates

BRANDS = ("Acme Outdoor", "Globex Mobile", "Initech Coffee")
COLLEAGUES = ("Priya Shah", "Tom Becker", "Lucía Gómez")
FIRST = (
    "Jane",
    "Omar",
    "Mia",
    "Lukas",
    "Chloé",
    "Kenji",
    "Ana",
    "Sam",
    "Noor",
    "Piotr",
    "Léa",
    "Ravi",
    "Emma",
    "Jonas",
    "Sofia",
    "Malik",
    "Yuki",
    "Elif",
    "Ben",
    "Zoe",
)
LAST = ("Doe", "Khan", "Müller", "Martin", "Rossi", "Sato", "Silva", "Nowak", "Smith", "Haddad")
INBOUND = (
    "Hi, my order {order} still hasn't arrived — any update?",
    "Is the {product} back in stock soon?",
    "I was charged twice for order {order}. I want a refund.",
    "The {product} broke after two days 😡 This is unacceptable.",
    "Love the new {product}! 😍 Great job team",
    "How do I cancel my subscription?",
    "Can I change the delivery address for {order}?",
    "Your app keeps crashing when I open my account",
    "Hallo, meine Bestellung {order} ist noch nicht da. Können Sie helfen?",
    "Bonjour, le {product} est-il disponible en bleu ?",
    "¡Hola! ¿Hacen envíos a México? 🇲🇽",
    "Thanks for the quick help yesterday 🙏",
    "Still waiting for an answer on my refund…",
    "Is there a student discount?",
    "My parcel says delivered but it's not here 📦",
)
OUTBOUND = (
    "Hi {name}, sorry about that! Could you DM us your order number?",
    "Thanks {name}! We've passed this on to the team 💙",
    "Hi {name}, the refund is on its way — expect it in 3–5 days.",
    "Good news {name}: it's back in stock next week.",
    "Sorry for the trouble {name}. A replacement is on its way.",
)
PRODUCTS = ("rain jacket", "trail shoes", "phone case", "espresso grinder", "tent", "charger")
CANNED = (
    (
        "Order status",
        "order",
        "Hi {customer.first_name|there}, could you DM us your order number so we can check on it?",
    ),
    (
        "Refund started",
        "refund",
        "Hi {customer.first_name|there}, we've started your refund; it "
        "shows up in 3–5 business days. — {agent.name}, {brand.name}",
    ),
    ("Thanks!", "thanks", "Thank you {customer.first_name|so much}! 💙"),
)
TAGS = ("billing", "shipping", "bug", "praise", "vip")


def generate(
    store: Store,
    messages: int,
    seed: int = 1,
    progress: Callable[[int, int], None] | None = None,
    now: datetime | None = None,
) -> dict[str, int]:
    """Fill `store` with about `messages` messages. Returns counts of what was made.
    History ends at `now` (default a fixed day, so benchmarks are reproducible; the live demo
    passes the real time so ages read naturally)."""
    rng = random.Random(seed)
    now = (now or datetime(2026, 11, 1, tzinfo=UTC)).astimezone(UTC).replace(tzinfo=None)
    account_ids = store.run_sync(_setup)
    n_customers = max(4, messages // 8)
    store.run_sync(lambda s: _customers(s, rng, n_customers, now))
    made = 0
    conv_total = 0
    chunk = 50_000
    while made < messages:
        size = min(chunk, messages - made)

        def chunk_job(s: Session, size: int = size, offset: int = made) -> tuple[int, int]:
            return _threads(s, rng, account_ids, n_customers, size, offset, now)

        counts = store.run_sync(chunk_job)
        made += counts[0]
        conv_total += counts[1]
        if progress:
            progress(made, messages)
    store.run_sync(lambda s: _extras(s, rng, now))
    store.run_sync(lambda s: s.connection().exec_driver_sql("ANALYZE"))  # planner statistics
    return {
        "messages": made,
        "conversations": conv_total,
        "customers": n_customers,
        "accounts": len(account_ids),
    }


def _setup(session: Session) -> list[tuple[int, int, str]]:
    accounts.ensure_me(session, "Alex Morgan")
    for name in COLLEAGUES:
        accounts.add_agent(session, name)
    accounts.add_agent(session, "Customer care", team=True)
    out = []
    for brand_name in BRANDS:
        brand = accounts.ensure_brand(session, brand_name, "Europe/Berlin")
        slug = brand_name.split()[0].lower()
        for platform in Platform:
            account = accounts.add_account(
                session,
                brand_id=brand.id,
                platform=platform,
                handle=slug,
                base_url=f"https://{platform.value}.example",
                display_name=brand_name,
            )
            out.append((account.id, brand.id, platform.value))
    return out


def _customers(session: Session, rng: random.Random, n: int, now: datetime) -> None:
    conn = session.connection().connection.driver_connection
    assert conn is not None
    customers = []
    identities = []
    platforms = [p.value for p in Platform]
    for cid in range(1, n + 1):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        customers.append((cid, f"{first} {last}", now))
        # Most people on one platform, some on two or three (merge candidates for the UI).
        for k, platform in enumerate(rng.sample(platforms, rng.choice((1, 1, 1, 2, 3)))):
            handle = f"{first.lower()}{last.lower()}{cid}"
            identities.append(
                (
                    cid * 4 + k,
                    cid,
                    platform,
                    f"{platform}-{cid}",
                    handle,
                    f"{first} {last}",
                    int(rng.paretovariate(1.2) * 50),
                    rng.random() < 0.02,
                )
            )
    conn.executemany("INSERT INTO customers (id, name, created_at) VALUES (?, ?, ?)", customers)
    conn.executemany(
        "INSERT INTO identities (id, customer_id, platform, platform_user_id, handle, "
        "display_name, followers, verified) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        identities,
    )


def _threads(
    session: Session,
    rng: random.Random,
    account_ids: list[tuple[int, int, str]],
    n_customers: int,
    size: int,
    offset: int,
    now: datetime,
) -> tuple[int, int]:
    conn = session.connection().connection.driver_connection
    assert conn is not None
    identity_of = dict(conn.execute("SELECT customer_id || ':' || platform, id FROM identities"))
    convs: list[tuple[Any, ...]] = []
    msgs: list[tuple[Any, ...]] = []
    next_conv = (conn.execute("SELECT COALESCE(MAX(id), 0) FROM conversations").fetchone()[0]) + 1
    kinds = ("public_thread", "public_thread", "comment_thread", "direct_message")
    while len(msgs) < size:
        account_id, brand_id, platform = rng.choice(account_ids)
        customer = rng.randint(1, n_customers)
        identity = identity_of.get(f"{customer}:{platform}")
        if identity is None:
            continue
        kind = rng.choice(kinds)
        started = now - timedelta(minutes=rng.randint(0, 60 * 24 * 365))
        conv_id = next_conv
        next_conv += 1
        convs.append((conv_id, account_id, brand_id, platform, kind, f"root-{conv_id}", customer))
        name = rng.choice(FIRST)
        at = started
        for turn in range(rng.choice((1, 1, 2, 3, 4, 5, 6))):
            inbound = turn % 2 == 0
            template = rng.choice(INBOUND if inbound else OUTBOUND)
            body = template.format(
                order=f"#{rng.randint(1000, 99999)}", product=rng.choice(PRODUCTS), name=name
            )
            msgs.append(
                (
                    conv_id,
                    account_id,
                    f"m{offset + len(msgs)}",
                    "in" if inbound else "out",
                    identity if inbound else None,
                    body,
                    at,
                )
            )
            at += timedelta(minutes=rng.randint(2, 600))
    conn.executemany(
        "INSERT INTO conversations (id, account_id, brand_id, platform, kind, platform_root_id,"
        " customer_id, status, priority, snippet, unread, message_count)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, 'open', 0, '', 1, 0)",
        convs,
    )
    conn.executemany(
        "INSERT INTO messages (conversation_id, account_id, platform_id, direction,"
        " author_identity_id, text, created_at, attachments, metrics)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, '[]', '{}')",
        [(*m[:6], m[6].isoformat(sep=" ")) for m in msgs],
    )
    refresh_aggregates(session, [c[0] for c in convs])
    # A share of older conversations is resolved, as in a real inbox.
    conn.execute(
        "UPDATE conversations SET status = 'resolved', unread = 0 WHERE id >= ? AND "
        "last_direction = 'out' AND abs(random()) % 3 = 0",
        (convs[0][0],),
    )
    return len(msgs), len(convs)


def _extras(session: Session, rng: random.Random, at: datetime) -> None:
    conn = session.connection().connection.driver_connection
    assert conn is not None
    agents = [r[0] for r in conn.execute("SELECT id FROM agents ORDER BY id")]
    me, team = agents[0], agents[-1]
    now = at.isoformat(sep=" ")
    conn.executemany("INSERT INTO tags (name) VALUES (?)", [(t,) for t in TAGS])
    recent = [
        r[0]
        for r in conn.execute(
            "SELECT id FROM conversations ORDER BY last_message_at DESC LIMIT 200"
        )
    ]
    for i, conv in enumerate(recent):
        if i % 5 == 0:
            conn.execute(
                "INSERT OR IGNORE INTO conversation_tags VALUES (?, ?)",
                (conv, rng.randint(1, len(TAGS))),
            )
        if i % 7 == 0:
            conn.execute(
                "INSERT INTO notes (uid, author_id, body, kind, conversation_id, mentions,"
                " created_at) VALUES (?, ?, ?, 'note', ?, '[]', ?)",
                (
                    str(uuid.uuid4()),
                    rng.choice(agents[:-1]),
                    "Customer called the hotline too; refund already approved.",
                    conv,
                    now,
                ),
            )
    for conv, to in ((recent[1], me), (recent[2], team)):
        conn.execute(
            "INSERT INTO notes (uid, author_id, body, kind, conversation_id, handoff_to_id,"
            " mentions, created_at) VALUES (?, ?, ?, 'handoff', ?, ?, '[]', ?)",
            (
                str(uuid.uuid4()),
                agents[1],
                "Handing over: replacement shipped, waiting for the "
                "tracking number. Please confirm with the customer.",
                conv,
                to,
                now,
            ),
        )
        conn.execute("UPDATE conversations SET assignee_id = ? WHERE id = ?", (to, conv))
    conn.executemany(
        "INSERT INTO canned_responses (title, shortcut, body, brand_ids, platforms, usage_count,"
        " position) VALUES (?, ?, ?, '[]', '[]', 0, ?)",
        [(*c, i) for i, c in enumerate(CANNED)],
    )
