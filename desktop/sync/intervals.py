"""How often each account's streams are polled: the platform default, then the user's choice.

Precedence (later wins): built-in platform defaults (X bills every read, so it is polled far
less often) < the user's per-platform choice (`platform_overrides`, e.g. from the profile's
settings) < the account's own `settings["sync_interval_seconds"]` (a number for every stream,
or `{stream: seconds}`) < intervals passed explicitly by the caller.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from desktop.domain.enums import StreamKind
from desktop.domain.errors import UserError
from desktop.domain.models import Account

SETTINGS_KEY = "sync_interval_seconds"
MIN_SECONDS = 15.0  # below this a poll costs more rate limit than it brings
MAX_SECONDS = 24 * 3600.0

# X bills every read: poll it far less often by default.
PLATFORM_DEFAULTS: dict[str, dict[StreamKind, float]] = {
    "x": {s: 900.0 for s in StreamKind},
}

# a per-platform or per-account choice: seconds for all streams, or seconds per stream
Choice = float | int | Mapping[StreamKind | str, float | int]


def _check(seconds: float) -> float:
    value = float(seconds)
    if not MIN_SECONDS <= value <= MAX_SECONDS:
        raise UserError(
            f"a sync interval must be between {MIN_SECONDS:.0f} s and {MAX_SECONDS / 3600:.0f} h"
        )
    return value


def expand(choice: Choice | None) -> dict[StreamKind, float]:
    """A choice as {stream: seconds} (a bare number applies to every stream)."""
    if choice is None:
        return {}
    if isinstance(choice, int | float):
        seconds = _check(choice)
        return {s: seconds for s in StreamKind}
    if not isinstance(choice, Mapping):
        raise UserError(f"not a sync interval: {choice!r}")
    return {StreamKind(k): _check(v) for k, v in choice.items()}


def resolve(
    account: Account,
    platform_overrides: Mapping[str, Choice] | None = None,
    explicit: Mapping[StreamKind, float] | None = None,
) -> dict[StreamKind, float]:
    """The intervals an account's worker runs with (streams not named use the worker default)."""
    chosen = dict(PLATFORM_DEFAULTS.get(account.platform.value, {}))
    chosen.update(expand((platform_overrides or {}).get(account.platform.value)))
    try:
        chosen.update(expand(account.settings.get(SETTINGS_KEY)))
    except (UserError, ValueError):
        pass  # a bad stored value must not stop the account from syncing at the defaults
    chosen.update(explicit or {})
    return chosen


def save_account_interval(session: Session, account_id: int, seconds: float | None) -> None:
    """Store the account's own interval (None: back to the platform's). Run on the writer."""
    from desktop.store.schema import AccountRow

    row = session.get(AccountRow, account_id)
    if row is None:
        raise UserError(f"no account with id {account_id}")
    settings: dict[str, Any] = dict(row.settings or {})
    if seconds is None:
        settings.pop(SETTINGS_KEY, None)
    else:
        settings[SETTINGS_KEY] = _check(seconds)
    row.settings = settings  # a new dict: the JSON column sees the change
