"""Full-text search with the syntax mail users guess.

    refund "never arrived" from:jane platform:bluesky brand:acme is:unread status:open

Words and "phrases" go to FTS5 (each word also matches as a prefix, for type-ahead) over
message text, customers' names and handles, and notes;
`key:value` terms become SQL filters. Results are newest first; only a bounded candidate
set (the newest matches) is ranked, so a common word over 1M messages stays fast.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

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
    # what matched: "message" (its text), "customer" (name or handle), "note"
    kind: str = "message"


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


def _filters(q: Query, params: dict[str, object]) -> tuple[list[str], list[str]]:
    """SQL conditions for the key:value terms: (for message hits, for conversation hits).

    Message hits filter `from:` on the message's author; conversation hits (a matching
    customer or note) on the conversation's customer having that handle.
    """
    common: list[str] = []
    f = q.filters
    if "platform" in f:
        common.append("c.platform = :platform")
        params["platform"] = f["platform"]
    if "brand" in f:
        common.append("c.brand_id IN (SELECT id FROM brands WHERE lower(name) LIKE :brand)")
        params["brand"] = f"{f['brand'].lower()}%"
    if "status" in f:
        common.append("c.status = :status")
        params["status"] = f["status"]
    if f.get("is") == "unread":
        common.append("c.unread = 1")
    elif f.get("is") in ("needs-reply", "needs_reply"):
        common.append("c.last_direction = 'in' AND c.status IN ('open', 'pending')")
    elif "is" in f:
        raise UserError(f"unknown is:{f['is']} (try is:unread or is:needs-reply)")
    if "assignee" in f:
        common.append("c.assignee_id IN (SELECT id FROM agents WHERE lower(name) LIKE :assignee)")
        params["assignee"] = f"{f['assignee'].lower()}%"
    if "tag" in f:
        common.append(
            "c.id IN (SELECT ct.conversation_id FROM conversation_tags ct"
            " JOIN tags t ON t.id = ct.tag_id WHERE t.name = :tag)"
        )
        params["tag"] = f["tag"]
    by_message = ["1 = 1", *common]
    by_conversation = ["1 = 1", *common]
    if "from" in f:
        # Candidates from the handle index, then the exact test: no scan of every identity.
        handles = (
            "SELECT i.id FROM identities_fts JOIN identities i ON i.id = identities_fts.rowid"
            " WHERE identities_fts MATCH :handle_fts"
            " AND (lower(i.handle) = :handle OR lower(i.handle) LIKE :handle_at)"
        )
        by_message.append(f"m.author_identity_id IN ({handles})")
        by_conversation.append(
            f"c.customer_id IN (SELECT customer_id FROM identities WHERE id IN ({handles}))"
        )
        handle = f["from"].lower().lstrip("@")
        params.update(
            handle=handle, handle_at=f"{handle}@%", handle_fts=f'handle : "{_quote(handle)}"'
        )
    return by_message, by_conversation


def _hit(r: Any, kind: str) -> SearchHit:
    created = r[3]
    return SearchHit(
        message_id=r[0],
        conversation_id=r[1],
        snippet=r[2] or "",
        created_at=from_db(
            datetime.fromisoformat(created) if isinstance(created, str) else created
        ),
        platform=Platform(r[4]),
        kind=kind,
    )


def search(session: Session, query: str, limit: int = 50) -> list[SearchHit]:
    """Messages whose text matches, and conversations whose customer (name or a handle) or
    notes match; newest first. A conversation found through its customer or a note is
    dated by its last message and shows what matched as its snippet."""
    q = parse(query)
    params: dict[str, object] = {"limit": limit, "candidates": CANDIDATES}
    by_message, by_conversation = _filters(q, params)
    match = q.fts()
    if not match:
        sql = f"""
        SELECT m.id, m.conversation_id, substr(m.text, 1, 120), m.created_at, c.platform
        FROM messages m JOIN conversations c ON c.id = m.conversation_id
        WHERE {" AND ".join(by_message)}
        ORDER BY m.created_at DESC LIMIT :limit"""
        return [_hit(r, "message") for r in session.execute(text(sql), params)]
    params["match"] = match
    # Newest candidates first (rowid order follows ingest order), then filter and sort.
    messages = f"""
    WITH hits AS (
      SELECT rowid AS id, snippet(messages_fts, 0, '[', ']', '…', 12) AS snip
      FROM messages_fts WHERE messages_fts MATCH :match
      ORDER BY rowid DESC LIMIT :candidates)
    SELECT m.id, m.conversation_id, hits.snip, m.created_at, c.platform
    FROM hits JOIN messages m ON m.id = hits.id
    JOIN conversations c ON c.id = m.conversation_id
    WHERE {" AND ".join(by_message)}
    ORDER BY m.created_at DESC LIMIT :limit"""
    hits = [_hit(r, "message") for r in session.execute(text(messages), params)]
    # Conversations of a customer whose name or one of whose handles matches every word.
    people = f"""
    WITH who AS (
      SELECT rowid AS customer_id, highlight(customers_fts, 0, '[', ']') AS label
      FROM customers_fts WHERE customers_fts MATCH :match
      UNION ALL
      SELECT i.customer_id, highlight(identities_fts, 1, '[', ']') || ' (@'
             || highlight(identities_fts, 0, '[', ']') || ')'
      FROM identities_fts JOIN identities i ON i.id = identities_fts.rowid
      WHERE identities_fts MATCH :match LIMIT :candidates),
    best AS (SELECT customer_id, min(label) AS label FROM who GROUP BY customer_id)
    SELECT (SELECT max(m.id) FROM messages m WHERE m.conversation_id = c.id), c.id,
           'Customer: ' || best.label, c.last_message_at, c.platform
    FROM best JOIN conversations c ON c.customer_id = best.customer_id
    WHERE {" AND ".join(by_conversation)}
    ORDER BY c.last_message_at DESC LIMIT :limit"""
    hits += [_hit(r, "customer") for r in session.execute(text(people), params)]
    # Conversations with a matching note, or whose customer has one.
    notes = f"""
    WITH found AS (
      SELECT n.conversation_id, n.customer_id,
             snippet(notes_fts, 0, '[', ']', '…', 12) AS snip, n.created_at
      FROM notes_fts JOIN notes n ON n.id = notes_fts.rowid
      WHERE notes_fts MATCH :match ORDER BY notes_fts.rowid DESC LIMIT :candidates)
    SELECT (SELECT max(m.id) FROM messages m WHERE m.conversation_id = c.id), c.id,
           'Note: ' || found.snip, c.last_message_at, c.platform
    FROM found JOIN conversations c
      ON c.id = found.conversation_id
      OR (found.conversation_id IS NULL AND c.customer_id = found.customer_id)
    WHERE {" AND ".join(by_conversation)}
    ORDER BY c.last_message_at DESC LIMIT :limit"""
    hits += [_hit(r, "note") for r in session.execute(text(notes), params)]
    return _merge(hits, limit)


def _merge(hits: list[SearchHit], limit: int) -> list[SearchHit]:
    """Newest first; a conversation found by its customer or a note once, and not again
    when one of its messages matched already (the message snippet says more)."""
    minimum = datetime.min.replace(tzinfo=UTC)
    hits.sort(key=lambda h: h.created_at or minimum, reverse=True)
    with_message = {h.conversation_id for h in hits if h.kind == "message"}
    seen: set[int] = set()
    out: list[SearchHit] = []
    for h in hits:
        if h.kind != "message":
            if h.conversation_id in with_message or h.conversation_id in seen:
                continue
            seen.add(h.conversation_id)
        out.append(h)
        if len(out) == limit:
            break
    return out
