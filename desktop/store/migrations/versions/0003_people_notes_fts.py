"""full-text search over customers (names, handles) and notes, next to message text

Revision ID: 0003_people_notes_fts
Revises: 0002_triage

A community manager searches for "jane" expecting Jane's conversations even where her
messages never say her name, and for the words of a colleague's handoff note. Same shape as
messages_fts: FTS5 external content (the text lives once, in its table), unicode61 with
diacritics folded, prefix indexes for type-ahead, kept in step by triggers; existing rows
are indexed by a rebuild. Deleting a customer, identity or note (erasure) removes its
index entries through the delete triggers.
"""

from __future__ import annotations

from alembic import op

revision = "0003_people_notes_fts"
down_revision = "0002_triage"
branch_labels = None
depends_on = None

TOKENIZE = "prefix='2 3', tokenize='unicode61 remove_diacritics 2'"

# (fts table, content table, indexed columns)
INDEXES = (
    ("customers_fts", "customers", ("name",)),
    ("identities_fts", "identities", ("handle", "display_name")),
    ("notes_fts", "notes", ("body",)),
)


def _triggers(fts: str, table: str, cols: tuple[str, ...]) -> list[str]:
    names = ", ".join(cols)
    new = ", ".join(f"new.{c}" for c in cols)
    old = ", ".join(f"old.{c}" for c in cols)
    insert = f"INSERT INTO {fts}(rowid, {names}) VALUES (new.id, {new});"
    delete = f"INSERT INTO {fts}({fts}, rowid, {names}) VALUES ('delete', old.id, {old});"
    return [
        f"CREATE TRIGGER {fts}_ai AFTER INSERT ON {table} BEGIN {insert} END",
        f"CREATE TRIGGER {fts}_ad AFTER DELETE ON {table} BEGIN {delete} END",
        f"CREATE TRIGGER {fts}_au AFTER UPDATE OF {names} ON {table} BEGIN {delete} {insert} END",
    ]


def upgrade() -> None:
    for fts, table, cols in INDEXES:
        op.execute(
            f"CREATE VIRTUAL TABLE {fts} USING fts5({', '.join(cols)}, content='{table}', "
            f"content_rowid='id', {TOKENIZE})"
        )
        for statement in _triggers(fts, table, cols):
            op.execute(statement)
        op.execute(f"INSERT INTO {fts}({fts}) VALUES ('rebuild')")


def downgrade() -> None:
    for fts, _table, _cols in INDEXES:
        for suffix in ("ai", "ad", "au"):
            op.execute(f"DROP TRIGGER IF EXISTS {fts}_{suffix}")
        op.execute(f"DROP TABLE IF EXISTS {fts}")
