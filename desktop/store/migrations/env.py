"""Alembic environment: always run programmatically on the connection Store.open passes."""

from __future__ import annotations

from alembic import context

from desktop.store.schema import Base

connection = context.config.attributes.get("connection")
if connection is None:  # autogenerate from the command line against a scratch file
    from sqlalchemy import create_engine

    url = context.config.get_main_option("sqlalchemy.url") or "sqlite://"
    connection = create_engine(url).connect()

context.configure(
    connection=connection, target_metadata=Base.metadata, render_as_batch=True
)
with context.begin_transaction():
    context.run_migrations()
