"""One bearer-token registry shared by every simulated platform.

Why shared: the admin API expires or revokes an account's tokens without knowing how each
platform names them, and the sims only need "who is this token, and is it still good?".
Each sim turns a `TokenRejected` into its platform's own 401 body.
"""

from __future__ import annotations

import enum
import secrets
import threading
import time
from dataclasses import dataclass, field, replace


class TokenProblem(enum.StrEnum):
    MISSING = "missing"
    INVALID = "invalid"
    EXPIRED = "expired"
    REVOKED = "revoked"


class TokenRejected(Exception):
    """The token cannot be used; `problem` says why so the sim can word its 401."""

    def __init__(self, problem: TokenProblem) -> None:
        super().__init__(f"token {problem.value}")
        self.problem = problem


@dataclass(frozen=True, slots=True)
class TokenInfo:
    platform: str
    account: str  # brand handle
    access_token: str
    refresh_token: str | None = None
    expires_at: float | None = None  # epoch seconds; None: never expires
    scopes: tuple[str, ...] = ()
    revoked: bool = False
    natural_expires_at: float | None = None  # what `restore` goes back to after `expire`

    @property
    def expires_in(self) -> int | None:
        if self.expires_at is None:
            return None
        return max(0, int(self.expires_at - time.time()))


@dataclass
class TokenRegistry:
    """Access and refresh tokens by platform. Thread-safe (the sims run on uvicorn's loop,
    the admin client and tests may call in from other threads)."""

    _by_access: dict[tuple[str, str], TokenInfo] = field(default_factory=dict)
    _by_refresh: dict[tuple[str, str], TokenInfo] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def issue(
        self,
        platform: str,
        account: str,
        *,
        ttl_s: float | None = None,
        with_refresh: bool = False,
        scopes: tuple[str, ...] = (),
        access_token: str | None = None,
    ) -> TokenInfo:
        """A new token for `account`; `access_token` fixes its value (seeded demo tokens)."""
        expires_at = time.time() + ttl_s if ttl_s is not None else None
        info = TokenInfo(
            platform=platform,
            account=account,
            access_token=access_token or f"sbx-{platform}-{secrets.token_urlsafe(18)}",
            refresh_token=f"sbr-{platform}-{secrets.token_urlsafe(18)}" if with_refresh else None,
            expires_at=expires_at,
            scopes=scopes,
            natural_expires_at=expires_at,
        )
        with self._lock:
            self._by_access[(platform, info.access_token)] = info
            if info.refresh_token:
                self._by_refresh[(platform, info.refresh_token)] = info
        return info

    def check(self, platform: str, token: str | None) -> TokenInfo:
        """The token's owner, or TokenRejected (missing, invalid, expired, revoked)."""
        if not token:
            raise TokenRejected(TokenProblem.MISSING)
        with self._lock:
            info = self._by_access.get((platform, token))
        if info is None:
            raise TokenRejected(TokenProblem.INVALID)
        if info.revoked:
            raise TokenRejected(TokenProblem.REVOKED)
        if info.expires_at is not None and info.expires_at <= time.time():
            raise TokenRejected(TokenProblem.EXPIRED)
        return info

    def check_bearer(self, platform: str, authorization: str | None) -> TokenInfo:
        """`Authorization: Bearer <token>` checked as in `check`."""
        scheme, _, token = (authorization or "").partition(" ")
        if scheme.lower() != "bearer":
            raise TokenRejected(TokenProblem.MISSING)
        return self.check(platform, token.strip())

    def refresh(self, platform: str, refresh_token: str, *, ttl_s: float | None) -> TokenInfo:
        """Rotate: the old refresh token is used up and a new pair is issued."""
        with self._lock:
            old = self._by_refresh.pop((platform, refresh_token), None)
        if old is None:
            raise TokenRejected(TokenProblem.INVALID)
        if old.revoked:
            raise TokenRejected(TokenProblem.REVOKED)
        return self.issue(
            platform, old.account, ttl_s=ttl_s, with_refresh=True, scopes=old.scopes
        )

    def expire(self, platform: str, account: str) -> int:
        """Every access token of the account is expired now (refresh tokens still work)."""
        return self._update(platform, account, expires_at=time.time() - 1)

    def revoke(self, platform: str, account: str) -> int:
        """Access and refresh tokens of the account stop working (the user must sign in)."""
        return self._update(platform, account, revoked=True)

    def restore(self, platform: str, account: str) -> int:
        """Undo expire/revoke for the account's tokens (their own lifetime still applies)."""
        count = 0
        with self._lock:
            for table in (self._by_access, self._by_refresh):
                for key, info in table.items():
                    if info.platform == platform and info.account == account:
                        table[key] = replace(info, revoked=False,
                                             expires_at=info.natural_expires_at)
                        count += 1
        return count

    def restore_all(self) -> None:
        with self._lock:
            keys = {(i.platform, i.account) for i in self._by_access.values()}
        for platform, account in keys:
            self.restore(platform, account)

    def _update(self, platform: str, account: str, **changes: object) -> int:
        count = 0
        with self._lock:
            for table in (self._by_access, self._by_refresh):
                for key, info in table.items():
                    if info.platform == platform and info.account == account:
                        table[key] = replace(info, **changes)  # type: ignore[arg-type]
                        count += 1
        return count
