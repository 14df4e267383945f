"""`sync [--once] [--account ID]`: the engine without a window."""

from __future__ import annotations

import argparse
import asyncio

from desktop.cli.common import emit, open_store
from desktop.domain.enums import AccountStatus
from desktop.domain.errors import SyncError, UserError
from desktop.secrets import SecretStore
from desktop.store import Store, accounts
from desktop.store.inbound import StoreInbound
from desktop.store.ingest import record_sent
from desktop.sync.engine import SyncEngine, registry_client_factory
from desktop.sync.store_outbox import StoreOutbox


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("sync", help="pull new items and send queued replies")
    parser.add_argument("--once", action="store_true", help="catch up, drain the outbox, exit")
    parser.add_argument("--account", type=int, help="only this account")
    parser.set_defaults(func=_sync)


def build_engine(store: Store, account_id: int | None = None) -> SyncEngine:
    secrets = SecretStore(profile=store.profile_id)
    make_client = registry_client_factory(secrets)
    engine = SyncEngine(StoreInbound(store), StoreOutbox(store.run, on_sent=record_sent))
    with store.reader() as session:
        chosen = [
            a
            for a in accounts.list_accounts(session)
            if (account_id is None or a.id == account_id) and a.status is AccountStatus.ACTIVE
        ]
    if account_id is not None and not chosen:
        raise UserError(f"no active account with id {account_id}")
    for account in chosen:
        credentials = secrets.load(account.id)
        if credentials is None:
            raise UserError(f"account {account.id} has no token in the keyring; add it again")
        engine.add(account, make_client(account, credentials))
    return engine


async def _run(store: Store, args: argparse.Namespace) -> dict[int, SyncError | None]:
    engine = build_engine(store, args.account)
    try:
        if args.once:
            return await engine.run_once()
        engine.start()
        await asyncio.Event().wait()  # until Ctrl-C
        return {}
    finally:
        await engine.stop()


def _sync(args: argparse.Namespace) -> int:
    with open_store(args) as store:
        results = asyncio.run(_run(store, args))
    failures = {a: e for a, e in results.items() if e is not None}
    human = "\n".join(
        f"account {a}: {'ok' if e is None else f'{e.kind.value}: {e}'}" for a, e in results.items()
    )
    emit(args, {str(a): (None if e is None else str(e)) for a, e in results.items()}, human)
    return 3 if failures else 0
