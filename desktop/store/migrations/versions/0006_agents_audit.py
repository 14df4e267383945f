"""colleagues can be deactivated and carry a creation time; team membership; audit events
by customer and time

Revision ID: 0006_agents_audit
Revises: 0003_people_notes_fts

Why `active` rather than deleting an agent: notes, handoffs, assignments and audit events
name their author by agent id, and a colleague who left must still be shown by name on the
history they wrote. Deactivated colleagues are simply not offered as handoff targets.
`created_at` (with the existing `uid`) keeps agents identifiable when workspaces are shared.
Plain ADD COLUMN with a server default: no table copy. (Team membership came later, in
0009: this file had briefly created it too, and databases upgraded before that lacked it.)
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_agents_audit"
down_revision = "0003_people_notes_fts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "agents", sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true())
    )
    op.add_column("agents", sa.Column("created_at", sa.DateTime(), nullable=True))
    op.create_index("ix_audit_events_customer_id", "audit_events", ["customer_id"])
    op.create_index("ix_audit_events_at", "audit_events", ["at"])


def downgrade() -> None:
    op.drop_index("ix_audit_events_at", "audit_events")
    op.drop_index("ix_audit_events_customer_id", "audit_events")
    with op.batch_alter_table("agents") as batch:
        batch.drop_column("created_at")
        batch.drop_column("active")
