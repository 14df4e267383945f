"""Customers and their identities: get, timeline, merge, split, export and erase.

Merge and split only move foreign keys (identities, conversations, notes, tags), so every
message, note and audit event stays where it was: history is kept intact. Both are audited
and re-score the customer's conversations (priority weighs followers and earlier contacts).
Erase deletes the customer's conversations and messages (and messages they wrote in other
people's threads); the FTS delete triggers remove their index rows, and the conversations
that only lost some messages get their aggregates, triage facts and report counts rebuilt.
Match suggestions live in desktop/store/matches.py.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, or_, select, text, update
from sqlalchemy.orm import Session

from desktop.domain.enums import ConversationKind, ConversationStatus, Platform
from desktop.domain.errors import UserError
from desktop.domain.models import Customer, Identity
from desktop.store import audit, changes, tags, triage
from desktop.store.ingest import refresh_aggregates
from desktop.store.schema import (
    AccountRow,
    AgentRow,
    AuditEventRow,
    BrandRow,
    ConversationRow,
    ConversationTagRow,
    CustomerRow,
    CustomerTagRow,
    DraftRow,
    IdentityRow,
    MessageRow,
    NoteRow,
    OutboxRow,
)
from desktop.store.times import from_db, utcnow


def _identity(row: IdentityRow) -> Identity:
    return Identity(
        id=row.id,
        customer_id=row.customer_id,
        platform=Platform(row.platform),
        platform_user_id=row.platform_user_id,
        handle=row.handle,
        display_name=row.display_name,
        avatar_url=row.avatar_url,
        followers=row.followers,
        verified=row.verified,
        profile_url=row.profile_url,
    )


def get(session: Session, customer_id: int) -> Customer:
    row = session.get(CustomerRow, customer_id)
    if row is None:
        raise UserError(f"No customer {customer_id}.")
    idents = session.scalars(
        select(IdentityRow).where(IdentityRow.customer_id == customer_id).order_by(IdentityRow.id)
    )
    return Customer(
        id=row.id,
        name=row.name,
        identities=tuple(_identity(i) for i in idents),
        tags=tuple(tags.for_customer(session, customer_id)),
        created_at=from_db(row.created_at),
    )


def of_conversation(session: Session, conversation_id: int) -> int | None:
    """The customer a conversation belongs to (None for a conversation without one)."""
    return session.scalar(
        select(ConversationRow.customer_id).where(ConversationRow.id == conversation_id)
    )


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    """One conversation with the customer, as the history panel lists it."""

    conversation_id: int
    platform: Platform
    kind: ConversationKind
    brand: str
    account_handle: str
    status: ConversationStatus
    last_message_at: datetime | None
    snippet: str
    message_count: int
    assignee: str | None


def _conversation_ids(session: Session, customer_id: int) -> list[int]:
    """The customer's conversations and those where one of their identities wrote."""
    idents = select(IdentityRow.id).where(IdentityRow.customer_id == customer_id)
    authored = select(MessageRow.conversation_id).where(MessageRow.author_identity_id.in_(idents))
    return list(
        session.scalars(
            select(ConversationRow.id).where(
                or_(ConversationRow.customer_id == customer_id, ConversationRow.id.in_(authored))
            )
        )
    )


def timeline(session: Session, customer_id: int) -> list[TimelineEntry]:
    """Every conversation with this person across brands and platforms, newest first."""
    ids = _conversation_ids(session, customer_id)
    if not ids:
        return []
    c = ConversationRow
    rows = session.execute(
        select(
            c.id,
            c.platform,
            c.kind,
            BrandRow.name,
            AccountRow.handle,
            c.status,
            c.last_message_at,
            c.snippet,
            c.message_count,
            AgentRow.name,
        )
        .join(BrandRow, BrandRow.id == c.brand_id)
        .join(AccountRow, AccountRow.id == c.account_id)
        .outerjoin(AgentRow, AgentRow.id == c.assignee_id)
        .where(c.id.in_(ids))
        .order_by(c.last_message_at.desc().nulls_last(), c.id.desc())
    )
    return [
        TimelineEntry(
            conversation_id=r[0],
            platform=Platform(r[1]),
            kind=ConversationKind(r[2]),
            brand=r[3],
            account_handle=r[4],
            status=ConversationStatus(r[5]),
            last_message_at=from_db(r[6]),
            snippet=r[7] or "",
            message_count=r[8] or 0,
            assignee=r[9],
        )
        for r in rows
    ]


def _rescore(session: Session, customer_ids: list[int]) -> None:
    ids = list(
        session.scalars(
            select(ConversationRow.id).where(ConversationRow.customer_id.in_(customer_ids))
        )
    )
    triage.recompute_for_conversations(session, ids)


