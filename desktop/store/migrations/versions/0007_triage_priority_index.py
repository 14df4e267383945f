"""triage: the Needs reply list sorted by priority reads an index

Revision ID: 0007_triage_priority_index
Revises: 0006_agents_audit

Why: sorting Needs reply by priority sorted every waiting conversation first (1M messages,
182k waiting: 1.4 s for the first page on a loaded machine). A partial index on
(priority DESC, due_at) over the conversations that need a reply — the only ones with a
priority above zero — serves the order (first page 0.3-8 ms). Its WHERE is the literal
needs-reply condition the inbox query writes, so SQLite can prove it applies.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_triage_priority_index"
down_revision = "0006_agents_audit"
branch_labels = None
depends_on = None

NEEDS_REPLY = "last_direction = 'in' AND status IN ('open', 'pending')"


def upgrade() -> None:
    op.create_index(
        "ix_conv_priority",
        "conversations",
        [sa.text("priority DESC"), "due_at"],
        sqlite_where=sa.text(NEEDS_REPLY),
    )


def downgrade() -> None:
    op.drop_index("ix_conv_priority", table_name="conversations")
