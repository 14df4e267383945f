from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from desktop.domain.enums import OpKind, OutboxState
from desktop.domain.errors import SyncError, SyncErrorKind
from desktop.domain.outbox import InvalidTransition, check_transition
from desktop.sync.memory_outbox import MemoryOutbox
from desktop.sync.remote_send import drain, run_item
from tests.desktop.sync.aio import run
from tests.desktop.sync.fake_client import FakeClient, brand_reply


def _queue(outbox: MemoryOutbox, n: int = 1, grace: float = 0.0) -> list[int]:
    return [
        outbox.enqueue(
            account_id=1,
            conversation_id=10 + i,
            text=f"hello {i}",
            thread_key=f"t{i}",
            in_reply_to=f"m{i}",
            grace_seconds=grace,
        ).id
        for i in range(n)
    ]


async def _drain_all(client: FakeClient, outbox: MemoryOutbox) -> None:
    """Drain, ignoring backoff delays (time is not what these tests are about)."""
    for _ in range(50):
        await drain(client, outbox, 1)
        open_items = [i for i in outbox.items.values() if i.is_open]
        if not open_items:
            return
        for i in open_items:
            outbox.items[i.id] = i.__class__(**{**_fields(i), "not_before": datetime.now(UTC)})
    raise AssertionError("outbox did not drain")


def _fields(item: object) -> dict[str, object]:
    return {name: getattr(item, name) for name in item.__slots__}  # type: ignore[attr-defined]


@run
async def test_timeout_after_commit_is_reconciled_not_resent() -> None:
    outbox = MemoryOutbox()
    (item_id,) = _queue(outbox)
    client = FakeClient(send_faults=[(SyncError(SyncErrorKind.UNCERTAIN, "timeout"), True)])
    await drain(client, outbox, 1)
    assert outbox.items[item_id].state is OutboxState.UNCERTAIN
    await _drain_all(client, outbox)
    assert outbox.items[item_id].state is OutboxState.SENT
    assert len(client.posted) == 1


@run
async def test_5xx_without_commit_is_resent_once_after_reconcile() -> None:
    outbox = MemoryOutbox()
    (item_id,) = _queue(outbox)
    client = FakeClient(send_faults=[(SyncError(SyncErrorKind.TRANSIENT, "502"), False)])
    await _drain_all(client, outbox)
    assert outbox.items[item_id].state is OutboxState.SENT
    assert len(client.posted) == 1


@run
async def test_reconcile_failure_keeps_item_uncertain() -> None:
    outbox = MemoryOutbox()
    (item_id,) = _queue(outbox)
    client = FakeClient(
        send_faults=[(SyncError(SyncErrorKind.UNCERTAIN, "reset"), False)],
        find_faults=[SyncError(SyncErrorKind.OFFLINE, "down")],
    )
    await drain(client, outbox, 1)
    item = outbox.items[item_id]
    outbox.items[item_id] = item.__class__(**{**_fields(item), "not_before": datetime.now(UTC)})
    error = await drain(client, outbox, 1)
    assert error is not None and error.kind is SyncErrorKind.OFFLINE
    assert outbox.items[item_id].state is OutboxState.UNCERTAIN
    assert client.posted == []


@run
async def test_crash_mid_flight_becomes_uncertain_and_is_found() -> None:
    outbox = MemoryOutbox()
    (item_id,) = _queue(outbox)
    await outbox.transition(item_id, OutboxState.SENDING)
    client = FakeClient()
    client.posted.append((outbox.items[item_id].idempotency_key, "t0", "hello 0"))  # it did go out
    assert await outbox.recover_in_flight(1) == 1
    await _drain_all(client, outbox)
    assert outbox.items[item_id].state is OutboxState.SENT
    assert len(client.posted) == 1


@run
async def test_offline_and_429_requeue_with_retry_at() -> None:
    outbox = MemoryOutbox()
    (item_id,) = _queue(outbox)
    until = datetime.now(UTC) + timedelta(seconds=30)
    client = FakeClient(
        send_faults=[(SyncError(SyncErrorKind.RATE_LIMITED, "429", retry_at=until), False)]
    )
    error = await drain(client, outbox, 1)
    assert error is not None and error.kind is SyncErrorKind.RATE_LIMITED
    item = outbox.items[item_id]
    assert item.state is OutboxState.QUEUED
    assert abs((item.not_before - until).total_seconds()) < 1
    assert await drain(client, outbox, 1) is None  # not due yet: nothing sent
    assert client.posted == []


@run
async def test_permanent_failure_is_kept_with_reason_and_requeueable() -> None:
    outbox = MemoryOutbox()
    (item_id,) = _queue(outbox)
    client = FakeClient(send_faults=[(SyncError(SyncErrorKind.PERMANENT, "too long"), False)])
    await drain(client, outbox, 1)
    assert outbox.items[item_id].state is OutboxState.FAILED
    assert outbox.items[item_id].error == "too long"
    await outbox.transition(item_id, OutboxState.QUEUED)
    await _drain_all(client, outbox)
    assert outbox.items[item_id].state is OutboxState.SENT


@run
async def test_undo_grace_period_holds_the_item_back() -> None:
    outbox = MemoryOutbox()
    (item_id,) = _queue(outbox, grace=10.0)
    client = FakeClient()
    await drain(client, outbox, 1)
    assert client.posted == []
    await outbox.transition(item_id, OutboxState.CANCELLED)
    with pytest.raises(InvalidTransition):
        await outbox.transition(item_id, OutboxState.SENDING)


@run
async def test_collision_on_platform_or_in_store_holds() -> None:
    outbox = MemoryOutbox()
    first, second = _queue(outbox, 2)
    client = FakeClient(brand_replies=[brand_reply("t0", "colleague-1")])
    outbox.brand_messages[11].append("native-app-7")  # synced into the store after the draft
    await _drain_all(client, outbox)
    assert outbox.items[first].state is OutboxState.HELD
    assert "colleague-1" in (outbox.items[first].error or "")
    assert outbox.items[second].state is OutboxState.HELD
    assert "native-app-7" in (outbox.items[second].error or "")
    assert client.posted == []


@run
async def test_direct_message_is_sent_without_collision_check() -> None:
    outbox = MemoryOutbox()
    item = outbox.enqueue(
        account_id=1,
        conversation_id=5,
        text="dm",
        thread_key="dm-1",
        in_reply_to=None,
        op=OpKind.DIRECT_MESSAGE,
        grace_seconds=0,
    )
    client = FakeClient(brand_replies=[brand_reply("dm-1", "x")])
    outcome = await run_item(client, outbox, item)
    assert outcome.item.state is OutboxState.SENT


def test_transition_table_forbids_resend_of_uncertain_and_sent() -> None:
    with pytest.raises(InvalidTransition):
        check_transition(OutboxState.UNCERTAIN, OutboxState.SENDING)
    with pytest.raises(InvalidTransition):
        check_transition(OutboxState.SENT, OutboxState.QUEUED)


@run
async def test_brand_reply_to_another_message_of_the_thread_is_no_collision() -> None:
    outbox = MemoryOutbox()
    (item_id,) = _queue(outbox)
    other = replace(brand_reply("t0", "b-9"), in_reply_to="some-other-comment")
    client = FakeClient(brand_replies=[other])
    await _drain_all(client, outbox)
    assert outbox.items[item_id].state is OutboxState.SENT