def merge(session: Session, keep_id: int, absorb_id: int, by: int | None = None) -> Customer:
    """Move everything of `absorb_id` onto `keep_id` and delete the empty customer.

    Only ever on the user's confirmation (the panel's suggestions never merge by themselves).
    The kept customer keeps its name; the absorbed name is not kept in the audit trail."""
    if keep_id == absorb_id:
        raise UserError("Cannot merge a customer with itself.")
    get(session, keep_id)
    absorbed = get(session, absorb_id)
    session.execute(
        update(IdentityRow).where(IdentityRow.customer_id == absorb_id).values(customer_id=keep_id)
    )
    session.execute(
        update(ConversationRow)
        .where(ConversationRow.customer_id == absorb_id)
        .values(customer_id=keep_id)
    )
    session.execute(
        update(NoteRow).where(NoteRow.customer_id == absorb_id).values(customer_id=keep_id)
    )
    kept_tags = select(CustomerTagRow.tag_id).where(CustomerTagRow.customer_id == keep_id)
    session.execute(
        update(CustomerTagRow)
        .where(CustomerTagRow.customer_id == absorb_id, CustomerTagRow.tag_id.not_in(kept_tags))
        .values(customer_id=keep_id)
    )
    session.execute(delete(CustomerTagRow).where(CustomerTagRow.customer_id == absorb_id))
    session.execute(
        update(AuditEventRow)
        .where(AuditEventRow.customer_id == absorb_id)
        .values(customer_id=keep_id)
    )
    session.execute(delete(CustomerRow).where(CustomerRow.id == absorb_id))
    audit.record(
        session,
        "merge",
        agent_id=by,
        customer_id=keep_id,
        detail={"absorbed": absorb_id, "identities": [i.id for i in absorbed.identities]},
    )
    _rescore(session, [keep_id])
    changes.record(session, "customer", [keep_id, absorb_id], "user")
    return get(session, keep_id)


def split(session: Session, identity_id: int, by: int | None = None) -> Customer:
    """Move one identity (and the conversations it started) out to a new customer."""
    ident = session.get(IdentityRow, identity_id)
    if ident is None:
        raise UserError(f"No identity {identity_id}.")
    old_id = ident.customer_id
    if (
        session.scalar(
            select(IdentityRow.id)
            .where(IdentityRow.customer_id == old_id, IdentityRow.id != identity_id)
            .limit(1)
        )
        is None
    ):
        raise UserError("The customer has only this identity.")
    new = CustomerRow(name=ident.display_name or ident.handle, created_at=utcnow())
    session.add(new)
    session.flush()
    ident.customer_id = new.id
    own_convs = select(MessageRow.conversation_id).where(
        MessageRow.author_identity_id == identity_id
    )
    session.execute(
        update(ConversationRow)
        .where(ConversationRow.customer_id == old_id, ConversationRow.id.in_(own_convs))
        .values(customer_id=new.id)
    )
    session.flush()
    audit.record(
        session,
        "split",
        agent_id=by,
        customer_id=old_id,
        detail={"identity": identity_id, "new_customer": new.id},
    )
    _rescore(session, [old_id, new.id])
    changes.record(session, "customer", [old_id, new.id], "user")
    return get(session, new.id)


def _iso(value: datetime | None) -> str | None:
    aware = from_db(value)
    return aware.isoformat() if aware is not None else None


