"""triage: sentiment per message, triage facts per conversation, brand targets, urgent words,
the due time on conversations, and indexes for the reports

Revision ID: 0002_triage
Revises: 0001

Why separate tables rather than columns on messages: triage owns them, they cascade away with
the message or conversation they describe (customer erasure keeps working), and a database
without triage facts yet is simply backfilled. `conversations.due_at` is a column because
the inbox sorts by it: a partial index over waiting conversations keeps that sort cheap.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_triage"
down_revision = "0001"
branch_labels = None
depends_on = None

NEEDS_REPLY = "last_direction = 'in' AND status IN ('open', 'pending')"
DEFAULT_WORDS = ("refund", "cancel", "broken", "legal", "lawyer", "charged twice")


def upgrade() -> None:
    op.create_table(
        "message_sentiment",
        sa.Column(
            "message_id",
            sa.Integer(),
            sa.ForeignKey(
                "messages.id", ondelete="CASCADE", name="fk_message_sentiment_message_id_messages"
            ),
            primary_key=True,
        ),
        sa.Column("compound", sa.Float(), nullable=False),
    )
    op.create_table(
        "conversation_triage",
        sa.Column(
            "conversation_id",
            sa.Integer(),
            sa.ForeignKey(
                "conversations.id",
                ondelete="CASCADE",
                name="fk_conversation_triage_conversation_id_conversations",
            ),
            primary_key=True,
        ),
        sa.Column("through_id", sa.Integer(), nullable=False),
        sa.Column("last_at", sa.DateTime(), nullable=True),
        sa.Column("last_direction", sa.String(3), nullable=True),
        sa.Column("first_inbound_at", sa.DateTime(), nullable=True),
        sa.Column("first_response_at", sa.DateTime(), nullable=True),
        sa.Column("last_reply_at", sa.DateTime(), nullable=True),
        sa.Column("waiting_since", sa.DateTime(), nullable=True),
        sa.Column("waiting_sentiment", sa.Float(), nullable=True),
        sa.Column("waiting_urgent", sa.JSON(), nullable=False),
        sa.Column("before_sum", sa.Float(), nullable=False),
        sa.Column("before_n", sa.Integer(), nullable=False),
        sa.Column("after_sum", sa.Float(), nullable=False),
        sa.Column("after_n", sa.Integer(), nullable=False),
        sa.Column("frt_business_s", sa.Float(), nullable=True),
        sa.Column("frt_wall_s", sa.Float(), nullable=True),
        sa.Column("target_s", sa.Integer(), nullable=True),
        sa.Column("within_target", sa.Boolean(), nullable=True),
        sa.Column("resolved_at", sa.DateTime(), nullable=True),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("rescore_at", sa.DateTime(), nullable=True),
        sa.Column("computed_at", sa.DateTime(), nullable=False),
        sa.Column("opened_by_brand_id", sa.Integer(), nullable=True),
        sa.Column("opened_at", sa.DateTime(), nullable=True),
    )
    # The brand's own posts by date, for the post metrics of the reports.
    op.create_index(
        "ix_conversation_triage_opened",
        "conversation_triage",
        ["opened_at"],
        sqlite_where=sa.text("opened_by_brand_id IS NOT NULL"),
    )
    op.create_index(
        "ix_conversation_triage_rescore",
        "conversation_triage",
        ["rescore_at"],
        sqlite_where=sa.text("rescore_at IS NOT NULL"),
    )
    op.create_table(
        "brand_targets",
        sa.Column(
            "brand_id",
            sa.Integer(),
            sa.ForeignKey("brands.id", ondelete="CASCADE", name="fk_brand_targets_brand_id_brands"),
            primary_key=True,
        ),
        sa.Column("first_response_s", sa.Integer(), nullable=False),
        sa.Column("hours", sa.JSON(), nullable=False),
        sa.Column("closed_dates", sa.JSON(), nullable=False),
    )
    words = op.create_table(
        "urgent_words",
        sa.Column("word", sa.String(), primary_key=True),
        sa.Column("position", sa.Integer(), nullable=False),
    )
    op.bulk_insert(words, [{"word": w, "position": i} for i, w in enumerate(DEFAULT_WORDS)])

    # Plain ALTER TABLE ADD COLUMN (no batch copy of a possibly large table).
    op.add_column("conversations", sa.Column("due_at", sa.DateTime(), nullable=True))
    op.create_index("ix_conv_due", "conversations", ["due_at"], sqlite_where=sa.text(NEEDS_REPLY))
    # Conversation figures by first customer message: covering, so a quarter or a year of
    # conversations is read from the index alone.
    op.create_index(
        "ix_conv_first_inbound",
        "conversations",
        [
            "first_inbound_at",
            "brand_id",
            "account_id",
            "platform",
            "assignee_id",
            "status",
            "customer_id",
            "first_response_at",
            "due_at",
        ],
    )
    # Messages per UTC hour, account and direction, kept up to date by triage's incremental
    # recompute: the reports' volumes, days and heat map read this, not the messages.
    op.create_table(
        "report_hourly",
        sa.Column("hour", sa.String(13), primary_key=True),  # 'YYYY-MM-DD HH', UTC
        sa.Column("account_id", sa.Integer(), primary_key=True),
        sa.Column("direction", sa.String(3), primary_key=True),
        sa.Column("n", sa.Integer(), nullable=False),
        sqlite_with_rowid=False,
    )


def downgrade() -> None:
    op.drop_table("report_hourly")
    op.drop_index("ix_conv_first_inbound", table_name="conversations")
    op.drop_index("ix_conv_due", table_name="conversations")
    with op.batch_alter_table("conversations") as batch:
        batch.drop_column("due_at")
    op.drop_table("urgent_words")
    op.drop_table("brand_targets")
    op.drop_index("ix_conversation_triage_opened", table_name="conversation_triage")
    op.drop_index("ix_conversation_triage_rescore", table_name="conversation_triage")
    op.drop_table("conversation_triage")
    op.drop_table("message_sentiment")
