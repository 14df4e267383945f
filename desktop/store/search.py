"""Full-text search with the syntax mail users guess.

    refund "never arrived" from:jane platform:bluesky brand:acme is:unread status:open

Words and "phrases" go to FTS5 (each word also matches as a prefix, for type-ahead);
`key:value` terms become SQL filters. Results are newest first; only a bounded candidate
set (the newest matches) is ranked, so a common word over 1M messages stays fast.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import text
from sqlalchemy.orm import Session

from desktop.domain.enums import ConversationStatus, Platform
from desktop.domain.errors import UserError
from desktop.store.times import from_db

CANDIDATES = 2000


@dataclass(frozen=True, slots=True)
class Query:
    terms: tuple[str, ...] = ()
    phrases: tuple[str, ...] = ()
    filters: dict[str, str] = field(default_factory=dict)

    def fts(self) -> str:
        parts = [f'"{_quote(t)}"*' for t in self.terms]
        parts += [f'"{_quote(p)}"' for p in self.phrases]
        return " AND ".join(parts)


@dataclass(frozen=True, slots=True)
class SearchHit:
    message_id: int
    conversation_id: int
    snippet: str  # with [ and ] around the matched words
    created_at: datetime | None
    platform: Platform


KEYS = {"from", "brand", "platform", "is", "status", "assignee", "tag"}


def _quote(value: str) -> str:
    return value.replace('"', '""')


def parse(query: str) -> Query:
    try:
        tokens = shlex.split(query, posix=True)
    except ValueError as exc:  # an unclosed quote
        raise UserError(f"cannot read the search: {exc}") from exc
    terms: list[str] = []
    phrases: list[str] = []
    filters: dict[str, str] = {}
    raw = query
    for token in tokens:
        key, sep, value = token.partition(":")
        if sep and key.lower() in KEYS and value:
            filters[key.lower()] = value
        elif " " in token or f'"{token}"' in raw:
            phrases.append(token)
        elif token.strip():
            terms.append(token)
    if "platform" in filters and filters["platform"] not in {p.value for p in Platform}:
        raise UserError(f"unknown platform {filters['platform']!r}")
    if "status" in filters and filters["status"] not in {s.value for s in ConversationStatus}:
        raise UserError(f"unknown status {filters['status']!r}")
    return Query(tuple(terms), tuple(phrases), filters)


def search(session: Session, query: str, limit: int = 50) -> list[SearchHit]:
    q = parse(query)
    where = ["1 = 1"]
    params: dict[str, object] = {"limit": limit, "candidates": CANDIDATES}
    f = q.filters
    if "from" in f:
        where.append(
            "m.author_identity_id IN (SELECT id FROM identities WHERE lower(handle) = :handle"
            " OR lower(handle) LIKE :handle_at)"
        )
        handle = f["from"].lower().lstrip("@")
        params.update(handle=handle, handle_at=f"{handle}@%")
    if "platform" in f:
        where.append("c.platform = :platform")
        params["platform"] = f["platform"]
    if "brand" in f:
        where.append("c.brand_id IN (SELECT id FROM brands WHERE lower(name) LIKE :brand)")
        params["brand"] = f"{f['brand'].lower()}%"
    if "status" in f:
        where.append("c.status = :status")
        params["status"] = f["status"]
    if f.get("is") == "unread":
        where.append("c.unread = 1")
    elif f.get("is") in ("needs-reply", "needs_reply"):
        where.append("c.last_direction = 'in' AND c.status IN ('open', 'pending')")
    elif "is" in f:
        raise UserError(f"unknown is:{f['is']} (try is:unread or is:needs-reply)")
    if "assignee" in f:
        where.append("c.assignee_id IN (SELECT id FROM agents WHERE lower(name) LIKE :assignee)")
        params["assignee"] = f"{f['assignee'].lower()}%"
    if "tag" in f:
        where.append(
            "c.id IN (SELECT ct.conversation_id FROM conversation_tags ct"
            " JOIN tags t ON t.id = ct.tag_id WHERE t.name = :tag)"
        )
        params["tag"] = f["tag"]
    match = q.fts()
    if match:
        # Newest candidates first (rowid order follows ingest order), then filter and sort.
        sql = f"""
        WITH hits AS (
          SELECT rowid AS id, snippet(messages_fts, 0, '[', ']', '…', 12) AS snip
          FROM messages_fts WHERE messages_fts MATCH :match
          ORDER BY rowid DESC LIMIT :candidates)
        SELECT m.id, m.conversation_id, hits.snip, m.created_at, c.platform
        FROM hits JOIN messages m ON m.id = hits.id
        JOIN conversations c ON c.id = m.conversation_id
        WHERE {" AND ".join(where)}
        ORDER BY m.created_at DESC LIMIT :limit"""
        params["match"] = match
    else:
        sql = f"""
        SELECT m.id, m.conversation_id, substr(m.text, 1, 120), m.created_at, c.platform
        FROM messages m JOIN conversations c ON c.id = m.conversation_id
        WHERE {" AND ".join(where)}
        ORDER BY m.created_at DESC LIMIT :limit"""
    rows = session.execute(text(sql), params).all()
    return [
        SearchHit(
            message_id=r[0],
            conversation_id=r[1],
            snippet=r[2] or "",
            created_at=from_db(datetime.fromisoformat(r[3]) if isinstance(r[3], str) else r[3]),
            platform=Platform(r[4]),
        )
        for r in rows
    ]
