"""SQLAlchemy 2.0 typed mappings of the local store. The ORM never leaves desktop/store:
repositories turn rows into desktop.domain models.

Conversations carry denormalised brand_id and platform so the inbox filters on one table
(see inbox.py); times are naive UTC (SQLite has no time zones; repositories add UTC back).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, MetaData, String, Text, UniqueConstraint, text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}


class AgentRow(Base):
    __tablename__ = "agents"
    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(36), unique=True)
    name: Mapped[str]
    email: Mapped[str | None]
    is_me: Mapped[bool] = mapped_column(default=False)
    is_team: Mapped[bool] = mapped_column(default=False)


class BrandRow(Base):
    __tablename__ = "brands"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(unique=True)
    timezone: Mapped[str] = mapped_column(default="UTC")


class AccountRow(Base):
    __tablename__ = "accounts"
    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brands.id"))
    platform: Mapped[str] = mapped_column(String(16))
    handle: Mapped[str]
    display_name: Mapped[str] = mapped_column(default="")
    base_url: Mapped[str]
    platform_user_id: Mapped[str] = mapped_column(default="")
    status: Mapped[str] = mapped_column(String(16), default="active")
    settings: Mapped[dict[str, Any]] = mapped_column(default=dict)
    __table_args__ = (UniqueConstraint("platform", "base_url", "handle"),)


class SyncCursorRow(Base):
    __tablename__ = "sync_cursors"
    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True
    )
    stream: Mapped[str] = mapped_column(String(32), primary_key=True)
    cursor: Mapped[str | None] = mapped_column(Text)
    last_success_at: Mapped[datetime | None]
    last_error: Mapped[str | None]


class CustomerRow(Base):
    __tablename__ = "customers"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(default="")
    created_at: Mapped[datetime]


class IdentityRow(Base):
    __tablename__ = "identities"
    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    platform: Mapped[str] = mapped_column(String(16))
    platform_user_id: Mapped[str]
    handle: Mapped[str] = mapped_column(index=True)
    display_name: Mapped[str] = mapped_column(default="")
    avatar_url: Mapped[str | None]
    followers: Mapped[int | None]
    verified: Mapped[bool] = mapped_column(default=False)
    profile_url: Mapped[str | None]
    __table_args__ = (UniqueConstraint("platform", "platform_user_id"),)


class ConversationRow(Base):
    __tablename__ = "conversations"
    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    brand_id: Mapped[int] = mapped_column(ForeignKey("brands.id"))
    platform: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(20))
    platform_root_id: Mapped[str]
    status: Mapped[str] = mapped_column(String(12), default="open")
    snoozed_until: Mapped[datetime | None]
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"), index=True)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id"))
    priority: Mapped[float] = mapped_column(default=0.0)
    first_inbound_at: Mapped[datetime | None]
    last_inbound_at: Mapped[datetime | None]
    last_message_at: Mapped[datetime | None]
    first_response_at: Mapped[datetime | None]
    last_direction: Mapped[str | None] = mapped_column(String(3))
    snippet: Mapped[str] = mapped_column(default="")
    unread: Mapped[bool] = mapped_column(default=True)
    message_count: Mapped[int] = mapped_column(default=0)
    __table_args__ = (
        UniqueConstraint("account_id", "kind", "platform_root_id"),
        Index("ix_conv_last", "last_message_at"),
        Index("ix_conv_status_last", "status", "last_message_at"),
        Index("ix_conv_brand_last", "brand_id", "last_message_at"),
        Index("ix_conv_account_last", "account_id", "last_message_at"),
        Index("ix_conv_assignee_last", "assignee_id", "last_message_at"),
        Index("ix_conv_platform_last", "platform", "last_message_at"),
        Index(
            "ix_conv_needs_reply",
            "last_inbound_at",
            sqlite_where=text("last_direction = 'in' AND status IN ('open', 'pending')"),
        ),
    )


class MessageRow(Base):
    __tablename__ = "messages"
    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id"))
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    platform_id: Mapped[str]
    direction: Mapped[str] = mapped_column(String(3))
    author_identity_id: Mapped[int | None] = mapped_column(ForeignKey("identities.id"), index=True)
    text: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime]
    in_reply_to: Mapped[str | None]
    context_text: Mapped[str | None] = mapped_column(Text)
    attachments: Mapped[list[Any]] = mapped_column(default=list)
    metrics: Mapped[dict[str, Any]] = mapped_column(default=dict)
    url: Mapped[str | None]
    __table_args__ = (
        UniqueConstraint("account_id", "platform_id"),
        Index("ix_msg_conv_created", "conversation_id", "created_at"),
    )


class NoteRow(Base):
    __tablename__ = "notes"
    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(36), unique=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("agents.id"))
    body: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(8), default="note")
    conversation_id: Mapped[int | None] = mapped_column(ForeignKey("conversations.id"), index=True)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"), index=True)
    handoff_to_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id"))
    mentions: Mapped[list[Any]] = mapped_column(default=list)
    created_at: Mapped[datetime]


class CannedResponseRow(Base):
    __tablename__ = "canned_responses"
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str]
    shortcut: Mapped[str] = mapped_column(unique=True)
    body: Mapped[str] = mapped_column(Text)
    brand_ids: Mapped[list[Any]] = mapped_column(default=list)
    platforms: Mapped[list[Any]] = mapped_column(default=list)
    usage_count: Mapped[int] = mapped_column(default=0)
    position: Mapped[int] = mapped_column(default=0)


class TagRow(Base):
    __tablename__ = "tags"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(unique=True)


class ConversationTagRow(Base):
    __tablename__ = "conversation_tags"
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), primary_key=True
    )
    tag_id: Mapped[int] = mapped_column(ForeignKey("tags.id"), primary_key=True, index=True)


class CustomerTagRow(Base):
    __tablename__ = "customer_tags"
    customer_id: Mapped[int] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE"), primary_key=True
    )
    tag_id: Mapped[int] = mapped_column(ForeignKey("tags.id"), primary_key=True)


class DraftRow(Base):
    __tablename__ = "drafts"
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), primary_key=True
    )
    body: Mapped[str] = mapped_column(Text)
    as_direct_message: Mapped[bool] = mapped_column(default=False)
    started_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class OutboxRow(Base):
    """Columns as desktop/store/outbox.py (the outbox repository) reads and writes them."""

    __tablename__ = "outbox"
    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(index=True)
    conversation_id: Mapped[int]
    op: Mapped[str]
    text: Mapped[str] = mapped_column(Text)
    thread_key: Mapped[str]
    in_reply_to: Mapped[str | None]
    idempotency_key: Mapped[str] = mapped_column(unique=True)
    state: Mapped[str]
    created_at: Mapped[str]
    not_before: Mapped[str]
    since_platform_id: Mapped[str | None]
    attempts: Mapped[int] = mapped_column(default=0)
    error: Mapped[str | None]
    platform_id: Mapped[str | None]
    url: Mapped[str | None]
    updated_at: Mapped[str | None]


class AuditEventRow(Base):
    __tablename__ = "audit_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime]
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id"))
    action: Mapped[str]
    conversation_id: Mapped[int | None] = mapped_column(index=True)
    customer_id: Mapped[int | None]
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)


class SavedSearchRow(Base):
    __tablename__ = "saved_searches"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str]
    query: Mapped[str]
    position: Mapped[int] = mapped_column(default=0)
