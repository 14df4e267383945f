"""Internal notes and handoffs on conversations and customers, as domain objects.

Notes are never sent to a platform: they live only here (no outbox row is ever written).
A handoff is a note with a target: it assigns the conversation to that colleague or team
and writes a "handoff" audit event (who, from whom, to whom, when, the note's uid) in the
same transaction. @mentions are resolved to agent ids when the note is written, so renaming
a colleague later does not lose them.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Sequence

from sqlalchemy import or_, select, text
from sqlalchemy.orm import Session

from desktop.domain.enums import NoteKind
from desktop.domain.errors import UserError
from desktop.domain.models import Note
from desktop.store import audit, changes
from desktop.store.schema import AgentRow, ConversationRow, NoteRow
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
    """Add a note; with handoff_to_id it is a handoff and the conversation is assigned to them.

    `mentions` (agent ids) are merged with the @names found in the body."""
    if conversation_id is None and customer_id is None:
        raise UserError("A note belongs to a conversation or a customer.")
    body = body.strip()
    if not body:
        raise UserError("The note is empty.")
    if handoff_to_id is not None:
        if conversation_id is None:
            raise UserError("Only a conversation can be handed off.")
        target = session.get(AgentRow, handoff_to_id)
        if target is None:
            raise UserError(f"No colleague {handoff_to_id}.")
        if not _active(session, handoff_to_id):
            raise UserError(f"{target.name} is deactivated.")
    found = find_mentions(body, _agent_names(session))
    mentions = list(dict.fromkeys([*mentions, *found]))
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
    session.flush()
    if handoff_to_id is not None and conversation_id is not None:
        conv = session.get(ConversationRow, conversation_id)
        if conv is None:
            raise UserError(f"no conversation with id {conversation_id}")
        before = conv.assignee_id
        conv.assignee_id = handoff_to_id
        audit.record(
            session,
            "handoff",
            agent_id=author_id,
            conversation_id=conversation_id,
            detail={"from": before, "to": handoff_to_id, "note": row.uid},
        )
        changes.record(session, "conversation", [conversation_id], "user")
    else:
        audit.record(
            session,
            "note",
            agent_id=author_id,
            conversation_id=conversation_id,
            customer_id=customer_id,
            detail={"note": row.uid, "mentions": list(mentions)},
        )
    changes.record(session, "note", [row.id], "user")
    return _note(row)


def handoff(
    session: Session, conversation_id: int, *, author_id: int, to_id: int, body: str
) -> Note:
    """Hand the conversation to a colleague or team with a note of what was done and what is
    pending. The target sees it in "Handed to me" with this note on top."""
    return add(
        session,
        author_id=author_id,
        body=body,
        conversation_id=conversation_id,
        handoff_to_id=to_id,
    )


def latest_handoff(session: Session, conversation_id: int) -> Note | None:
    """The newest handoff of the conversation (shown on top of the thread for its target)."""
    row = session.scalars(
        select(NoteRow)
        .where(NoteRow.conversation_id == conversation_id, NoteRow.kind == NoteKind.HANDOFF.value)
        .order_by(NoteRow.created_at.desc(), NoteRow.id.desc())
        .limit(1)
    ).first()
    return _note(row) if row is not None else None


def for_customer(session: Session, customer_id: int) -> list[Note]:
    """Notes on the customer themself (not on one conversation), oldest first."""
    rows = session.scalars(
        select(NoteRow)
        .where(NoteRow.customer_id == customer_id, NoteRow.conversation_id.is_(None))
        .order_by(NoteRow.created_at, NoteRow.id)
    )
    return [_note(r) for r in rows]


def mentioning(session: Session, agent_id: int, limit: int = 100) -> list[Note]:
    """Notes that @mention the agent, newest first."""
    rows = session.scalars(
        select(NoteRow)
        .where(text("EXISTS (SELECT 1 FROM json_each(notes.mentions) WHERE value = :a)"))
        .params(a=agent_id)
        .order_by(NoteRow.created_at.desc(), NoteRow.id.desc())
        .limit(limit)
    )
    return [_note(r) for r in rows]


def find_mentions(body: str, agents: Iterable[tuple[int, str]]) -> list[int]:
    """Agent ids named as @Name in the body (case-insensitive; longest names first, so
    "@Customer care" is not read as "@Customer")."""
    found: list[tuple[int, int]] = []  # (position, agent id)
    taken: list[tuple[int, int]] = []
    for agent_id, name in sorted(agents, key=lambda a: -len(a[1])):
        if not name:
            continue
        pattern = re.compile(r"(?<![\w@])@" + re.escape(name) + r"(?![\w])", re.IGNORECASE)
        for m in pattern.finditer(body):
            if any(s <= m.start() < e for s, e in taken):
                continue
            taken.append((m.start(), m.end()))
            found.append((m.start(), agent_id))
    return list(dict.fromkeys(agent_id for _, agent_id in sorted(found)))


def _agent_names(session: Session) -> list[tuple[int, str]]:
    return [(r[0], r[1]) for r in session.execute(select(AgentRow.id, AgentRow.name))]


def _active(session: Session, agent_id: int) -> bool:
    value = session.execute(text("SELECT active FROM agents WHERE id = :i"), {"i": agent_id})
    active = value.scalar()
    return active is None or bool(active)


def for_conversation(
    session: Session, conversation_id: int, customer_id: int | None = None
) -> list[Note]:
    """Notes on the conversation (and on its customer if given), oldest first."""
    cond = NoteRow.conversation_id == conversation_id
    if customer_id is not None:
        cond = or_(cond, NoteRow.customer_id == customer_id)
    rows = session.scalars(select(NoteRow).where(cond).order_by(NoteRow.created_at, NoteRow.id))
    return [_note(r) for r in rows]
