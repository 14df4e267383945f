"""The local store: SQLite via SQLAlchemy 2, one writer thread, repositories returning
domain objects (the ORM never leaves this package)."""

from desktop.store.db import Store

__all__ = ["Store"]
