"""Brands, agents, accounts and sync cursors. Returns domain objects, never ORM rows."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, text
from sqlalchemy.orm import Session

from desktop.domain.enums import AccountStatus, Platform
from desktop.domain.errors import UserError
from desktop.domain.models import Account, Agent, Brand, SyncCursor
from desktop.store import changes
from desktop.store.schema import AccountRow, AgentRow, BrandRow, ConversationRow, SyncCursorRow
from desktop.store.times import from_db, to_db, utcnow


def _account(row: AccountRow) -> Account:
    return Account(
        id=row.id,
        brand_id=row.brand_id,
        platform=Platform(row.platform),
        handle=row.handle,
        display_name=row.display_name,
        base_url=row.base_url,
        platform_user_id=row.platform_user_id,
        status=AccountStatus(row.status),
        settings=dict(row.settings or {}),
    )


def ensure_brand(session: Session, name: str, timezone: str = "UTC") -> Brand:
    row = session.execute(select(BrandRow).where(BrandRow.name == name)).scalar()
    if row is None:
        row = BrandRow(name=name, timezone=timezone)
        session.add(row)
        session.flush()
        changes.record(session, "brand", [row.id])
    return Brand(id=row.id, name=row.name, timezone=row.timezone)


def list_brands(session: Session) -> list[Brand]:
    rows = session.execute(select(BrandRow).order_by(BrandRow.name)).scalars()
    return [Brand(id=r.id, name=r.name, timezone=r.timezone) for r in rows]


def ensure_me(session: Session, name: str = "Me") -> Agent:
    """The local user: every profile has exactly one agent with is_me."""
    row = session.execute(select(AgentRow).where(AgentRow.is_me.is_(True))).scalar()
    if row is None:
        row = AgentRow(uid=str(uuid.uuid4()), name=name, is_me=True)
        session.add(row)
        session.flush()
        changes.record(session, "agent", [row.id])
    return _agent(row)


def add_agent(
    session: Session, name: str, *, email: str | None = None, team: bool = False
) -> Agent:
    row = AgentRow(uid=str(uuid.uuid4()), name=name, email=email, is_team=team)
    session.add(row)
    session.flush()
    changes.record(session, "agent", [row.id])
    return _agent(row)


def _agent(row: AgentRow) -> Agent:
    return Agent(
        id=row.id, uid=row.uid, name=row.name, email=row.email, is_me=row.is_me, is_team=row.is_team
    )


def list_agents(session: Session) -> list[Agent]:
    return [_agent(r) for r in session.execute(select(AgentRow).order_by(AgentRow.name)).scalars()]


def add_account(
    session: Session,
    *,
    brand_id: int,
    platform: Platform,
    handle: str,
    base_url: str,
    display_name: str = "",
    platform_user_id: str = "",
    settings: dict[str, Any] | None = None,
) -> Account:
    exists = session.execute(
        select(AccountRow.id).where(
            AccountRow.platform == platform.value,
            AccountRow.base_url == base_url,
            AccountRow.handle == handle,
        )
    ).scalar()
    if exists is not None:
        row = session.get(AccountRow, exists)
        if row is None or row.status != AccountStatus.DISCONNECTED.value:
            raise UserError(f"{platform.value} account {handle} at {base_url} is already connected")
        # Connected again after "remove, keep history": the kept conversations are its own.
        row.brand_id = brand_id
        row.display_name = display_name or handle
        row.platform_user_id = platform_user_id or row.platform_user_id
        row.settings = settings or {}
        row.status = AccountStatus.ACTIVE.value
        changes.record(session, "account", [row.id], "user")
        return _account(row)
    row = AccountRow(
        brand_id=brand_id,
        platform=platform.value,
        handle=handle,
        base_url=base_url,
        display_name=display_name or handle,
        platform_user_id=platform_user_id,
        settings=settings or {},
    )
    session.add(row)
    session.flush()
    changes.record(session, "account", [row.id], "user")
    return _account(row)


def get_account(session: Session, account_id: int) -> Account:
    row = session.get(AccountRow, account_id)
    if row is None:
        raise UserError(f"no account with id {account_id}")
    return _account(row)


def list_accounts(session: Session) -> list[Account]:
    rows = session.execute(select(AccountRow).order_by(AccountRow.id)).scalars()
    return [_account(r) for r in rows]


def set_status(session: Session, account_id: int, status: AccountStatus) -> None:
    row = session.get(AccountRow, account_id)
    if row is None:
        raise UserError(f"no account with id {account_id}")
    row.status = status.value
    changes.record(session, "account", [account_id], "user")


def set_paused(session: Session, account_id: int, paused: bool) -> Account:
    """Pause (no sync, queued replies wait) or resume an account. A disconnected account
    cannot be resumed: it has no token; connect it again instead."""
    row = session.get(AccountRow, account_id)
    if row is None:
        raise UserError(f"no account with id {account_id}")
    if row.status == AccountStatus.DISCONNECTED.value:
        raise UserError(f"account {account_id} was removed; connect it again to sync it")
    wanted = AccountStatus.PAUSED if paused else AccountStatus.ACTIVE
    if row.status != wanted.value:
        row.status = wanted.value
        changes.record(session, "account", [account_id], "user")
    return _account(row)


def remove_account(session: Session, account_id: int, *, keep_history: bool = False) -> None:
    """Remove an account. With keep_history its conversations stay, read-only, and the row
    stays as DISCONNECTED (connecting the same account again picks them up)."""
    row = session.get(AccountRow, account_id)
    if row is None:
        raise UserError(f"no account with id {account_id}")
    session.execute(delete(SyncCursorRow).where(SyncCursorRow.account_id == account_id))
    if keep_history:
        row.status = AccountStatus.DISCONNECTED.value  # queued replies wait, never dropped
    else:
        conv_ids = select(ConversationRow.id).where(ConversationRow.account_id == account_id)
        for table in ("conversation_tags", "drafts", "notes"):
            session.execute(
                text(
                    f"DELETE FROM {table} WHERE conversation_id IN (SELECT id FROM conversations"
                    " WHERE account_id = :a)"
                ),
                {"a": account_id},
            )
        session.execute(text("DELETE FROM messages WHERE account_id = :a"), {"a": account_id})
        session.execute(delete(ConversationRow).where(ConversationRow.id.in_(conv_ids)))
        session.execute(text("DELETE FROM outbox WHERE account_id = :a"), {"a": account_id})
        session.delete(row)
    changes.record(session, "account", [account_id], "user")


def load_cursor(session: Session, account_id: int, stream: str) -> SyncCursor | None:
    row = session.get(SyncCursorRow, (account_id, stream))
    if row is None:
        return None
    return SyncCursor(
        account_id=account_id,
        stream=stream,
        cursor=row.cursor,
        last_success_at=from_db(row.last_success_at),
        last_error=row.last_error,
    )


def save_cursor(
    session: Session,
    account_id: int,
    stream: str,
    cursor: str | None,
    at: datetime | None = None,
) -> None:
    row = session.get(SyncCursorRow, (account_id, stream))
    if row is None:
        row = SyncCursorRow(account_id=account_id, stream=stream)
        session.add(row)
    row.cursor = cursor
    row.last_success_at = to_db(at) or utcnow()
    row.last_error = None
