"""The outbox repository: durable outbox items, every change one statement in the caller's
transaction.

Functions take the writer thread's `Session` (`await store.run(lambda s: outbox.enqueue(s, ...))`)
so an op's local phase can enqueue in the same transaction as its visible change. Transitions are
checked against desktop.domain.outbox.ALLOWED, so a forbidden move (e.g. resending an uncertain
item) fails loudly instead of posting twice.

Expected table (defined in store/schema.py by the store owner; columns this module needs):
  outbox(id INTEGER PRIMARY KEY, account_id, conversation_id, op, text, thread_key,
         in_reply_to, idempotency_key UNIQUE, state, created_at, not_before,
         since_platform_id, attempts, error, platform_id, url, updated_at)
Times are naive UTC in SQLAlchemy's SQLite DateTime text format, so they compare as strings.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from desktop.domain.enums import OpKind, OutboxState
from desktop.domain.errors import UserError
from desktop.domain.outbox import (
    UNDO_GRACE_SECONDS,
    OutboxItem,
    check_transition,
    new_idempotency_key,
)

_FMT = "%Y-%m-%d %H:%M:%S.%f"
_COLUMNS = (
    "id, account_id, conversation_id, op, text, thread_key, in_reply_to, idempotency_key, "
    "state, created_at, not_before, since_platform_id, attempts, error, platform_id, url"
)
_OPEN = (OutboxState.QUEUED.value, OutboxState.UNCERTAIN.value)


def _db_time(value: datetime) -> str:
    return value.astimezone(UTC).replace(tzinfo=None).strftime(_FMT)


def _py_time(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value
    return datetime.strptime(str(value), _FMT).replace(tzinfo=UTC)


def _item(row: Any) -> OutboxItem:
    m = row._mapping
    return OutboxItem(
        id=m["id"],
        account_id=m["account_id"],
        conversation_id=m["conversation_id"],
        op=OpKind(m["op"]),
        text=m["text"],
        thread_key=m["thread_key"],
        in_reply_to=m["in_reply_to"],
        idempotency_key=m["idempotency_key"],
        state=OutboxState(m["state"]),
        created_at=_py_time(m["created_at"]),
        not_before=_py_time(m["not_before"]),
        since_platform_id=m["since_platform_id"],
        attempts=m["attempts"] or 0,
        error=m["error"],
        platform_id=m["platform_id"],
        url=m["url"],
    )


def enqueue(
    session: Session,
    *,
    account_id: int,
    conversation_id: int,
    text_: str,
    thread_key: str,
    in_reply_to: str | None,
    op: OpKind = OpKind.REPLY,
    grace_seconds: float = UNDO_GRACE_SECONDS,
    since_platform_id: str | None = None,
    now: datetime | None = None,
) -> OutboxItem:
    """Add a queued item; its idempotency key is chosen and stored here, before any request."""
    now = now or datetime.now(UTC)
    params = {
        "account_id": account_id,
        "conversation_id": conversation_id,
        "op": op.value,
        "text": text_,
        "thread_key": thread_key,
        "in_reply_to": in_reply_to,
        "key": new_idempotency_key(),
        "state": OutboxState.QUEUED.value,
        "created_at": _db_time(now),
        "not_before": _db_time(now + timedelta(seconds=grace_seconds)),
        "since": since_platform_id,
    }
    row_id = session.execute(
        text(
            "INSERT INTO outbox (account_id, conversation_id, op, text, thread_key, in_reply_to,"
            " idempotency_key, state, created_at, not_before, since_platform_id, attempts,"
            " updated_at) VALUES (:account_id, :conversation_id, :op, :text, :thread_key,"
            " :in_reply_to, :key, :state, :created_at, :not_before, :since, 0, :created_at)"
            " RETURNING id"
        ),
        params,
    ).scalar_one()
    return get(session, int(row_id))


def get(session: Session, item_id: int) -> OutboxItem:
    row = session.execute(
        text(f"SELECT {_COLUMNS} FROM outbox WHERE id = :id"), {"id": item_id}
    ).first()
    if row is None:
        raise UserError(f"no outbox item {item_id}")
    return _item(row)


def next_due(session: Session, account_id: int, now: datetime) -> OutboxItem | None:
    row = session.execute(
        text(
            f"SELECT {_COLUMNS} FROM outbox WHERE account_id = :a AND state IN (:q, :u)"
            " AND not_before <= :now ORDER BY not_before, id LIMIT 1"
        ),
        {"a": account_id, "q": _OPEN[0], "u": _OPEN[1], "now": _db_time(now)},
    ).first()
    return _item(row) if row is not None else None


def next_wake(session: Session, account_id: int) -> datetime | None:
    value = session.execute(
        text("SELECT MIN(not_before) FROM outbox WHERE account_id = :a AND state IN (:q, :u)"),
        {"a": account_id, "q": _OPEN[0], "u": _OPEN[1]},
    ).scalar()
    return _py_time(value) if value is not None else None


def transition(
    session: Session,
    item_id: int,
    new: OutboxState,
    *,
    error: str | None = None,
    platform_id: str | None = None,
    url: str | None = None,
    not_before: datetime | None = None,
    count_attempt: bool = False,
    text_: str | None = None,
) -> OutboxItem:
    """Move an item to `new` (checked) and record the outcome; `text_` edits a failed/held one."""
    current = get(session, item_id)
    check_transition(current.state, new)
    if text_ is not None and current.state not in (OutboxState.FAILED, OutboxState.HELD):
        raise UserError("only failed or held items can be edited")
    session.execute(
        text(
            "UPDATE outbox SET state = :state, error = :error,"
            " platform_id = COALESCE(:pid, platform_id), url = COALESCE(:url, url),"
            " not_before = COALESCE(:nb, not_before), attempts = attempts + :inc,"
            " text = COALESCE(:text, text), updated_at = :now WHERE id = :id"
        ),
        {
            "state": new.value,
            "error": error,
            "pid": platform_id,
            "url": url,
            "nb": _db_time(not_before) if not_before else None,
            "inc": 1 if count_attempt else 0,
            "text": text_,
            "now": _db_time(datetime.now(UTC)),
            "id": item_id,
        },
    )
    return get(session, item_id)


def recover_in_flight(session: Session, account_id: int) -> int:
    """After a crash: items found `sending` have an unknown outcome, so they become uncertain."""
    result = session.execute(
        text(
            "UPDATE outbox SET state = :u, error = 'interrupted while sending'"
            " WHERE account_id = :a AND state = :s"
        ),
        {"u": OutboxState.UNCERTAIN.value, "s": OutboxState.SENDING.value, "a": account_id},
    )
    return int(getattr(result, "rowcount", 0) or 0)


def list_items(
    session: Session,
    *,
    account_id: int | None = None,
    states: Iterable[OutboxState] | None = None,
    limit: int = 200,
) -> Sequence[OutboxItem]:
    clauses: list[str] = []
    params: dict[str, object] = {"limit": limit}
    if account_id is not None:
        clauses.append("account_id = :a")
        params["a"] = account_id
    if states is not None:
        names = [s.value for s in states]
        keys = [f"s{i}" for i in range(len(names))]
        clauses.append(f"state IN ({', '.join(':' + k for k in keys)})")
        params.update(dict(zip(keys, names, strict=True)))
    where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
    rows = session.execute(
        text(f"SELECT {_COLUMNS} FROM outbox {where} ORDER BY id DESC LIMIT :limit"), params
    )
    return [_item(r) for r in rows]


def retry(session: Session, item_id: int, *, text_: str | None = None) -> OutboxItem:
    """The user re-queues a failed or held item (optionally edited); it may leave at once."""
    return transition(
        session, item_id, OutboxState.QUEUED, not_before=datetime.now(UTC), text_=text_
    )


def cancel(session: Session, item_id: int) -> OutboxItem:
    """Undo send (within the grace period) or drop a failed/held item. Never deletes the row."""
    return transition(session, item_id, OutboxState.CANCELLED)
