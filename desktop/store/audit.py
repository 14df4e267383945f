"""The audit trail: who did what to which conversation or customer, and when.

Every user operation that changes ownership or state writes one event in the same
transaction as the change (assign, handoff, resolve, snooze, reopen, tag, untag, merge,
split, erase, note), so the trail can never disagree with what happened. `detail` holds ids
and labels that explain the event (for a handoff: from and to, the note's uid) and never a
customer's words or name: an erased customer must not live on in the trail.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from desktop.domain.models import AuditEvent
from desktop.store import changes
from desktop.store.schema import AgentRow, AuditEventRow
from desktop.store.times import from_db, utcnow

ACTIONS = (
    "assign",
    "unassign",
    "handoff",
    "note",
    "resolve",
    "snooze",
    "reopen",
    "pending",
    "tag",
    "untag",
    "merge",
    "split",
    "erase",
)


def me_id(session: Session) -> int | None:
    """The local user's agent id (the default actor of an operation)."""
    return session.scalar(select(AgentRow.id).where(AgentRow.is_me.is_(True)).limit(1))


def record(
    session: Session,
    action: str,
    *,
    agent_id: int | None = None,
    conversation_id: int | None = None,
    customer_id: int | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Write one event; `agent_id` None means the local user (me)."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    row = AuditEventRow(
        at=utcnow(),
        agent_id=agent_id if agent_id is not None else me_id(session),
        action=action,
        conversation_id=conversation_id,
        customer_id=customer_id,
        detail=dict(detail or {}),
    )
    session.add(row)
    session.flush()
    changes.record(session, "audit", [row.id], "user")
    return _event(row)


def _event(row: AuditEventRow) -> AuditEvent:
    at = from_db(row.at)
    assert at is not None
    return AuditEvent(
        id=row.id,
        at=at,
        agent_id=row.agent_id,
        action=row.action,
        conversation_id=row.conversation_id,
        customer_id=row.customer_id,
        detail=dict(row.detail or {}),
    )


def for_conversation(session: Session, conversation_id: int) -> list[AuditEvent]:
    """The conversation's trail, oldest first."""
    rows = session.scalars(
        select(AuditEventRow)
        .where(AuditEventRow.conversation_id == conversation_id)
        .order_by(AuditEventRow.at, AuditEventRow.id)
    )
    return [_event(r) for r in rows]


def for_customer(
    session: Session, customer_id: int, conversation_ids: Sequence[int] = ()
) -> list[AuditEvent]:
    """Events about the customer or any of the given conversations, oldest first."""
    cond = AuditEventRow.customer_id == customer_id
    if conversation_ids:
        cond = or_(cond, AuditEventRow.conversation_id.in_(list(conversation_ids)))
    rows = session.scalars(
        select(AuditEventRow).where(cond).order_by(AuditEventRow.at, AuditEventRow.id)
    )
    return [_event(r) for r in rows]


def recent(session: Session, limit: int = 100, action: str | None = None) -> list[AuditEvent]:
    """The newest events first (the trail view), optionally of one action."""
    query = select(AuditEventRow)
    if action is not None:
        query = query.where(AuditEventRow.action == action)
    rows = session.scalars(query.order_by(AuditEventRow.id.desc()).limit(limit))
    return [_event(r) for r in rows]


def describe(event: AuditEvent, names: dict[int, str]) -> str:
    """One line for people: "Ana handed conversation 12 to Customer care"."""
    who = names.get(event.agent_id or -1, "Someone")
    d = event.detail
    target = names.get(int(d["to"]), "?") if d.get("to") is not None else None
    what = f"conversation {event.conversation_id}" if event.conversation_id else "a conversation"
    if event.action == "handoff":
        return f"{who} handed {what} to {target}"
    if event.action == "assign":
        return f"{who} assigned {what} to {target}"
    if event.action == "unassign":
        return f"{who} unassigned {what}"
    if event.action in ("tag", "untag"):
        on = what if event.conversation_id else f"customer {event.customer_id}"
        verb = "tagged" if event.action == "tag" else "removed the tag from"
        return f"{who} {verb} {on}: {d.get('tag', '')}"
    if event.action == "merge":
        return f"{who} merged customer {d.get('absorbed')} into {event.customer_id}"
    if event.action == "split":
        return f"{who} split identity {d.get('identity')} out to customer {d.get('new_customer')}"
    if event.action == "erase":
        return f"{who} erased customer {event.customer_id}"
    if event.action == "note":
        return f"{who} added a note to {what}"
    past = {"resolve": "resolved", "snooze": "snoozed", "reopen": "reopened"}
    return f"{who} {past.get(event.action, event.action)} {what}"
