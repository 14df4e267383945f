"""`accounts add|reauth|list|pause|resume|remove`: tokens go to the keyring, rows to the store.

Signing in (desktop.auth): Mastodon and X open the system browser (OAuth with PKCE, the
answer comes back to a loopback listener on 127.0.0.1); Bluesky takes an app password;
Facebook and Instagram take your Meta app's id and secret and a user token. Secrets that
are not given as options are asked for without echo when a terminal is attached, so they
need not end up in the shell history.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys
import webbrowser
from collections.abc import Callable

from desktop.auth import lifecycle
from desktop.auth.flows import ConnectRequest, connect, reauth_request
from desktop.cli.common import emit, open_store
from desktop.domain.enums import Platform
from desktop.domain.errors import UserError
from desktop.domain.models import Account
from desktop.secrets import SecretStore
from desktop.store import accounts

# (option dest, prompt) for secrets asked for at the terminal when missing
_SECRET_PROMPTS: dict[Platform, tuple[tuple[str, str], ...]] = {
    Platform.BLUESKY: (("app_password", "Bluesky app password: "),),
    Platform.FACEBOOK: (("client_secret", "Meta app secret: "), ("user_token", "User token: ")),
    Platform.INSTAGRAM: (("client_secret", "Meta app secret: "), ("user_token", "User token: ")),
}


def _sign_in_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--sandbox", metavar="URL", help="a sandbox brand account")
    parser.add_argument(
        "--server",
        metavar="URL",
        help="instance / PDS / API base URL (Mastodon: required; defaults: bsky.social, "
        "api.x.com, graph.facebook.com)",
    )
    parser.add_argument("--handle", help="Bluesky handle; Mastodon login hint; IG username")
    parser.add_argument("--token", help="Mastodon: an access token instead of signing in")
    parser.add_argument("--app-password", help="Bluesky app password (asked if missing)")
    parser.add_argument(
        "--client-id", "--app-id", dest="client_id", help="X OAuth 2.0 client id / Meta app id"
    )
    parser.add_argument(
        "--client-secret",
        "--app-secret",
        dest="client_secret",
        help="X confidential client secret / Meta app secret (Meta: asked if missing)",
    )
    parser.add_argument("--user-token", help="Meta: a Page admin's user token (asked if missing)")
    parser.add_argument("--page", help="Facebook: which Page (id, username or name)")
    parser.add_argument(
        "--callback-port", help="X: the port of your app's callback http://127.0.0.1:PORT/callback"
    )
    parser.add_argument(
        "--no-browser", action="store_true", help="print the sign-in URL instead of opening it"
    )
    parser.add_argument(
        "--timeout", type=float, default=300.0, help="seconds to wait for the browser sign-in"
    )


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("accounts", help="connect, list, pause and remove brand accounts")
    verbs = parser.add_subparsers(dest="verb", required=True)
    add = verbs.add_parser("add", help="connect an account")
    add.add_argument("platform", choices=[p.value for p in Platform])
    _sign_in_options(add)
    add.add_argument("--brand", help="brand name (default: the account's display name)")
    add.set_defaults(func=_add)
    reauth = verbs.add_parser("reauth", help="sign an account in again (new tokens)")
    reauth.add_argument("id", type=int)
    _sign_in_options(reauth)
    reauth.set_defaults(func=_reauth)
    lst = verbs.add_parser("list", help="list connected accounts")
    lst.set_defaults(func=_list)
    pause = verbs.add_parser("pause", help="stop syncing an account (queued replies wait)")
    pause.add_argument("id", type=int)
    pause.set_defaults(func=_pause)
    resume = verbs.add_parser("resume", help="sync a paused account again")
    resume.add_argument("id", type=int)
    resume.set_defaults(func=_resume)
    rm = verbs.add_parser("remove", help="remove an account and its token")
    rm.add_argument("id", type=int)
    history = rm.add_mutually_exclusive_group(required=True)
    history.add_argument(
        "--keep-history",
        dest="keep_history",
        action="store_true",
        help="keep its conversations (read-only; connecting it again picks them up)",
    )
    history.add_argument(
        "--delete-history",
        dest="keep_history",
        action="store_false",
        help="delete its conversations, messages, notes and drafts",
    )
    rm.set_defaults(func=_remove)


def _opener(args: argparse.Namespace) -> Callable[[str], bool]:
    """Show the authorize page: print its URL, and open the system browser unless told not."""

    def open_url(url: str) -> bool:
        print(f"Sign in in your browser; if it does not open, visit:\n  {url}", file=sys.stderr)
        return False if args.no_browser else webbrowser.open(url, new=1)

    return open_url


def _ask_secrets(args: argparse.Namespace, platform: Platform) -> None:
    if args.sandbox or not sys.stdin.isatty():
        return
    for dest, prompt in _SECRET_PROMPTS.get(platform, ()):
        if not getattr(args, dest):
            setattr(args, dest, getpass.getpass(prompt) or None)


def _request(args: argparse.Namespace, platform: Platform) -> ConnectRequest:
    return ConnectRequest(
        platform=platform,
        sandbox_url=args.sandbox,
        server=args.server,
        handle=args.handle,
        token=args.token,
        app_password=args.app_password,
        client_id=args.client_id,
        client_secret=args.client_secret,
        user_token=args.user_token,
        page=args.page,
        callback_port=args.callback_port,
    )


def _add(args: argparse.Namespace) -> int:
    platform = Platform(args.platform)
    if platform is Platform.MASTODON and not (args.server or args.sandbox):
        raise UserError("mastodon needs --server URL (your instance), or --sandbox URL")
    with open_store(args) as store:
        # fail before touching the platform if the keyring is unusable
        vault = SecretStore(profile=store.profile_id)
        _ask_secrets(args, platform)
        request = _request(args, platform)

        async def run() -> Account:
            connection = await connect(
                request, None if args.sandbox else _opener(args), timeout=args.timeout
            )
            return await lifecycle.add(store, vault, connection, brand=args.brand)

        account = asyncio.run(run())
    emit(
        args,
        account,
        f"connected {account.platform.value} {account.handle} as account {account.id}",
    )
    return 0


def _reauth(args: argparse.Namespace) -> int:
    with open_store(args) as store:
        vault = SecretStore(profile=store.profile_id)
        with store.reader() as session:
            account = accounts.get_account(session, args.id)
        _ask_secrets(args, account.platform)
        request = reauth_request(
            account, vault.load(account.id), **_request(args, account.platform).given()
        )

        async def run() -> Account:
            connection = await connect(
                request, None if request.sandbox_url else _opener(args), timeout=args.timeout
            )
            return await lifecycle.reauthenticate(store, vault, account.id, connection)

        updated = asyncio.run(run())
    emit(args, updated, f"account {updated.id} ({updated.handle}) signed in again")
    return 0


def _list(args: argparse.Namespace) -> int:
    with open_store(args) as store, store.reader() as session:
        rows = accounts.list_accounts(session)
        brands = {b.id: b.name for b in accounts.list_brands(session)}
    human = "\n".join(
        f"{a.id:>4}  {a.platform.value:<10} {a.handle:<30} {a.status.value:<12} "
        f"{brands.get(a.brand_id, '')}  {a.base_url}"
        for a in rows
    )
    emit(args, rows, human or "no accounts yet: python -m desktop accounts add --help")
    return 0


def _pause(args: argparse.Namespace) -> int:
    with open_store(args) as store:
        account = asyncio.run(lifecycle.pause(store, args.id))
    emit(args, account, f"paused account {account.id} ({account.handle})")
    return 0


def _resume(args: argparse.Namespace) -> int:
    with open_store(args) as store:
        account = asyncio.run(
            lifecycle.resume(store, SecretStore(profile=store.profile_id), args.id)
        )
    emit(args, account, f"resumed account {account.id} ({account.handle})")
    return 0


def _remove(args: argparse.Namespace) -> int:
    with open_store(args) as store:
        vault = SecretStore(profile=store.profile_id)
        asyncio.run(lifecycle.remove(store, vault, args.id, keep_history=args.keep_history))
    kept = "its conversations kept" if args.keep_history else "its conversations deleted"
    emit(
        args,
        {"removed": args.id, "kept_history": args.keep_history},
        f"removed account {args.id}; {kept}",
    )
    return 0
