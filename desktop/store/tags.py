"""Tags on conversations and customers ("vip", "refund", "press").

Names are normalised (trimmed, lower case, inner spaces as "-") so `tag:vip` in search finds
what the panel shows as "vip". Tagging writes an audit event in the same transaction.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from desktop.domain.errors import UserError
from desktop.store import audit, changes
from desktop.store.schema import (
    ConversationRow,
    ConversationTagRow,
    CustomerRow,
    CustomerTagRow,
    TagRow,
)

MAX_LEN = 40


def normalise(name: str) -> str:
    tag = "-".join(name.strip().lower().split())
    if not tag:
        raise UserError("A tag needs a name.")
    if len(tag) > MAX_LEN:
        raise UserError(f"Keep tags under {MAX_LEN} characters.")
    return tag


def ensure(session: Session, name: str) -> int:
    tag = normalise(name)
    tag_id = session.scalar(select(TagRow.id).where(TagRow.name == tag))
    if tag_id is None:
        row = TagRow(name=tag)
        session.add(row)
        session.flush()
        tag_id = row.id
    return tag_id


def all_tags(session: Session) -> list[str]:
    """Every tag name, most used first (for completers)."""
    uses = (
        select(ConversationTagRow.tag_id.label("tag_id"))
        .union_all(select(CustomerTagRow.tag_id.label("tag_id")))
        .subquery()
    )
    rows = session.execute(
        select(TagRow.name, func.count(uses.c.tag_id))
        .outerjoin(uses, uses.c.tag_id == TagRow.id)
        .group_by(TagRow.id)
        .order_by(func.count(uses.c.tag_id).desc(), TagRow.name)
    )
    return [r[0] for r in rows]


def for_conversation(session: Session, conversation_id: int) -> list[str]:
    return list(
        session.scalars(
            select(TagRow.name)
            .join(ConversationTagRow, ConversationTagRow.tag_id == TagRow.id)
            .where(ConversationTagRow.conversation_id == conversation_id)
            .order_by(TagRow.name)
        )
    )


def for_customer(session: Session, customer_id: int) -> list[str]:
    return list(
        session.scalars(
            select(TagRow.name)
            .join(CustomerTagRow, CustomerTagRow.tag_id == TagRow.id)
            .where(CustomerTagRow.customer_id == customer_id)
            .order_by(TagRow.name)
        )
    )


def for_conversations(session: Session, conversation_ids: Sequence[int]) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    rows = session.execute(
        select(ConversationTagRow.conversation_id, TagRow.name)
        .join(TagRow, TagRow.id == ConversationTagRow.tag_id)
        .where(ConversationTagRow.conversation_id.in_(list(conversation_ids)))
        .order_by(TagRow.name)
    )
    for cid, name in rows:
        out.setdefault(cid, []).append(name)
    return out


def tag_conversation(
    session: Session, conversation_id: int, name: str, by: int | None = None
) -> bool:
    """Add the tag; False if it was already there (no audit event then)."""
    if session.get(ConversationRow, conversation_id) is None:
        raise UserError(f"no conversation with id {conversation_id}")
    tag_id = ensure(session, name)
    if session.get(ConversationTagRow, (conversation_id, tag_id)) is not None:
        return False
    session.add(ConversationTagRow(conversation_id=conversation_id, tag_id=tag_id))
    audit.record(
        session,
        "tag",
        agent_id=by,
        conversation_id=conversation_id,
        detail={"tag": normalise(name)},
    )
    changes.record(session, "conversation", [conversation_id], "user")
    return True


def untag_conversation(
    session: Session, conversation_id: int, name: str, by: int | None = None
) -> bool:
    tag = normalise(name)
    tag_id = session.scalar(select(TagRow.id).where(TagRow.name == tag))
    if tag_id is None:
        return False
    done = session.execute(
        delete(ConversationTagRow).where(
            ConversationTagRow.conversation_id == conversation_id,
            ConversationTagRow.tag_id == tag_id,
        )
    )
    if not done.rowcount:  # type: ignore[attr-defined]
        return False
    audit.record(
        session, "untag", agent_id=by, conversation_id=conversation_id, detail={"tag": tag}
    )
    changes.record(session, "conversation", [conversation_id], "user")
    return True


def tag_customer(session: Session, customer_id: int, name: str, by: int | None = None) -> bool:
    if session.get(CustomerRow, customer_id) is None:
        raise UserError(f"No customer {customer_id}.")
    tag_id = ensure(session, name)
    if session.get(CustomerTagRow, (customer_id, tag_id)) is not None:
        return False
    session.add(CustomerTagRow(customer_id=customer_id, tag_id=tag_id))
    audit.record(
        session, "tag", agent_id=by, customer_id=customer_id, detail={"tag": normalise(name)}
    )
    changes.record(session, "customer", [customer_id], "user")
    return True


def untag_customer(session: Session, customer_id: int, name: str, by: int | None = None) -> bool:
    tag = normalise(name)
    tag_id = session.scalar(select(TagRow.id).where(TagRow.name == tag))
    if tag_id is None:
        return False
    done = session.execute(
        delete(CustomerTagRow).where(
            CustomerTagRow.customer_id == customer_id, CustomerTagRow.tag_id == tag_id
        )
    )
    if not done.rowcount:  # type: ignore[attr-defined]
        return False
    audit.record(session, "untag", agent_id=by, customer_id=customer_id, detail={"tag": tag})
    changes.record(session, "customer", [customer_id], "user")
    return True
