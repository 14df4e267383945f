"""Batch upsert of inbound items: identities, conversations, messages, aggregates.

Set-based on purpose: a sync page or a 100k-item history goes in as a handful of
executemany statements in one transaction, deduplicated on (account, platform id), so
re-fetching a page after a crash is harmless. The ORM is not used per row (too slow for
the ingest budget of >= 50% of raw executemany).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, func, insert, select, text, update
from sqlalchemy.orm import Session

from desktop.domain.enums import Direction
from desktop.domain.errors import UserError
from desktop.domain.inbound import InboundItem
from desktop.store import changes
from desktop.store.schema import AccountRow, ConversationRow, CustomerRow, IdentityRow, MessageRow
from desktop.store.times import to_db, utcnow

log = logging.getLogger(__name__)
SNIPPET_CHARS = 140
_CHUNK = 500  # keeps IN (...) lists under SQLite's variable limit


@dataclass(frozen=True, slots=True)
class IngestResult:
    new_message_ids: tuple[int, ...]
    conversation_ids: tuple[int, ...]


def _chunks(values: Sequence[str], size: int = _CHUNK) -> list[Sequence[str]]:
    return [values[i : i + size] for i in range(0, len(values), size)]


def upsert_identities(session: Session, items: Sequence[InboundItem]) -> dict[str, int]:
    """(platform user id) -> identity id for inbound authors; a new identity gets a new customer."""
    profiles = {
        i.author.platform_user_id: i.author for i in items if i.direction is Direction.INBOUND
    }
    if not profiles:
        return {}
    platform = next(iter(profiles.values())).platform.value
    table = cast(Table, IdentityRow.__table__)
    found: dict[str, int] = {}
    stale: dict[str, int] = {}
    for chunk in _chunks(list(profiles)):
        current = session.execute(
            select(
                IdentityRow.platform_user_id,
                IdentityRow.id,
                IdentityRow.handle,
                IdentityRow.display_name,
                IdentityRow.followers,
                IdentityRow.verified,
            ).where(IdentityRow.platform == platform, IdentityRow.platform_user_id.in_(chunk))
        )
        for uid, iid, handle, name, followers, verified in current:
            found[uid] = iid
            p = profiles[uid]
            if (handle, name, followers, bool(verified)) != (
                p.handle,
                p.display_name,
                p.followers,
                p.verified,
            ):
                stale[uid] = iid
    if stale:  # refresh the profile fields the platform just told us, where they changed
        session.execute(
            update(table)
            .where(table.c.id == bindparam("_id"))
            .values(
                handle=bindparam("_handle"),
                display_name=bindparam("_name"),
                followers=bindparam("_followers"),
                verified=bindparam("_verified"),
            ),
            [
                {
                    "_id": iid,
                    "_handle": profiles[uid].handle,
                    "_name": profiles[uid].display_name,
                    "_followers": profiles[uid].followers,
                    "_verified": profiles[uid].verified,
                }
                for uid, iid in stale.items()
            ],
        )
    missing = [uid for uid in profiles if uid not in found]
    if missing:
        # Explicit ids: this runs on the single writer thread, so MAX(id)+1 cannot race, and
        # customers and identities go in as two executemany statements instead of 2N.
        now = utcnow()
        base = session.execute(select(func.coalesce(func.max(CustomerRow.id), 0))).scalar_one()
        customer_ids = {uid: base + n for n, uid in enumerate(missing, start=1)}
        session.execute(
            insert(cast(Table, CustomerRow.__table__)),
            [
                {
                    "id": customer_ids[uid],
                    "name": profiles[uid].display_name or profiles[uid].handle,
                    "created_at": now,
                }
                for uid in missing
            ],
        )
        session.execute(
            insert(table),
            [
                {
                    "customer_id": customer_ids[uid],
                    "platform": platform,
                    "platform_user_id": uid,
                    "handle": profiles[uid].handle,
                    "display_name": profiles[uid].display_name,
                    "avatar_url": profiles[uid].avatar_url,
                    "followers": profiles[uid].followers,
                    "verified": profiles[uid].verified,
                    "profile_url": profiles[uid].profile_url,
                }
                for uid in missing
            ],
        )
        for chunk in _chunks(missing):
            rows = session.execute(
                select(IdentityRow.platform_user_id, IdentityRow.id).where(
                    IdentityRow.platform == platform, IdentityRow.platform_user_id.in_(chunk)
                )
            )
            found.update({uid: iid for uid, iid in rows})
    if missing:
        changes.record(session, "customer", [], "sync")
    return found


_INSERT_MESSAGES = (
    "INSERT INTO messages (id, conversation_id, account_id, platform_id, direction,"
    " author_identity_id, text, created_at, in_reply_to, context_text, attachments, metrics,"
    " url) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


_EXISTING_MESSAGES = text(
    "SELECT platform_id FROM messages WHERE account_id = :a"
    " AND platform_id IN (SELECT value FROM json_each(:ids))"
)


def _db_time(value: datetime) -> str:
    """SQLAlchemy's SQLite DateTime storage format (naive UTC, always with microseconds),
    so rows written here compare and sort with rows written through the ORM."""
    naive = to_db(value)
    assert naive is not None
    return naive.isoformat(sep=" ", timespec="microseconds")


def _attachments_json(item: InboundItem) -> str:
    if not item.attachments:
        return "[]"
    return json.dumps(
        [{"kind": a.kind, "url": a.url, "name": a.name, "mime": a.mime} for a in item.attachments]
    )


def ingest(session: Session, account_id: int, items: Sequence[InboundItem]) -> IngestResult:
    account = session.get(AccountRow, account_id)
    if account is None:
        raise UserError(f"no account {account_id}")
    if not items:
        return IngestResult((), ())
    identity_ids = upsert_identities(session, items)
    customer_of = (
        dict(
            session.execute(
                select(IdentityRow.id, IdentityRow.customer_id).where(
                    IdentityRow.id.in_(list(identity_ids.values()))
                )
            ).all()
        )
        if identity_ids
        else {}
    )

    # Conversations, one per (kind, thread key): one look-up per chunk, one bulk insert.
    first_author: dict[tuple[str, str], str] = {}
    for i in items:
        if i.direction is Direction.INBOUND:
            first_author.setdefault((i.kind.value, i.thread_key), i.author.platform_user_id)
    keys = list(dict.fromkeys((i.kind.value, i.thread_key) for i in items))
    conv_ids: dict[tuple[str, str], int] = {}
    for chunk in _chunks(list(dict.fromkeys(k[1] for k in keys))):
        found_convs = session.execute(
            select(
                ConversationRow.kind, ConversationRow.platform_root_id, ConversationRow.id
            ).where(
                ConversationRow.account_id == account_id,
                ConversationRow.platform_root_id.in_(chunk),
            )
        )
        conv_ids.update({(k, r): cid for k, r, cid in found_convs})
    new_keys = [k for k in keys if k not in conv_ids]
    if new_keys:
        base = session.execute(select(func.coalesce(func.max(ConversationRow.id), 0))).scalar_one()
        rows_c = []
        for n, (kind, thread_key) in enumerate(new_keys, start=1):
            author = first_author.get((kind, thread_key))
            rows_c.append(
                {
                    "id": base + n,
                    "account_id": account_id,
                    "brand_id": account.brand_id,
                    "platform": account.platform,
                    "kind": kind,
                    "platform_root_id": thread_key,
                    "customer_id": customer_of.get(identity_ids[author]) if author else None,
                    "status": "open",
                    "priority": 0.0,
                    "snippet": "",
                    "unread": True,
                    "message_count": 0,
                }
            )
            conv_ids[(kind, thread_key)] = base + n
        session.execute(insert(cast(Table, ConversationRow.__table__)), rows_c)

    # Messages, deduplicated on (account, platform id).
    wanted = list(dict.fromkeys(i.platform_id for i in items))
    # One statement with the ids as a JSON array (no expanding IN list to compile).
    existing: set[str] = set(
        session.execute(_EXISTING_MESSAGES, {"a": account_id, "ids": json.dumps(wanted)}).scalars()
    )
    # Driver-level executemany of plain tuples with writer-assigned ids (this runs on the
    # single writer thread, and duplicates were filtered above): no per-row ORM or type
    # processing, and the new ids are known without reading them back. Values are encoded
    # exactly as SQLAlchemy's types would (DateTime text with microseconds, JSON).
    base = session.execute(select(func.coalesce(func.max(MessageRow.id), 0))).scalar_one()
    seen: set[str] = set()
    rows: list[tuple[Any, ...]] = []
    for i in items:
        if i.platform_id in existing or i.platform_id in seen:
            continue
        seen.add(i.platform_id)
        inbound = i.direction is Direction.INBOUND
        rows.append(
            (
                base + len(rows) + 1,
                conv_ids[(i.kind.value, i.thread_key)],
                account_id,
                i.platform_id,
                i.direction.value,
                identity_ids.get(i.author.platform_user_id) if inbound else None,
                i.text,
                _db_time(i.created_at),
                i.in_reply_to,
                i.context_text,
                _attachments_json(i),
                json.dumps(dict(i.metrics)) if i.metrics else "{}",
                i.url,
            )
        )
    if not rows:
        return IngestResult((), ())
    session.connection().exec_driver_sql(_INSERT_MESSAGES, rows)
    new_ids = [r[0] for r in rows]
    touched: list[int] = sorted({r[1] for r in rows})
    inbound_touched = sorted({r[1] for r in rows if r[4] == "in"})
    refresh_aggregates(session, touched, reopen=inbound_touched)
    changes.record(session, "message", new_ids, "sync")
    changes.record(session, "conversation", touched, "sync")
    return IngestResult(tuple(new_ids), tuple(touched))


_AGGREGATES = text(f"""
UPDATE conversations SET
  first_inbound_at = agg.first_in, last_inbound_at = agg.last_in,
  last_message_at = agg.last_at, message_count = agg.n,
  first_response_at = (SELECT MIN(o.created_at) FROM messages o
                       WHERE o.conversation_id = conversations.id AND o.direction = 'out'
                       AND o.created_at >= agg.first_in),
  last_direction = latest.direction, snippet = substr(latest.text, 1, {SNIPPET_CHARS})
