"""Errors the engine raises. Each carries enough context for a clear message to the user.

Why one module: every layer (store, platforms, sync, CLI, UI) needs to tell these apart
without importing each other, so they live at the bottom of the dependency graph.
"""

from __future__ import annotations

import enum
from datetime import datetime


class SwitchboardError(Exception):
    """Base of every error the engine raises on purpose."""


class UserError(SwitchboardError):
    """The user asked for something that cannot be done (bad id, bad argument)."""


class StoreError(SwitchboardError):
    """The database cannot be used: corrupt, locked, newer than this build, disk full.

    `path` names the file so the message can tell the user which one.
    """

    def __init__(self, message: str, path: str | None = None) -> None:
        super().__init__(f"{message}: {path}" if path else message)
        self.path = path


class SecretStoreError(SwitchboardError):
    """The OS keyring is missing, insecure (plaintext) or refused the operation."""


class SyncErrorKind(enum.StrEnum):
    AUTH = "auth"  # token expired/revoked: ask the user to sign in again, keep the queue
    RATE_LIMITED = "rate_limited"  # wait until retry_at
    TRANSIENT = "transient"  # 5xx, reset: retry with backoff
    PERMANENT = "permanent"  # 4xx that will not change by retrying (too long, deleted post)
    OFFLINE = "offline"  # no route / DNS / connection refused: wait for connectivity
    UNCERTAIN = "uncertain"  # a write whose outcome is unknown (timeout after send)


class SyncError(SwitchboardError):
    """A platform call failed; `kind` tells sync what to do next."""

    def __init__(
        self,
        kind: SyncErrorKind,
        message: str,
        *,
        retry_at: datetime | None = None,
        status: int | None = None,
        platform_code: str | None = None,
    ) -> None:
        super().__init__(message)
        self.kind = kind
        self.retry_at = retry_at
        self.status = status
        self.platform_code = platform_code

    def __repr__(self) -> str:
        return f"SyncError({self.kind.value}, {self.args[0]!r}, retry_at={self.retry_at})"
