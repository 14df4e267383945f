"""Windowed inbox queries: ordered conversation ids (cheap), rows fetched for a window.

A list of 1M conversations is never materialised as objects: the UI holds the id list and
asks `rows()` for the ~50 visible ones. Filters hit the conversation table's own columns
(brand_id and platform are denormalised onto it) so each view is one indexed scan.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, func, or_, select, text
from sqlalchemy.orm import Session

from desktop.domain.enums import ConversationStatus, Platform
from desktop.domain.triage.priority import Reason
from desktop.store.agents import team_members
from desktop.store.schema import (
    AccountRow,
    AgentRow,
    BrandRow,
    ConversationRow,
    ConversationTagRow,
    IdentityRow,
    MessageRow,
    NoteRow,
    TagRow,
)
from desktop.store.times import from_db
from desktop.store.triage import DUE_ORDER_SQL, PRIORITY_ORDER_SQL


class View(enum.StrEnum):
    ALL = "all"
    NEEDS_REPLY = "needs_reply"
    MINE = "mine"
    UNASSIGNED = "unassigned"
    HANDED_TO_ME = "handed_to_me"
    SNOOZED = "snoozed"
    RESOLVED = "resolved"


class Sort(enum.StrEnum):
    NEWEST = "newest"
    OLDEST_WAITING = "oldest_waiting"
    PRIORITY = "priority"  # triage score, highest first; ties: sooner due, then newest
    DUE = "due"  # soonest due (most overdue) first; nothing owed after, newest first


@dataclass(frozen=True, slots=True)
class InboxFilter:
    view: View = View.ALL
    me_id: int | None = None
    brand_id: int | None = None
    account_id: int | None = None
    platform: Platform | None = None
    status: ConversationStatus | None = None
    assignee_id: int | None = None
    tag: str | None = None
    unread: bool | None = None
    conversation_ids: Sequence[int] | None = None  # e.g. from a full-text search


@dataclass(frozen=True, slots=True)
class InboxRow:
    id: int
    platform: Platform
    customer_name: str
    customer_handle: str
    snippet: str
    brand_name: str
    account_handle: str
    last_inbound_at: datetime | None
    last_message_at: datetime | None
    status: ConversationStatus
    assignee_name: str | None
    unread: bool
    priority: float
    needs_reply: bool
    due_at: datetime | None = None  # when a reply is due (None: nothing owed)
    reasons: tuple[Reason, ...] = ()  # why the priority, highest points first


_OPEN = (ConversationStatus.OPEN.value, ConversationStatus.PENDING.value)
NEEDS_REPLY_SQL = "last_direction = 'in' AND status IN ('open', 'pending')"


def _where(f: InboxFilter) -> list[object]:
    c = ConversationRow
    clauses: list[object] = []
    if f.view is View.NEEDS_REPLY:
        # Literal SQL, not bound parameters: SQLite uses the partial index ix_conv_needs_reply
        # only when it can see that the query's WHERE implies the index's.
        clauses.append(text(NEEDS_REPLY_SQL))
    elif f.view is View.MINE:
        clauses += [c.assignee_id == f.me_id, c.status != ConversationStatus.RESOLVED.value]
    elif f.view is View.UNASSIGNED:
        clauses += [c.assignee_id.is_(None), c.status.in_(_OPEN)]
    elif f.view is View.HANDED_TO_ME:
        # handed to me, or to a team I am in ("Customer care")
        my_teams = select(team_members.c.team_id).where(team_members.c.agent_id == f.me_id)
        handed = select(NoteRow.conversation_id).where(
            NoteRow.kind == "handoff",
            or_(NoteRow.handoff_to_id == f.me_id, NoteRow.handoff_to_id.in_(my_teams)),
        )
        clauses += [
            or_(c.assignee_id == f.me_id, c.assignee_id.in_(my_teams)),
            c.id.in_(handed),
            c.status != ConversationStatus.RESOLVED.value,
        ]
    elif f.view is View.SNOOZED:
        clauses.append(c.status == ConversationStatus.SNOOZED.value)
    elif f.view is View.RESOLVED:
        clauses.append(c.status == ConversationStatus.RESOLVED.value)
    if f.brand_id is not None:
        clauses.append(c.brand_id == f.brand_id)
    if f.account_id is not None:
        clauses.append(c.account_id == f.account_id)
    if f.platform is not None:
        clauses.append(c.platform == f.platform.value)
    if f.status is not None:
        clauses.append(c.status == f.status.value)
    if f.assignee_id is not None:
        clauses.append(c.assignee_id == f.assignee_id)
    if f.unread is not None:
        clauses.append(c.unread.is_(f.unread))
    if f.tag is not None:
        tagged = (
            select(ConversationTagRow.conversation_id)
            .join(TagRow, TagRow.id == ConversationTagRow.tag_id)
            .where(TagRow.name == f.tag)
        )
        clauses.append(c.id.in_(tagged))
    if f.conversation_ids is not None:
        clauses.append(c.id.in_(list(f.conversation_ids)))
    return clauses


def _ordered(query: Select[Any], sort: Sort) -> Select[Any]:
    c = ConversationRow
    if sort is Sort.OLDEST_WAITING:
        return query.order_by(c.last_inbound_at.asc(), c.id.asc())
    if sort is Sort.PRIORITY:
        return query.order_by(text(PRIORITY_ORDER_SQL))
    if sort is Sort.DUE:
        return query.order_by(text(DUE_ORDER_SQL))
    return query.order_by(c.last_message_at.desc(), c.id.desc())


def ids(
    session: Session, f: InboxFilter, sort: Sort = Sort.NEWEST, limit: int | None = None
) -> list[int]:
    query = _ordered(select(ConversationRow.id).where(and_(True, *_where(f))), sort)  # type: ignore[arg-type]
    if limit is not None:
        query = query.limit(limit)
    return list(session.execute(query).scalars())


def count(session: Session, f: InboxFilter) -> int:
    query = select(func.count()).select_from(ConversationRow).where(and_(True, *_where(f)))  # type: ignore[arg-type]
    return int(session.execute(query).scalar_one())


def view_counts(session: Session, me_id: int | None) -> dict[View, int]:
    return {v: count(session, InboxFilter(view=v, me_id=me_id)) for v in View}


def rows(session: Session, conversation_ids: Sequence[int]) -> list[InboxRow]:
    """Display rows for the given ids, in the given order (missing ids are skipped)."""
    if not conversation_ids:
        return []
    c = ConversationRow
    first_author = (
        select(MessageRow.author_identity_id)
        .where(MessageRow.conversation_id == c.id, MessageRow.author_identity_id.is_not(None))
        .order_by(MessageRow.created_at)
        .limit(1)
        .scalar_subquery()
    )
    query = (
        select(c, BrandRow.name, AccountRow.handle, AgentRow.name, IdentityRow)
        .join(BrandRow, BrandRow.id == c.brand_id)
        .join(AccountRow, AccountRow.id == c.account_id)
        .outerjoin(AgentRow, AgentRow.id == c.assignee_id)
        .outerjoin(IdentityRow, IdentityRow.id == first_author)
        .where(c.id.in_(list(conversation_ids)))
    )
    by_id = {}
    for conv, brand, handle, assignee, identity in session.execute(query):
        by_id[conv.id] = InboxRow(
            id=conv.id,
            platform=Platform(conv.platform),
            customer_name=(identity.display_name or identity.handle) if identity else "",
            customer_handle=identity.handle if identity else "",
            snippet=conv.snippet,
            brand_name=brand,
            account_handle=handle,
            last_inbound_at=from_db(conv.last_inbound_at),
            last_message_at=from_db(conv.last_message_at),
            status=ConversationStatus(conv.status),
            assignee_name=assignee,
            unread=conv.unread,
            priority=conv.priority,
            needs_reply=conv.last_direction == "in" and conv.status in _OPEN,
        )
    for cid, due_at, reasons in session.execute(
        text(
            "SELECT c.id, c.due_at, t.reasons FROM conversations c"
            " LEFT JOIN conversation_triage t ON t.conversation_id = c.id"
            " WHERE c.id IN (SELECT value FROM json_each(:ids))"
        ),
        {"ids": json.dumps(list(by_id))},
    ):
        by_id[cid] = replace(by_id[cid], due_at=_utc(due_at), reasons=_reasons(reasons))
    return [by_id[i] for i in conversation_ids if i in by_id]


def _utc(value: Any) -> datetime | None:
    if value is None:
        return None
    parsed = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return from_db(parsed)


def _reasons(raw: Any) -> tuple[Reason, ...]:
    if not raw:
        return ()
    items = json.loads(raw) if isinstance(raw, str) else raw
    return tuple(Reason(r["code"], float(r["points"]), r["label"]) for r in items)
