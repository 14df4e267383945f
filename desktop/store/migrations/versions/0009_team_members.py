"""team membership: who is in a team such as "Customer care"

Revision ID: 0009_team_members
Revises: 0008_profile_id

A conversation handed to a team shows in its members' "Handed to me". The table was first
added inside 0006 after some databases had already passed 0006, so those never got it (and
the inbox failed on them with "no such table: agent_team_members"). A migration that has run
must never change; this one creates the table wherever it is missing, whichever version of
0006 a database saw.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_team_members"
down_revision = "0008_profile_id"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if sa.inspect(op.get_bind()).has_table("agent_team_members"):
        return
    op.create_table(
        "agent_team_members",
        sa.Column(
            "team_id",
            sa.Integer(),
            sa.ForeignKey("agents.id", ondelete="CASCADE", name="fk_agent_team_members_team_id"),
            primary_key=True,
        ),
        sa.Column(
            "agent_id",
            sa.Integer(),
            sa.ForeignKey("agents.id", ondelete="CASCADE", name="fk_agent_team_members_agent_id"),
            primary_key=True,
        ),
    )
    op.create_index("ix_agent_team_members_agent", "agent_team_members", ["agent_id"])


def downgrade() -> None:
    op.drop_table("agent_team_members")
