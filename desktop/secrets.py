"""Account secrets in the OS keyring (service `switchboard`), never in the database.

Why so strict about the backend: keyring falls back silently. Without D-Bus it picks the
`fail` backend, and with keyrings.alt installed it writes tokens to a plaintext file. A
community manager's brand tokens must not end up there, so we choose the backend
explicitly and refuse the ones that are not secure, with a message that says what to do.

Entries stay under 2,560 bytes (Windows Credential Manager's limit): a larger secret is
split over numbered entries.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
import os
import sys
from typing import Any

import keyring
import keyring.errors
from keyring.backend import KeyringBackend

from desktop.domain.errors import SecretStoreError
from desktop.platforms.base import Credentials

log = logging.getLogger(__name__)

SERVICE = "switchboard"
MAX_ENTRY_BYTES = 2560
# Backends that store nothing or store plaintext.
_INSECURE_MODULE_PREFIXES = ("keyring.backends.fail", "keyring.backends.null", "keyrings.alt")
_CHUNK_MARK = "chunks:"


def _is_insecure(backend: KeyringBackend) -> bool:
    modules = [type(backend).__module__]
    modules += [type(b).__module__ for b in getattr(backend, "backends", [])]
    chained = getattr(backend, "backends", None)
    empty_chain = chained is not None and not chained
    return empty_chain or any(m.startswith(_INSECURE_MODULE_PREFIXES) for m in modules)


def select_backend() -> KeyringBackend:
    """The platform's secure keyring, or SecretStoreError saying why there is none."""
    if os.environ.get("PYTHON_KEYRING_BACKEND"):
        backend = keyring.get_keyring()
    elif sys.platform.startswith("linux") or "bsd" in sys.platform:
        backend = _first_viable_linux_backend()
    else:
        backend = keyring.get_keyring()  # macOS Keychain / Windows Credential Manager
    if _is_insecure(backend):
        raise SecretStoreError(
            f"no secure keyring available (got {type(backend).__module__}); Switchboard will "
            "not store tokens in plaintext. Start a Secret Service (GNOME Keyring or KWallet) "
            "and unlock it, then try again."
        )
    return backend


def _first_viable_linux_backend() -> KeyringBackend:
    from keyring.backends import SecretService, kwallet

    reasons = []
    for cls in (SecretService.Keyring, kwallet.DBusKeyring):
        try:
            if cls.priority > 0:
                return cls()
        except Exception as exc:  # priority raises with the reason it is unusable
            reasons.append(f"{cls.__module__}: {exc}")
    raise SecretStoreError(
        "no Secret Service found on D-Bus (GNOME Keyring, KWallet); tokens cannot be stored "
        "safely. " + "; ".join(reasons)
    )


def _username(namespace: str, account_id: int, part: int = 0) -> str:
    base = f"{namespace}/account:{account_id}" if namespace else f"account:{account_id}"
    return base + (f"#{part}" if part else "")


class SecretStore:
    """Load, save and delete one account's Credentials. Blocking; use the `a*` methods
    from async code (D-Bus round trips must not stall the UI loop)."""

    def __init__(self, backend: KeyringBackend | None = None, *, profile: str = "") -> None:
        """`profile` (the store's profile_id) scopes the entries to one profile: account
        ids are per database, so without it two profiles' account 1 would share a token."""
        self.profile = profile
        self.backend = backend or select_backend()
        if _is_insecure(self.backend):
            raise SecretStoreError(f"refusing insecure keyring backend {type(self.backend)}")

    def save(self, account_id: int, credentials: Credentials) -> None:
        data = json.dumps(
            {k: v for k, v in dataclasses.asdict(credentials).items() if v is not None},
            separators=(",", ":"),
        )
        chunks = _split(data, MAX_ENTRY_BYTES - 64)
        try:
            if len(chunks) == 1:
                self.backend.set_password(SERVICE, _username(self.profile, account_id), data)
            else:
                for i, chunk in enumerate(chunks, start=1):
                    self.backend.set_password(
                        SERVICE, _username(self.profile, account_id, i), chunk
                    )
                self.backend.set_password(
                    SERVICE, _username(self.profile, account_id), f"{_CHUNK_MARK}{len(chunks)}"
                )
        except keyring.errors.KeyringError as exc:
            raise SecretStoreError(f"keyring refused to store account {account_id}: {exc}") from exc

    def load(self, account_id: int) -> Credentials | None:
        try:
            head = self.backend.get_password(SERVICE, _username(self.profile, account_id))
            if head is None:
                return None
            if head.startswith(_CHUNK_MARK):
                count = int(head[len(_CHUNK_MARK) :])
                parts = [
                    self.backend.get_password(SERVICE, _username(self.profile, account_id, i))
                    for i in range(1, count + 1)
                ]
                if any(p is None for p in parts):
                    raise SecretStoreError(f"keyring entry for account {account_id} is incomplete")
                head = "".join(p for p in parts if p is not None)
        except keyring.errors.KeyringError as exc:
            raise SecretStoreError(f"keyring refused to read account {account_id}: {exc}") from exc
        try:
            raw: dict[str, Any] = json.loads(head)
        except json.JSONDecodeError as exc:
            raise SecretStoreError(f"keyring entry for account {account_id} is corrupt") from exc
        known = {f.name for f in dataclasses.fields(Credentials)}
        return Credentials(**{k: v for k, v in raw.items() if k in known})

    def delete(self, account_id: int) -> None:
        try:
            head = self.backend.get_password(SERVICE, _username(self.profile, account_id))
            if head is None:
                return
            if head.startswith(_CHUNK_MARK):
                for i in range(1, int(head[len(_CHUNK_MARK) :]) + 1):
                    self._delete_quietly(_username(self.profile, account_id, i))
            self._delete_quietly(_username(self.profile, account_id))
        except keyring.errors.KeyringError as exc:
            raise SecretStoreError(
                f"keyring refused to delete account {account_id}: {exc}"
            ) from exc

    def _delete_quietly(self, username: str) -> None:
        try:
            self.backend.delete_password(SERVICE, username)
        except keyring.errors.PasswordDeleteError:
            pass

    async def asave(self, account_id: int, credentials: Credentials) -> None:
        await asyncio.to_thread(self.save, account_id, credentials)

    async def aload(self, account_id: int) -> Credentials | None:
        return await asyncio.to_thread(self.load, account_id)

    async def adelete(self, account_id: int) -> None:
        await asyncio.to_thread(self.delete, account_id)


def _split(data: str, max_bytes: int) -> list[str]:
    """Split on character boundaries so that each chunk's UTF-8 form fits."""
    if len(data.encode()) <= max_bytes:
        return [data]
    chunks: list[str] = []
    current: list[str] = []
    size = 0
    for ch in data:
        n = len(ch.encode())
        if size + n > max_bytes:
            chunks.append("".join(current))
            current, size = [], 0
        current.append(ch)
        size += n
    if current:
        chunks.append("".join(current))
    return chunks
