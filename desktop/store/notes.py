"""Internal notes and handoffs on conversations and customers, as domain objects."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from desktop.domain.enums import NoteKind
from desktop.domain.errors import UserError
from desktop.domain.models import Note
from desktop.store import changes
from desktop.store.schema import ConversationRow, NoteRow
from desktop.store.times import from_db, utcnow


def _note(row: NoteRow) -> Note:
    created = from_db(row.created_at)
    assert created is not None
    return Note(
        id=row.id,
        uid=row.uid,
        author_id=row.author_id,
        body=row.body,
        created_at=created,
        kind=NoteKind(row.kind),
        conversation_id=row.conversation_id,
        customer_id=row.customer_id,
        handoff_to_id=row.handoff_to_id,
        mentions=tuple(int(m) for m in row.mentions or ()),
    )


def add(
    session: Session,
    *,
    author_id: int,
    body: str,
    conversation_id: int | None = None,
    customer_id: int | None = None,
    handoff_to_id: int | None = None,
    mentions: Sequence[int] = (),
) -> Note:
    """Add a note; with handoff_to_id it is a handoff and the conversation is assigned to them."""
    if conversation_id is None and customer_id is None:
        raise UserError("A note belongs to a conversation or a customer.")
    row = NoteRow(
        uid=str(uuid.uuid4()),
        author_id=author_id,
        body=body,
        kind=(NoteKind.HANDOFF if handoff_to_id is not None else NoteKind.NOTE).value,
        conversation_id=conversation_id,
        customer_id=customer_id,
        handoff_to_id=handoff_to_id,
        mentions=list(mentions),
        created_at=utcnow(),
    )
    session.add(row)
    if handoff_to_id is not None and conversation_id is not None:
        conv = session.get(ConversationRow, conversation_id)
        if conv is not None:
            conv.assignee_id = handoff_to_id
            changes.record(session, "conversation", [conversation_id], "user")
    session.flush()
    changes.record(session, "note", [row.id], "user")
    return _note(row)


def for_conversation(
    session: Session, conversation_id: int, customer_id: int | None = None
) -> list[Note]:
    """Notes on the conversation (and on its customer if given), oldest first."""
    cond = NoteRow.conversation_id == conversation_id
    if customer_id is not None:
        cond = or_(cond, NoteRow.customer_id == customer_id)
    rows = session.scalars(select(NoteRow).where(cond).order_by(NoteRow.created_at, NoteRow.id))
    return [_note(r) for r in rows]
