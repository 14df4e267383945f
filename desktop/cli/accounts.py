"""`accounts add|list|remove`: tokens go to the keyring, the account row to the store."""

from __future__ import annotations

import argparse
import asyncio

from desktop.cli.common import emit, open_store
from desktop.domain.enums import Platform
from desktop.domain.errors import UserError
from desktop.platforms.registry import Connection, platform_module
from desktop.secrets import SecretStore
from desktop.store import accounts


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("accounts", help="connect, list and remove brand accounts")
    verbs = parser.add_subparsers(dest="verb", required=True)
    add = verbs.add_parser("add", help="connect an account")
    add.add_argument("platform", choices=[p.value for p in Platform])
    add.add_argument("--sandbox", metavar="URL", help="connect a sandbox brand account")
    add.add_argument("--server", metavar="URL", help="the platform's API base URL")
    add.add_argument("--token", help="Mastodon access token")
    add.add_argument("--handle", help="account handle (Bluesky; sandbox: which brand)")
    add.add_argument("--app-password", help="Bluesky app password")
    add.add_argument("--brand", help="brand name (default: the account's display name)")
    add.set_defaults(func=_add)
    lst = verbs.add_parser("list", help="list connected accounts")
    lst.set_defaults(func=_list)
    rm = verbs.add_parser("remove", help="remove an account and its token")
    rm.add_argument("id", type=int)
    rm.add_argument("--keep-history", action="store_true", help="keep its conversations")
    rm.set_defaults(func=_remove)


async def _connect(args: argparse.Namespace) -> Connection:
    module = platform_module(args.platform)
    if args.sandbox:
        connection: Connection = await module.connect_sandbox(args.sandbox, args.handle)
        return connection
    if args.platform == Platform.MASTODON.value:
        if not (args.server and args.token):
            raise UserError("mastodon needs --server URL --token TOKEN (or --sandbox URL)")
        connection = await module.connect_token(args.server, args.token)
        return connection
    if args.platform == Platform.BLUESKY.value:
        if not (args.server and args.handle and args.app_password):
            raise UserError("bluesky needs --server URL --handle H --app-password P")
        connection = await module.connect_app_password(args.server, args.handle, args.app_password)
        return connection
    raise UserError(
        f"{args.platform} accounts are connected from the app's accounts dialog (OAuth in the "
        "browser / your Meta app); from the command line use --sandbox URL"
    )


def _add(args: argparse.Namespace) -> int:
    secrets = SecretStore()  # fail before touching the platform if the keyring is unusable
    connection = asyncio.run(_connect(args))
    with open_store(args) as store:

        def save(session):  # type: ignore[no-untyped-def]
            brand = accounts.ensure_brand(session, args.brand or connection.display_name)
            accounts.ensure_me(session)
            return accounts.add_account(
                session,
                brand_id=brand.id,
                platform=connection.platform,
                handle=connection.handle,
                base_url=connection.base_url,
                display_name=connection.display_name,
                platform_user_id=connection.platform_user_id,
                settings=dict(connection.settings),
            )

        account = store.run_sync(save)
        try:
            secrets.save(account.id, connection.credentials)
        except Exception:
            store.run_sync(lambda s: accounts.remove_account(s, account.id))
            raise
    emit(
        args,
        account,
        f"connected {account.platform.value} {account.handle} as account {account.id}",
    )
    return 0


def _list(args: argparse.Namespace) -> int:
    with open_store(args) as store, store.reader() as session:
        rows = accounts.list_accounts(session)
    human = "\n".join(
        f"{a.id:>4}  {a.platform.value:<10} {a.handle:<30} {a.status.value}  {a.base_url}"
        for a in rows
    )
    emit(args, rows, human or "no accounts yet: python -m desktop accounts add --help")
    return 0


def _remove(args: argparse.Namespace) -> int:
    with open_store(args) as store:
        store.run_sync(
            lambda s: accounts.remove_account(s, args.id, keep_history=args.keep_history)
        )
    SecretStore().delete(args.id)
    emit(args, {"removed": args.id}, f"removed account {args.id}")
    return 0
