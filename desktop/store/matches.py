"""Likely duplicates of a customer (the same person on X and on Instagram): suggestions only.

Never merges: the panel shows each suggestion with its score and the reasons, and the user
confirms (customers.merge). Candidates come from the identities full-text index (0003: a
prefix match on the handle's local part or every word of the display name), so a profile
with a million people still reads a bounded set; rapidfuzz then scores each candidate pair:
token-sorted display names ("Doe, Jane" ~ "Jane Doe") and the handles' local parts with
punctuation and domains removed ("jane_doe@mastodon.social" ~ "jane.doe.bsky.social").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz import fuzz, utils
from sqlalchemy import text
from sqlalchemy.orm import Session

from desktop.domain.enums import Platform
from desktop.domain.models import Identity
from desktop.store import customers

CANDIDATES = 200
THRESHOLD = 72.0
_BSKY_SUFFIX = re.compile(r"\.bsky\.social$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class MatchSuggestion:
    customer_id: int
    name: str
    score: float  # 0..100
    reasons: tuple[str, ...]
    identities: tuple[str, ...]  # "@handle on platform" of the suggested customer


def handle_key(handle: str, platform: Platform | str | None = None) -> str:
    """The comparable part of a handle: no @, no instance domain, no punctuation."""
    h = handle.strip().lstrip("@").lower()
    if "@" in h:
        h = h.split("@", 1)[0]
    elif str(platform) == Platform.BLUESKY.value or _BSKY_SUFFIX.search(h):
        h = _BSKY_SUFFIX.sub("", h).split(".", 1)[0]
    return re.sub(r"[^0-9a-z]", "", h)


def _name_key(name: str) -> str:
    return str(utils.default_process(name))


def score_pair(a: Identity, b: Identity) -> tuple[float, list[str]]:
    """How likely two identities are the same person, and why (pure; rapidfuzz)."""
    reasons: list[str] = []
    name_a, name_b = _name_key(a.display_name), _name_key(b.display_name)
    name = fuzz.token_sort_ratio(name_a, name_b) if name_a and name_b else 0.0
    key_a, key_b = handle_key(a.handle, a.platform), handle_key(b.handle, b.platform)
    handle = fuzz.ratio(key_a, key_b) if key_a and key_b else 0.0
    where = f"{a.platform.value} and {b.platform.value}"
    if name_a and name == 100:
        reasons.append(f"same name “{b.display_name}” on {where}")
    elif name >= 80:
        reasons.append(f"similar name “{a.display_name}” / “{b.display_name}” ({name:.0f}%)")
    if key_a and handle == 100:
        reasons.append(f"same handle “{key_b}” on {where}")
    elif handle >= 80:
        reasons.append(f"similar handle “{key_a}” / “{key_b}” ({handle:.0f}%)")
    score = 0.5 * name + 0.5 * handle
    if a.platform is b.platform:
        # two accounts of one person on one platform happen, but far less often
        score *= 0.85
        reasons.append(f"both on {a.platform.value}")
    return score, reasons


def _fts_query(ident: Identity) -> str | None:
    parts = []
    words = [w for w in re.findall(r"\w+", ident.display_name.lower()) if len(w) > 1]
    if words:
        parts.append("(display_name : (" + " AND ".join(f'"{w}"' for w in words) + "))")
    key = handle_key(ident.handle, ident.platform)
    if len(key) >= 3:
        parts.append(f'(handle : "{key}"*)')
    return " OR ".join(parts) or None


def suggest(session: Session, customer_id: int, limit: int = 5) -> list[MatchSuggestion]:
    """Other customers who are probably this person, best first (scored and explained)."""
    me = customers.get(session, customer_id)
    best: dict[int, tuple[float, list[str]]] = {}
    idents: dict[int, list[Identity]] = {}
    for mine in me.identities:
        query = _fts_query(mine)
        if query is None:
            continue
        rows = session.execute(
            text(
                "SELECT i.id, i.customer_id, i.platform, i.platform_user_id, i.handle,"
                " i.display_name, i.followers, i.verified"
                " FROM identities_fts f JOIN identities i ON i.id = f.rowid"
                " WHERE identities_fts MATCH :q AND i.customer_id != :c"
                " ORDER BY f.rowid DESC LIMIT :n"
            ),
            {"q": query, "c": customer_id, "n": CANDIDATES},
        ).all()
        for r in rows:
            other = Identity(
                id=r[0],
                customer_id=r[1],
                platform=Platform(r[2]),
                platform_user_id=r[3],
                handle=r[4],
                display_name=r[5] or "",
                followers=r[6],
                verified=bool(r[7]),
            )
            idents.setdefault(other.customer_id, [])
            if other.id not in {i.id for i in idents[other.customer_id]}:
                idents[other.customer_id].append(other)
            score, reasons = score_pair(mine, other)
            if score > best.get(other.customer_id, (-1.0, []))[0]:
                best[other.customer_id] = (score, reasons)
    ranked = sorted(
        ((cid, s, r) for cid, (s, r) in best.items() if s >= THRESHOLD),
        key=lambda t: (-t[1], t[0]),
    )[:limit]
    out = []
    for cid, score, reasons in ranked:
        other_customer = customers.get(session, cid)
        out.append(
            MatchSuggestion(
                customer_id=cid,
                name=other_customer.name,
                score=round(score, 1),
                reasons=tuple(reasons),
                identities=tuple(
                    f"@{i.handle} on {i.platform.value}" for i in other_customer.identities
                ),
            )
        )
    return out
