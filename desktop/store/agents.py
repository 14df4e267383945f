"""Colleagues and teams (agents) of this profile: add, rename, deactivate, list.

Agents are never deleted: notes, handoffs, assignments and audit events name them by id,
and a colleague who left must still appear by name on the history they wrote. `uid` (UUID4)
and `created_at` keep them identifiable when a workspace is shared across machines later.
A team ("Customer care") is an agent with is_team: it can be assigned and handed to.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import Boolean, Column, DateTime, Integer, MetaData, String, Table, select, update
from sqlalchemy.orm import Session

from desktop.domain.errors import UserError
from desktop.store import changes
from desktop.store.times import from_db, utcnow

_meta = MetaData()
# The agents table with the columns 0006_agents_audit added (the ORM row predates them).
_agents = Table(
    "agents",
    _meta,
    Column("id", Integer, primary_key=True),
    Column("uid", String(36)),
    Column("name", String),
    Column("email", String),
    Column("is_me", Boolean),
    Column("is_team", Boolean),
    Column("active", Boolean),
    Column("created_at", DateTime),
)


team_members = Table(
    "agent_team_members",
    _meta,
    Column("team_id", Integer, primary_key=True),
    Column("agent_id", Integer, primary_key=True),
)


@dataclass(frozen=True, slots=True)
class AgentEntry:
    """An agent as the colleagues dialog and the handoff chooser show it."""

    id: int
    uid: str
    name: str
    email: str | None
    is_me: bool
    is_team: bool
    active: bool
    created_at: object | None = None  # aware datetime or None (agents from before 0006)

    @property
    def label(self) -> str:
        if self.is_me:
            return f"{self.name} (me)"
        return f"{self.name} (team)" if self.is_team else self.name


def _entry(row: object) -> AgentEntry:
    r = row._mapping  # type: ignore[attr-defined]
    return AgentEntry(
        id=r["id"],
        uid=r["uid"],
        name=r["name"],
        email=r["email"],
        is_me=bool(r["is_me"]),
        is_team=bool(r["is_team"]),
        active=bool(r["active"]),
        created_at=from_db(r["created_at"]),
    )


def _clean(name: str) -> str:
    name = " ".join(name.split())
    if not name:
        raise UserError("A colleague needs a name.")
    if len(name) > 80:
        raise UserError("Keep the name under 80 characters.")
    return name


def _check_unique(session: Session, name: str, except_id: int | None = None) -> None:
    query = select(_agents.c.id).where(_agents.c.name == name)
    if except_id is not None:
        query = query.where(_agents.c.id != except_id)
    if session.execute(query.limit(1)).first() is not None:
        raise UserError(f"There is already a colleague or team called {name!r}.")


def list_all(session: Session, *, include_inactive: bool = True) -> list[AgentEntry]:
    """Me first, then people, then teams, each by name."""
    query = select(_agents)
    if not include_inactive:
        query = query.where(_agents.c.active.is_(True))
    rows = session.execute(
        query.order_by(_agents.c.is_me.desc(), _agents.c.is_team, _agents.c.name)
    )
    return [_entry(r) for r in rows]


def get(session: Session, agent_id: int) -> AgentEntry:
    row = session.execute(select(_agents).where(_agents.c.id == agent_id)).first()
    if row is None:
        raise UserError(f"No colleague {agent_id}.")
    return _entry(row)


def names(session: Session) -> dict[int, str]:
    """Every agent's name by id, deactivated ones too (history shows them)."""
    return {r.id: r.name for r in session.execute(select(_agents.c.id, _agents.c.name))}


def add(session: Session, name: str, *, team: bool = False, email: str | None = None) -> AgentEntry:
    name = _clean(name)
    _check_unique(session, name)
    agent_id = session.execute(
        _agents.insert()
        .values(
            uid=str(uuid.uuid4()),
            name=name,
            email=(email or "").strip() or None,
            is_me=False,
            is_team=team,
            active=True,
            created_at=utcnow(),
        )
        .returning(_agents.c.id)
    ).scalar_one()
    changes.record(session, "agent", [agent_id], "user")
    return get(session, agent_id)


def rename(session: Session, agent_id: int, name: str) -> AgentEntry:
    get(session, agent_id)
    name = _clean(name)
    _check_unique(session, name, except_id=agent_id)
    session.execute(update(_agents).where(_agents.c.id == agent_id).values(name=name))
    changes.record(session, "agent", [agent_id], "user")
    return get(session, agent_id)


def set_active(session: Session, agent_id: int, active: bool) -> AgentEntry:
    """Deactivate (or bring back) a colleague or team. You cannot deactivate yourself."""
    agent = get(session, agent_id)
    if agent.is_me and not active:
        raise UserError("You cannot deactivate yourself.")
    session.execute(update(_agents).where(_agents.c.id == agent_id).values(active=active))
    changes.record(session, "agent", [agent_id], "user")
    return get(session, agent_id)


def handoff_targets(session: Session) -> list[AgentEntry]:
    """Active colleagues and teams other than me: who a conversation can be handed to."""
    return [a for a in list_all(session, include_inactive=False) if not a.is_me]


def members(session: Session, team_id: int) -> list[int]:
    """Agent ids in the team."""
    return list(
        session.execute(
            select(team_members.c.agent_id)
            .where(team_members.c.team_id == team_id)
            .order_by(team_members.c.agent_id)
        ).scalars()
    )


def teams_of(session: Session, agent_id: int) -> list[int]:
    """Team ids the agent belongs to."""
    return list(
        session.execute(
            select(team_members.c.team_id)
            .where(team_members.c.agent_id == agent_id)
            .order_by(team_members.c.team_id)
        ).scalars()
    )


def set_member(session: Session, team_id: int, agent_id: int, member: bool) -> list[int]:
    """Add the agent to the team or take them out; the team's members afterwards."""
    team, agent = get(session, team_id), get(session, agent_id)
    if not team.is_team:
        raise UserError(f"{team.name} is not a team.")
    if agent.is_team:
        raise UserError("A team cannot be a member of a team.")
    session.execute(
        team_members.delete().where(
            team_members.c.team_id == team_id, team_members.c.agent_id == agent_id
        )
    )
    if member:
        session.execute(team_members.insert().values(team_id=team_id, agent_id=agent_id))
    changes.record(session, "agent", [team_id, agent_id], "user")
    return members(session, team_id)
