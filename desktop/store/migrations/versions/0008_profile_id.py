"""profile id: a stable random id per profile, so keyring entries of two profiles never meet

Revision ID: 0008_profile_id
Revises: 0007_triage_priority_index

Account ids are small integers local to one database: two profiles (a demo and the real
one, two clients' workspaces) both have an account 1. Keyring entries were named by that
id alone, so connecting or removing an account in one profile overwrote or deleted the
other profile's token. Entries are now named `<profile id>/account:<id>`; the id is made
here, once, and travels with the database (a copied or moved profile keeps its tokens).
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from alembic import op

revision = "0008_profile_id"
down_revision = "0007_triage_priority_index"
branch_labels = None
depends_on = None


def upgrade() -> None:
    meta = op.create_table(
        "profile_meta",
        sa.Column("key", sa.String(), primary_key=True),
        sa.Column("value", sa.String(), nullable=False),
    )
    op.bulk_insert(meta, [{"key": "profile_id", "value": uuid.uuid4().hex}])


def downgrade() -> None:
    op.drop_table("profile_meta")
