"""Conversations and their messages as domain objects."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from desktop.domain.enums import ConversationKind, ConversationStatus, Direction
from desktop.domain.errors import UserError
from desktop.domain.models import Attachment, Conversation, Message
from desktop.store import audit, changes
from desktop.store.schema import AgentRow, ConversationRow, MessageRow
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
    by: int | None = None,
) -> None:
    """Change the status; an actual change is written to the audit trail (`by`: the actor,
    None for me)."""
    row = session.get(ConversationRow, conversation_id)
    if row is None:
        raise UserError(f"no conversation with id {conversation_id}")
    before = row.status
    row.status = status.value
    row.snoozed_until = to_db(snoozed_until) if status is ConversationStatus.SNOOZED else None
    if before != status.value or status is ConversationStatus.SNOOZED:
        detail: dict[str, str] = {"from": before}
        if snoozed_until is not None and status is ConversationStatus.SNOOZED:
            detail["until"] = snoozed_until.isoformat()
        audit.record(
            session,
            _STATUS_ACTIONS[status],
            agent_id=by,
            conversation_id=conversation_id,
            detail=detail,
        )
    changes.record(session, "conversation", [conversation_id], "user")


_STATUS_ACTIONS = {
    ConversationStatus.RESOLVED: "resolve",
    ConversationStatus.SNOOZED: "snooze",
    ConversationStatus.OPEN: "reopen",
    ConversationStatus.PENDING: "pending",
}


def assign(
    session: Session, conversation_id: int, agent_id: int | None, by: int | None = None
) -> bool:
    """Assign to a colleague or team (None: unassign). False when nothing changed.

    The audit event says who assigned it, from whom and to whom. Assigning to a deactivated
    colleague is refused: they would never see it.
    """
    row = session.get(ConversationRow, conversation_id)
    if row is None:
        raise UserError(f"no conversation with id {conversation_id}")
    if agent_id is not None:
        agent = session.get(AgentRow, agent_id)
        if agent is None:
            raise UserError(f"No colleague {agent_id}.")
        active = session.execute(
            text("SELECT active FROM agents WHERE id = :i"), {"i": agent_id}
        ).scalar()
        if active is not None and not active:
            raise UserError(f"{agent.name} is deactivated.")
    if row.assignee_id == agent_id:
        return False
    before = row.assignee_id
    row.assignee_id = agent_id
    audit.record(
        session,
        "assign" if agent_id is not None else "unassign",
        agent_id=by,
        conversation_id=conversation_id,
        detail={"from": before, "to": agent_id},
    )
    changes.record(session, "conversation", [conversation_id], "user")
    return True


def mark_read(session: Session, conversation_id: int, read: bool = True) -> None:
    row = session.get(ConversationRow, conversation_id)
    if row is None:
        raise UserError(f"no conversation with id {conversation_id}")
    row.unread = not read
    changes.record(session, "conversation", [conversation_id], "user")