FROM (SELECT conversation_id AS cid,
             MIN(CASE WHEN direction = 'in' THEN created_at END) AS first_in,
             MAX(CASE WHEN direction = 'in' THEN created_at END) AS last_in,
             MAX(created_at) AS last_at, COUNT(*) AS n
      FROM messages WHERE conversation_id IN (SELECT value FROM json_each(:ids))
      GROUP BY conversation_id) AS agg,
     messages AS latest
WHERE conversations.id = agg.cid
  AND latest.id = (SELECT m.id FROM messages m WHERE m.conversation_id = agg.cid
                   ORDER BY m.created_at DESC, m.id DESC LIMIT 1)
""")
_REOPEN = text("""
UPDATE conversations SET unread = 1,
  status = CASE WHEN status = 'resolved' THEN 'open' ELSE status END
WHERE id = :cid AND last_direction = 'in'
""")


def refresh_aggregates(
    session: Session, conversation_ids: Sequence[int], reopen: Sequence[int] = ()
) -> None:
    """Recompute per-conversation facts from its messages (indexed per conversation).

    A new inbound message marks the conversation unread and reopens a resolved one:
    the customer wrote again, so it needs a look.
    """
    if conversation_ids:
        # One grouped statement for the whole page (ids passed as one JSON array).
        session.execute(_AGGREGATES, {"ids": json.dumps(list(conversation_ids))})
    if reopen:
        session.execute(_REOPEN, [{"cid": c} for c in reopen])


def record_sent(session: Session, item: Any) -> None:
    """Our reply, once the platform confirmed it, becomes an outbound message of its thread
    (in the transaction that marks the outbox item sent), so the conversation shows it and
    leaves "needs reply" without waiting for the platform to echo it back. A later fetch of
    the same post dedupes on (account, platform id)."""
    if not item.platform_id:
        return
    session.execute(
        insert(MessageRow).prefix_with("OR IGNORE"),
        [
            {
                "conversation_id": item.conversation_id,
                "account_id": item.account_id,
                "platform_id": item.platform_id,
                "direction": Direction.OUTBOUND.value,
                "author_identity_id": None,
                "text": item.text,
                "created_at": utcnow(),
                "in_reply_to": item.in_reply_to,
                "attachments": [],
                "metrics": {},
                "url": item.url,
            }
        ],
    )
    refresh_aggregates(session, [item.conversation_id])
    changes.record(session, "conversation", [item.conversation_id], "outbox")