def export(session: Session, customer_id: int) -> dict[str, Any]:
    """Everything stored about one customer, as a JSON-able dict (a data subject request)."""
    c = get(session, customer_id)
    conv_ids = _conversation_ids(session, customer_id)
    convs = session.scalars(
        select(ConversationRow).where(ConversationRow.id.in_(conv_ids)).order_by(ConversationRow.id)
    ).all()
    ident_ids = [i.id for i in c.identities]
    # Their own words, and the brand's replies in their conversations; not other people's.
    msgs = session.scalars(
        select(MessageRow)
        .where(
            or_(
                MessageRow.author_identity_id.in_(ident_ids),
                (
                    MessageRow.conversation_id.in_(
                        [cv.id for cv in convs if cv.customer_id == customer_id]
                    )
                )
                & (MessageRow.direction == "out"),
            )
        )
        .order_by(MessageRow.created_at, MessageRow.id)
    ).all()
    note_rows = session.scalars(
        select(NoteRow)
        .where(or_(NoteRow.customer_id == customer_id, NoteRow.conversation_id.in_(conv_ids)))
        .order_by(NoteRow.created_at, NoteRow.id)
    ).all()
    names = {r[0]: r[1] for r in session.execute(select(AgentRow.id, AgentRow.name))}
    conv_tags = tags.for_conversations(session, conv_ids)
    trail = audit.for_customer(session, customer_id, conv_ids)
    return {
        "format": "switchboard.customer-export/1",
        "exported_at": _iso(utcnow()),
        "customer": {
            "id": c.id,
            "name": c.name,
            "created_at": c.created_at.isoformat() if c.created_at else None,
            "tags": list(c.tags),
        },
        "identities": [
            {
                "id": i.id,
                "platform": i.platform.value,
                "platform_user_id": i.platform_user_id,
                "handle": i.handle,
                "display_name": i.display_name,
                "followers": i.followers,
                "verified": i.verified,
                "profile_url": i.profile_url,
                "avatar_url": i.avatar_url,
            }
            for i in c.identities
        ],
        "conversations": [
            {
                "id": cv.id,
                "account_id": cv.account_id,
                "platform": cv.platform,
                "kind": cv.kind,
                "status": cv.status,
                "platform_root_id": cv.platform_root_id,
                "last_message_at": _iso(cv.last_message_at),
                "tags": conv_tags.get(cv.id, []),
                "assignee": names.get(cv.assignee_id or -1),
            }
            for cv in convs
        ],
        "messages": [
            {
                "id": m.id,
                "conversation_id": m.conversation_id,
                "direction": m.direction,
                "text": m.text,
                "created_at": _iso(m.created_at),
                "platform_id": m.platform_id,
                "url": m.url,
                "attachments": list(m.attachments or []),
            }
            for m in msgs
        ],
        "activity": [
            {
                "at": e.at.isoformat(),
                "action": e.action,
                "by": names.get(e.agent_id or -1),
                "conversation_id": e.conversation_id,
                "detail": e.detail,
            }
            for e in trail
        ],
        "notes": [
            {
                "uid": n.uid,
                "kind": n.kind,
                "body": n.body,
                "author": names.get(n.author_id),
                "handoff_to": names.get(n.handoff_to_id or -1),
                "conversation_id": n.conversation_id,
                "created_at": _iso(n.created_at),
            }
            for n in note_rows
        ],
    }


@dataclass(frozen=True, slots=True)
class EraseSummary:
    """Exactly what `erase` will delete, for the confirmation."""

    customer_id: int
    name: str
    identities: tuple[str, ...]  # "handle on platform"
    conversations: int
    messages: int
    messages_elsewhere: int  # their messages in other people's conversations
    notes: int
    drafts: int
    queued_replies: int
    tags: tuple[str, ...]

    def lines(self) -> list[str]:
        out = [f"the customer “{self.name}”"]
        out += [f"identity {i}" for i in self.identities]
        out.append(f"{self.conversations} conversation(s) with {self.messages} message(s)")
        if self.messages_elsewhere:
            out.append(f"{self.messages_elsewhere} message(s) they wrote in other conversations")
        out.append(f"{self.notes} note(s) and handoff(s)")
        if self.drafts:
            out.append(f"{self.drafts} unsent draft(s)")
        if self.queued_replies:
            out.append(f"{self.queued_replies} queued reply(ies) not yet sent")
        if self.tags:
            out.append("tags on the customer: " + ", ".join(self.tags))
        out.append("their search index entries and audit history")
        return out


def _own_conversations(session: Session, customer_id: int) -> list[int]:
    return list(
        session.scalars(
            select(ConversationRow.id).where(ConversationRow.customer_id == customer_id)
        )
    )


def erase_summary(session: Session, customer_id: int) -> EraseSummary:
    c = get(session, customer_id)
    conv_ids = _own_conversations(session, customer_id)
    ident_ids = [i.id for i in c.identities]

    def count(query: Any) -> int:
        return int(session.scalar(query) or 0)

    return EraseSummary(
        customer_id=c.id,
        name=c.name,
        identities=tuple(f"{i.handle} on {i.platform.value}" for i in c.identities),
        conversations=len(conv_ids),
        messages=count(
            select(func.count())
            .select_from(MessageRow)
            .where(MessageRow.conversation_id.in_(conv_ids))
        ),
        messages_elsewhere=count(
            select(func.count())
            .select_from(MessageRow)
            .where(
                MessageRow.author_identity_id.in_(ident_ids),
                MessageRow.conversation_id.not_in(conv_ids),
            )
        ),
        notes=count(
            select(func.count())
            .select_from(NoteRow)
            .where(or_(NoteRow.customer_id == customer_id, NoteRow.conversation_id.in_(conv_ids)))
        ),
        drafts=count(
            select(func.count()).select_from(DraftRow).where(DraftRow.conversation_id.in_(conv_ids))
        ),
        queued_replies=count(
            select(func.count())
            .select_from(OutboxRow)
            .where(
                OutboxRow.conversation_id.in_(conv_ids),
                OutboxRow.state.not_in(["sent", "cancelled"]),
            )
        ),
        tags=c.tags,
    )


