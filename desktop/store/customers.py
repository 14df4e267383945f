"""Customers and their identities: get, merge, split, export and erase.

Merge and split only move foreign keys (identities, conversations, notes, tags), so every
message, note and audit event stays where it was: history is kept intact. Erase deletes the
customer's conversations and messages; the FTS delete trigger removes their index rows.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from desktop.domain.enums import Platform
from desktop.domain.errors import UserError
from desktop.domain.models import Customer, Identity
from desktop.store import changes
from desktop.store.schema import (
    AuditEventRow,
    ConversationRow,
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
        created_at=from_db(row.created_at),
    )


def merge(session: Session, keep_id: int, absorb_id: int) -> Customer:
    """Move everything of `absorb_id` onto `keep_id` and delete the empty customer."""
    if keep_id == absorb_id:
        raise UserError("Cannot merge a customer with itself.")
    get(session, keep_id)
    get(session, absorb_id)
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
    session.execute(delete(CustomerRow).where(CustomerRow.id == absorb_id))
    changes.record(session, "customer", [keep_id, absorb_id], "user")
    return get(session, keep_id)


def split(session: Session, identity_id: int) -> Customer:
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
    changes.record(session, "customer", [old_id, new.id], "user")
    return get(session, new.id)


def export(session: Session, customer_id: int) -> dict[str, Any]:
    """Everything stored about one customer, as a JSON-able dict."""
    c = get(session, customer_id)
    convs = session.scalars(
        select(ConversationRow).where(ConversationRow.customer_id == customer_id)
    ).all()
    conv_ids = [cv.id for cv in convs]
    ident_ids = [i.id for i in c.identities]
    msgs = session.scalars(
        select(MessageRow)
        .where(
            or_(
                MessageRow.conversation_id.in_(conv_ids),
                MessageRow.author_identity_id.in_(ident_ids),
            )
        )
        .order_by(MessageRow.created_at, MessageRow.id)
    ).all()
    notes = session.scalars(
        select(NoteRow).where(
            or_(NoteRow.customer_id == customer_id, NoteRow.conversation_id.in_(conv_ids))
        )
    ).all()
    return {
        "customer": {"id": c.id, "name": c.name},
        "identities": [
            {
                "platform": i.platform.value,
                "platform_user_id": i.platform_user_id,
                "handle": i.handle,
                "display_name": i.display_name,
            }
            for i in c.identities
        ],
        "conversations": [
            {"id": cv.id, "account_id": cv.account_id, "kind": cv.kind, "status": cv.status}
            for cv in convs
        ],
        "messages": [
            {
                "id": m.id,
                "conversation_id": m.conversation_id,
                "direction": m.direction,
                "text": m.text,
                "created_at": str(m.created_at),
                "platform_id": m.platform_id,
            }
            for m in msgs
        ],
        "notes": [
            {"id": n.id, "body": n.body, "kind": n.kind, "created_at": str(n.created_at)}
            for n in notes
        ],
    }


def erase(session: Session, customer_id: int) -> None:
    """Delete the customer, identities, their conversations, messages (and FTS rows), notes."""
    get(session, customer_id)
    conv_ids = list(
        session.scalars(
            select(ConversationRow.id).where(ConversationRow.customer_id == customer_id)
        )
    )
    ident_ids = list(
        session.scalars(select(IdentityRow.id).where(IdentityRow.customer_id == customer_id))
    )
    session.execute(delete(MessageRow).where(MessageRow.conversation_id.in_(conv_ids)))
    session.execute(delete(MessageRow).where(MessageRow.author_identity_id.in_(ident_ids)))
    session.execute(
        delete(NoteRow).where(
            or_(NoteRow.customer_id == customer_id, NoteRow.conversation_id.in_(conv_ids))
        )
    )
    session.execute(delete(DraftRow).where(DraftRow.conversation_id.in_(conv_ids)))
    session.execute(delete(AuditEventRow).where(AuditEventRow.conversation_id.in_(conv_ids)))
    session.execute(delete(OutboxRow).where(OutboxRow.conversation_id.in_(conv_ids)))
    session.execute(delete(ConversationRow).where(ConversationRow.id.in_(conv_ids)))
    session.execute(delete(CustomerTagRow).where(CustomerTagRow.customer_id == customer_id))
    session.execute(delete(IdentityRow).where(IdentityRow.id.in_(ident_ids)))
    session.execute(delete(CustomerRow).where(CustomerRow.id == customer_id))
    changes.record(session, "customer", [customer_id], "user")
    if conv_ids:
        changes.record(session, "conversation", conv_ids, "user")
