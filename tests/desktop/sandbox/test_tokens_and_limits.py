"""The shared token registry and rate limits the sims rely on."""

from __future__ import annotations

import time

import pytest

from desktop.sandbox.auth import TokenProblem, TokenRegistry, TokenRejected
from desktop.sandbox.ratelimit import RateLimits


def _problem(registry: TokenRegistry, platform: str, token: str | None) -> TokenProblem:
    with pytest.raises(TokenRejected) as caught:
        registry.check(platform, token)
    return caught.value.problem


def test_issue_check_and_per_platform_scope() -> None:
    registry = TokenRegistry()
    info = registry.issue("x", "acme", ttl_s=60, with_refresh=True, scopes=("tweet.read",))
    assert registry.check("x", info.access_token).account == "acme"
    assert registry.check_bearer("x", f"Bearer {info.access_token}").scopes == ("tweet.read",)
    assert _problem(registry, "bluesky", info.access_token) is TokenProblem.INVALID
    assert _problem(registry, "x", None) is TokenProblem.MISSING
    assert 55 <= (info.expires_in or 0) <= 60


def test_ttl_expiry() -> None:
    registry = TokenRegistry()
    info = registry.issue("x", "acme", ttl_s=0.05)
    time.sleep(0.06)
    assert _problem(registry, "x", info.access_token) is TokenProblem.EXPIRED


def test_expire_keeps_refresh_working_and_refresh_rotates() -> None:
    registry = TokenRegistry()
    info = registry.issue("x", "acme", with_refresh=True)
    assert registry.expire("x", "acme") == 2
    assert _problem(registry, "x", info.access_token) is TokenProblem.EXPIRED
    assert info.refresh_token is not None
    fresh = registry.refresh("x", info.refresh_token, ttl_s=7200)
    assert registry.check("x", fresh.access_token).account == "acme"
    assert fresh.refresh_token != info.refresh_token
    with pytest.raises(TokenRejected):  # a used-up refresh token is gone
        registry.refresh("x", info.refresh_token, ttl_s=7200)


def test_revoke_stops_refresh_and_restore_undoes() -> None:
    registry = TokenRegistry()
    info = registry.issue("x", "acme", with_refresh=True)
    registry.revoke("x", "acme")
    assert _problem(registry, "x", info.access_token) is TokenProblem.REVOKED
    registry.restore_all()
    assert registry.check("x", info.access_token).account == "acme"
    registry.revoke("x", "acme")
    assert info.refresh_token is not None
    with pytest.raises(TokenRejected) as caught:
        registry.refresh("x", info.refresh_token, ttl_s=None)
    assert caught.value.problem is TokenProblem.REVOKED


def test_rate_limit_window_and_overrides() -> None:
    limits = RateLimits()
    assert limits.hit("mastodon", "acme").limit == 300
    limits.configure("mastodon", 2, 0.2, account="acme")
    first, second, third = (limits.hit("mastodon", "acme") for _ in range(3))
    assert (first.remaining, second.remaining, third.exceeded) == (1, 0, True)
    assert not limits.hit("mastodon", "globex").exceeded  # other accounts unaffected
    assert third.reset_at <= time.time() + 0.2
    time.sleep(0.21)
    assert not limits.hit("mastodon", "acme").exceeded  # a new window
    limits.reset()
    assert limits.hit("mastodon", "acme").limit == 300


def test_restore_keeps_a_token_lifetime() -> None:
    registry = TokenRegistry()
    short = registry.issue("x", "acme", ttl_s=0.1)
    registry.expire("x", "acme")
    registry.restore("x", "acme")
    assert registry.check("x", short.access_token).account == "acme"
    time.sleep(0.11)
    assert _problem(registry, "x", short.access_token) is TokenProblem.EXPIRED
