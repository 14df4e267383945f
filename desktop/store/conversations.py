"""Conversations and their messages as domain objects."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.domain.enums import ConversationKind, ConversationStatus, Direction
from desktop.domain.errors import UserError
from desktop.domain.models import Attachment, Conversation, Message
from desktop.store import changes
from desktop.store.schema import ConversationRow, MessageRow
from desktop.store.times import from_db, to_db


def _conversation(row: ConversationRow) -> Conversation:
    return Conversation(
        id=row.id,
        account_id=row.account_id,
        kind=ConversationKind(row.kind),
        platform_root_id=row.platform_root_id,
        status=ConversationStatus(row.status),
        snoozed_until=from_db(row.snoozed_until),
        customer_id=row.customer_id,
        assignee_id=row.assignee_id,
        priority=row.priority,
        first_inbound_at=from_db(row.first_inbound_at),
        last_inbound_at=from_db(row.last_inbound_at),
        last_message_at=from_db(row.last_message_at),
        first_response_at=from_db(row.first_response_at),
        last_direction=Direction(row.last_direction) if row.last_direction else None,
        snippet=row.snippet,
        unread=row.unread,
        message_count=row.message_count,
    )


def get(session: Session, conversation_id: int) -> Conversation:
    row = session.get(ConversationRow, conversation_id)
    if row is None:
        raise UserError(f"no conversation with id {conversation_id}")
    return _conversation(row)


def messages(session: Session, conversation_id: int) -> list[Message]:
    rows = session.execute(
        select(MessageRow)
        .where(MessageRow.conversation_id == conversation_id)
        .order_by(MessageRow.created_at, MessageRow.id)
    ).scalars()
    return [
        Message(
            id=r.id,
            conversation_id=r.conversation_id,
            account_id=r.account_id,
            platform_id=r.platform_id,
            direction=Direction(r.direction),
            text=r.text,
            created_at=from_db(r.created_at) or r.created_at,
            author_identity_id=r.author_identity_id,
            in_reply_to=r.in_reply_to,
            attachments=tuple(
                Attachment(
                    a.get("kind", "file"), a.get("url", ""), a.get("name", ""), a.get("mime")
                )
                for a in (r.attachments or [])
            ),
            metrics=dict(r.metrics or {}),
            url=r.url,
        )
        for r in rows
    ]


def set_status(
    session: Session,
    conversation_id: int,
    status: ConversationStatus,
    snoozed_until: datetime | None = None,
) -> None:
    row = session.get(ConversationRow, conversation_id)
    if row is None:
        raise UserError(f"no conversation with id {conversation_id}")
    row.status = status.value
    row.snoozed_until = to_db(snoozed_until) if status is ConversationStatus.SNOOZED else None
    changes.record(session, "conversation", [conversation_id], "user")


def mark_read(session: Session, conversation_id: int, read: bool = True) -> None:
    row = session.get(ConversationRow, conversation_id)
    if row is None:
        raise UserError(f"no conversation with id {conversation_id}")
    row.unread = not read
    changes.record(session, "conversation", [conversation_id], "user")
