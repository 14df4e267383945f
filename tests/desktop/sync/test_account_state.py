from datetime import UTC, datetime

from desktop.domain.errors import SyncError, SyncErrorKind
from desktop.sync.account_state import AccountState, AccountStates, Phase


def test_errors_map_to_phases_and_listeners_hear_each_change() -> None:
    states = AccountStates()
    seen: list[AccountState] = []
    unsubscribe = states.subscribe(seen.append)
    until = datetime(2030, 1, 1, tzinfo=UTC)
    states.syncing(1, 0.5, "mentions")
    states.failed(1, SyncError(SyncErrorKind.RATE_LIMITED, "429", retry_at=until))
    states.failed(2, SyncError(SyncErrorKind.AUTH, "expired"))
    states.failed(3, SyncError(SyncErrorKind.OFFLINE, "no route"))
    states.failed(4, SyncError(SyncErrorKind.TRANSIENT, "502"))
    assert [s.phase for s in seen] == [
        Phase.SYNCING,
        Phase.RATE_LIMITED,
        Phase.NEEDS_REAUTH,
        Phase.OFFLINE,
        Phase.FAILING,
    ]
    assert states.get(1).until == until
    assert states.get(4).error == "502"
    unsubscribe()
    states.online(1)
    assert len(seen) == 5
    assert states.get(1).phase is Phase.ONLINE


def test_same_state_is_not_renotified_and_broken_listener_is_isolated() -> None:
    states = AccountStates()
    seen: list[AccountState] = []

    def broken(_: AccountState) -> None:
        raise RuntimeError("view gone")

    states.subscribe(broken)
    states.subscribe(seen.append)
    states.online(7)
    states.online(7)
    assert len(seen) == 1
