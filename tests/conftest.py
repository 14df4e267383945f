"""Shared fixtures for the whole suite.

- `secret_service`: a real SecretService (dbus-daemon + gnome-keyring), see tests/fixtures.
"""

from __future__ import annotations

from tests.fixtures.keyring_daemon import secret_service

__all__ = ["secret_service"]