_IN_FLIGHT = ("sending", "uncertain")

_COUNTED = """
SELECT substr(m.created_at, 1, 13) AS h, m.account_id AS a, m.direction AS d, COUNT(*) AS n
FROM messages m JOIN conversation_triage t
  ON t.conversation_id = m.conversation_id AND m.id <= t.through_id
WHERE {where}
GROUP BY 1, 2, 3
"""


def _uncount_hourly(session: Session, where: str, params: dict[str, Any]) -> None:
    """Take messages the reports already counted (folded into triage facts) out of the
    hourly counts, so reports agree with what is stored after an erasure."""
    rows = session.execute(text(_COUNTED.format(where=where)), params).all()
    if rows:
        session.execute(
            text(
                "UPDATE report_hourly SET n = MAX(n - :n, 0)"
                " WHERE hour = :h AND account_id = :a AND direction = :d"
            ),
            [{"h": r.h, "a": r.a, "d": r.d, "n": r.n} for r in rows],
        )


def erase(session: Session, customer_id: int, by: int | None = None) -> EraseSummary:
    """Delete the customer, identities, their conversations, their messages everywhere (and
    FTS rows), notes, drafts, queued replies, tags and audit history. Conversations of other
    people that lose messages get their aggregates and triage facts rebuilt. One audit event
    (ids and counts only) records that an erasure happened."""
    summary = erase_summary(session, customer_id)
    conv_ids = _own_conversations(session, customer_id)
    in_flight = session.scalar(
        select(func.count())
        .select_from(OutboxRow)
        .where(OutboxRow.conversation_id.in_(conv_ids), OutboxRow.state.in_(_IN_FLIGHT))
    )
    if in_flight:
        # the worker is talking to the platform about it: deleting now would orphan the
        # result (or an uncertain send would be reconciled against a thread that is gone)
        raise UserError(
            "A reply to this customer is being sent or its outcome is not known yet; "
            "erase once the outbox has settled."
        )
    ident_ids = list(
        session.scalars(select(IdentityRow.id).where(IdentityRow.customer_id == customer_id))
    )
    affected = sorted(
        set(
            session.scalars(
                select(MessageRow.conversation_id).where(
                    MessageRow.author_identity_id.in_(ident_ids),
                    MessageRow.conversation_id.not_in(conv_ids),
                )
            )
        )
    )
    ids_json = {"convs": json.dumps(conv_ids + affected)}
    # Everything counted in the erased and the affected conversations leaves the reports;
    # the affected ones' remaining messages are counted again by the rebuild below.
    _uncount_hourly(session, "m.conversation_id IN (SELECT value FROM json_each(:convs))", ids_json)
    session.execute(delete(MessageRow).where(MessageRow.conversation_id.in_(conv_ids)))
    session.execute(delete(MessageRow).where(MessageRow.author_identity_id.in_(ident_ids)))
    session.execute(
        delete(NoteRow).where(
            or_(NoteRow.customer_id == customer_id, NoteRow.conversation_id.in_(conv_ids))
        )
    )
    session.execute(delete(DraftRow).where(DraftRow.conversation_id.in_(conv_ids)))
    session.execute(
        delete(AuditEventRow).where(
            or_(
                AuditEventRow.conversation_id.in_(conv_ids),
                AuditEventRow.customer_id == customer_id,
            )
        )
    )
    session.execute(delete(OutboxRow).where(OutboxRow.conversation_id.in_(conv_ids)))
    session.execute(
        delete(ConversationTagRow).where(ConversationTagRow.conversation_id.in_(conv_ids))
    )
    session.execute(
        text(
            "DELETE FROM conversation_triage"
            " WHERE conversation_id IN (SELECT value FROM json_each(:convs))"
        ),
        ids_json,
    )
    session.execute(delete(ConversationRow).where(ConversationRow.id.in_(conv_ids)))
    session.execute(delete(CustomerTagRow).where(CustomerTagRow.customer_id == customer_id))
    session.execute(delete(IdentityRow).where(IdentityRow.id.in_(ident_ids)))
    session.execute(delete(CustomerRow).where(CustomerRow.id == customer_id))
    if affected:
        refresh_aggregates(session, affected)
        triage.recompute_for_conversations(session, affected)
        changes.record(session, "conversation", affected, "user")
    audit.record(
        session,
        "erase",
        agent_id=by,
        customer_id=customer_id,
        detail={
            "conversations": summary.conversations,
            "messages": summary.messages + summary.messages_elsewhere,
            "notes": summary.notes,
        },
    )
    changes.record(session, "customer", [customer_id], "user")
    if conv_ids:
        changes.record(session, "conversation", conv_ids, "user")
    return summary
