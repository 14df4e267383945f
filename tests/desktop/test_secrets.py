"""desktop.secrets against a real Secret Service (gnome-keyring over a private D-Bus)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import keyring.backend
import pytest

from desktop.domain.errors import SecretStoreError
from desktop.platforms.base import Credentials
from desktop.secrets import MAX_ENTRY_BYTES, SERVICE, SecretStore, select_backend

pytestmark = pytest.mark.keyring


@pytest.fixture
def secrets(secret_service: dict[str, str]) -> SecretStore:
    return SecretStore()


def test_round_trip_in_the_real_keyring(secrets: SecretStore) -> None:
    creds = Credentials(
        access_token="tok-1", refresh_token="ref-1", expires_at=1.5, extra={"did": "did:plc:abc"}
    )
    secrets.save(101, creds)
    assert secrets.load(101) == creds
    # Stored under our service name, readable by any client of the same keyring.
    raw = secrets.backend.get_password(SERVICE, "account:101")
    assert raw is not None and "tok-1" in raw


def test_missing_account_is_none_and_delete_is_idempotent(secrets: SecretStore) -> None:
    assert secrets.load(999) is None
    secrets.save(102, Credentials(access_token="x"))
    secrets.delete(102)
    secrets.delete(102)
    assert secrets.load(102) is None


def test_large_secret_is_split_under_the_entry_limit(secrets: SecretStore) -> None:
    big = Credentials(access_token="a" * 3000, refresh_token="é" * 1500)
    secrets.save(103, big)
    assert secrets.load(103) == big
    for i in range(0, 6):
        name = "account:103" + (f"#{i}" if i else "")
        value = secrets.backend.get_password(SERVICE, name)
        if value is not None:
            assert len(value.encode()) <= MAX_ENTRY_BYTES
    assert secrets.backend.get_password(SERVICE, "account:103#2") is not None
    secrets.delete(103)
    assert secrets.backend.get_password(SERVICE, "account:103#1") is None


def test_async_variants(secrets: SecretStore) -> None:
    async def go() -> Credentials | None:
        await secrets.asave(104, Credentials(app_password="pw"))
        return await secrets.aload(104)

    assert asyncio.run(go()) == Credentials(app_password="pw")


def test_selects_the_secret_service_backend(secret_service: dict[str, str]) -> None:
    assert type(select_backend()).__module__ == "keyring.backends.SecretService"


class PlaintextKeyring(keyring.backend.KeyringBackend):
    """Stands in for keyrings.alt's plaintext file backend."""

    priority = 1  # type: ignore[assignment]

    def get_password(self, service: str, username: str) -> str | None:
        return None

    def set_password(self, service: str, username: str, password: str) -> None:
        raise AssertionError("must never be called")

    def delete_password(self, service: str, username: str) -> None:
        pass


PlaintextKeyring.__module__ = "keyrings.alt.file"


def test_refuses_a_plaintext_backend() -> None:
    with pytest.raises(SecretStoreError, match="insecure"):
        SecretStore(PlaintextKeyring())


def test_refuses_the_fail_backend_with_a_clear_message(monkeypatch: pytest.MonkeyPatch) -> None:
    from keyring.backends import fail

    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    monkeypatch.setattr(keyring, "get_keyring", lambda: fail.Keyring())
    with pytest.raises(SecretStoreError, match="plaintext"):
        select_backend()


def test_no_dbus_gives_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PYTHON_KEYRING_BACKEND", raising=False)
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus")
    with pytest.raises(SecretStoreError, match="Secret Service"):
        select_backend()


def test_two_profiles_account_1_never_share_a_token(
    secret_service: dict[str, str], tmp_path: Path
) -> None:
    """Account ids are per database: the profile id keeps each profile's entries apart."""
    from desktop.store import Store

    with (
        Store.open(tmp_path / "a" / "db.sqlite3") as a,
        Store.open(tmp_path / "b" / "db.sqlite3") as b,
    ):
        assert a.profile_id != b.profile_id and len(a.profile_id) == 32
        first = SecretStore(profile=a.profile_id)
        second = SecretStore(profile=b.profile_id)
    first.save(1, Credentials(access_token="demo-token"))
    second.save(1, Credentials(access_token="real-token"))
    assert first.load(1) == Credentials(access_token="demo-token")
    second.delete(1)  # removing account 1 in one profile leaves the other's alone
    assert first.load(1) == Credentials(access_token="demo-token")
    assert second.load(1) is None
    first.delete(1)


def test_the_profile_id_is_kept_across_opens(tmp_path: Path) -> None:
    from desktop.store import Store

    path = tmp_path / "p" / "db.sqlite3"
    with Store.open(path) as store:
        made = store.profile_id
    with Store.open(path) as store:
        assert store.profile_id == made
