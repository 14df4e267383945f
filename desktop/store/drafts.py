"""Drafts: one autosaved reply per conversation, returned as domain objects."""

from __future__ import annotations

from sqlalchemy import delete
from sqlalchemy.orm import Session

from desktop.domain.models import Draft
from desktop.store import changes
from desktop.store.schema import DraftRow
from desktop.store.times import from_db, utcnow


def _draft(row: DraftRow) -> Draft:
    started = from_db(row.started_at)
    updated = from_db(row.updated_at)
    assert started is not None and updated is not None
    return Draft(
        conversation_id=row.conversation_id,
        body=row.body,
        updated_at=updated,
        started_at=started,
        as_direct_message=row.as_direct_message,
    )


def get(session: Session, conversation_id: int) -> Draft | None:
    row = session.get(DraftRow, conversation_id)
    return _draft(row) if row is not None else None


def save(
    session: Session, conversation_id: int, body: str, *, as_direct_message: bool = False
) -> Draft:
    """Create or update the draft; started_at is kept from the first save."""
    now = utcnow()
    row = session.get(DraftRow, conversation_id)
    if row is None:
        row = DraftRow(
            conversation_id=conversation_id,
            body=body,
            as_direct_message=as_direct_message,
            started_at=now,
            updated_at=now,
        )
        session.add(row)
    else:
        row.body = body
        row.as_direct_message = as_direct_message
        row.updated_at = now
    session.flush()
    changes.record(session, "draft", [conversation_id], "user")
    return _draft(row)


def discard(session: Session, conversation_id: int) -> None:
    session.execute(delete(DraftRow).where(DraftRow.conversation_id == conversation_id))
    changes.record(session, "draft", [conversation_id], "user")
