"""Opening a workspace: the demo (sandbox + generated past + live sync) or a profile's store
with its sync engine. Failures become an explanatory empty state, never a crash.

A real profile always gets a running `SyncEngine` (even with no account yet), so the
accounts dialog can attach a newly connected account to it. Tokens come from the OS keyring
(desktop.secrets); an account whose token is missing, or a machine without a secure keyring,
shows as "needs sign-in" in the sidebar instead of stopping the others.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import tempfile
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

log = logging.getLogger("switchboard")

DEMO_HISTORY = 2000  # generated messages behind the live demo

NO_ACCOUNT = (
    "No account is connected yet. Connect one (Tools ▸ Accounts…, or "
    "`python -m desktop accounts add`), or open the live demo."
)


@dataclass
class Workspace:
    """What the window shows and how to put it away."""

    source: Any = None  # InboxSource | None
    context: Any = None  # ui.context.AppContext | None: store, engine, me for the panels
    reason: str = ""  # shown in the empty state when source is None
    message: str = ""  # shown in the status bar once open
    first_run: bool = False  # no account yet: offer "Connect an account" / "Open the demo"
    closers: list[Callable[[], Awaitable[None]]] = field(default_factory=list)
    background: set[asyncio.Task[Any]] = field(default_factory=set)
    notify: Callable[[str], None] | None = None  # the window's status line, once shown

    def say(self, text: str) -> None:
        self.message = text
        if self.notify is not None:
            self.notify(text)

    async def close(self) -> None:
        for task in list(self.background):
            task.cancel()
        await asyncio.gather(*self.background, return_exceptions=True)
        for closer in reversed(self.closers):
            try:
                await closer()
            except Exception:
                log.exception("shutdown step failed")


def keep_triage_current(
    store: Any, loop: asyncio.AbstractEventLoop
) -> Callable[[], Awaitable[None]]:
    """Backfill triage (the demo's generated past, an older profile), age due times and
    re-score what the user changes while the workspace is open
    (desktop/store/triage_upkeep.py); returns the closer that stops it."""
    from desktop.store.triage_upkeep import TriageUpkeep

    upkeep = TriageUpkeep(store)
    upkeep.start(loop)
    return upkeep.stop


async def open_workspace(args: argparse.Namespace) -> Workspace:
    try:
        from desktop.store import Store, accounts
        from desktop.store.paths import database_path
        from ui.context import AppContext
        from ui.data_source import StoreSource
    except ImportError as exc:  # a broken install: show it, do not crash
        log.exception("store unavailable")
        return Workspace(reason=f"The local store is not available in this build ({exc}).")
    if args.demo:
        return await open_demo(args.profile)
    loop = asyncio.get_running_loop()
    try:
        store = Store.open(database_path(args.profile))
    except Exception as exc:  # StoreError: locked, corrupt, newer schema...
        log.exception("store failed to open")
        return Workspace(reason=f"The profile could not be opened: {exc}")

    async def close_store() -> None:
        store.close()

    workspace = Workspace(closers=[close_store, keep_triage_current(store, loop)])
    with store.reader() as session:
        connected = accounts.list_accounts(session)
    engine, problem = await start_sync(store, connected)
    if engine is not None:

        async def stop_sync() -> None:
            await engine.stop()

        workspace.closers.append(stop_sync)  # closers run in reverse: sync stops first
    source = StoreSource(store, loop)
    workspace.source = source
    workspace.context = AppContext(
        store=store, loop=loop, engine=engine, me_id=source.me_id, profile=args.profile
    )
    workspace.message = problem
    if not connected:
        workspace.first_run = True
        workspace.message = NO_ACCOUNT
    return workspace


async def start_sync(store: Any, connected: list[Any]) -> tuple[Any, str]:
    """A running engine for the profile's active accounts, and what kept any from syncing."""
    from desktop.auth.lifecycle import make_client
    from desktop.domain.enums import AccountStatus
    from desktop.domain.errors import SwitchboardError, SyncError, SyncErrorKind
    from desktop.store.inbound import StoreInbound
    from desktop.store.ingest import record_sent
    from desktop.sync.engine import SyncEngine
    from desktop.sync.store_outbox import StoreOutbox

    engine = SyncEngine(StoreInbound(store), StoreOutbox(store.run, on_sent=record_sent))
    active = [a for a in connected if a.status is AccountStatus.ACTIVE]
    problem = ""
    vault: Any = None
    if active:
        try:
            from desktop.secrets import SecretStore

            profile = store.profile_id
            # D-Bus: not on the UI thread
            vault = await asyncio.to_thread(lambda: SecretStore(profile=profile))
        except (SwitchboardError, ImportError) as exc:
            problem = f"Sync is off: {exc}"
            log.warning("no keyring: %s", exc)
    for account in active:
        credentials = None
        if vault is not None:
            try:
                credentials = await vault.aload(account.id)
            except SwitchboardError as exc:
                log.warning("keyring read failed for account %s: %s", account.id, exc)
        if credentials is None:
            reason = "no token in the keyring: sign in again (Tools ▸ Accounts…)"
            engine.states.failed(account.id, SyncError(SyncErrorKind.AUTH, reason))
            continue
        engine.add(account, make_client(account, credentials, vault))
    engine.start()
    return engine, problem


async def open_demo(profile: Path | None) -> Workspace:
    """The live demo in a throw-away profile (or `profile`): a generated past shown at once,
    then the sandbox accounts sign in and live traffic syncs in while the user looks."""
    from desktop.store.paths import default_profile_dir
    from ui.context import AppContext
    from ui.data_source import StoreSource

    try:
        from desktop.demo import live
    except ImportError as exc:
        return Workspace(reason=f"The demo is not available in this build ({exc}).")
    folder = profile or Path(tempfile.mkdtemp(prefix="switchboard-demo-"))
    try:
        demo = await live.prepare(folder, history=DEMO_HISTORY)
    except Exception as exc:
        log.exception("demo failed to start")
        return Workspace(reason=f"The demo could not start: {exc}")

    async def stop_demo() -> None:
        await live.stop(demo)

    loop = asyncio.get_running_loop()
    source = StoreSource(demo.store, loop)
    context = AppContext(
        store=demo.store,
        loop=loop,
        engine=demo.engine,
        me_id=source.me_id,
        profile=folder,
        demo=True,
        sandbox_url=demo.sandbox.base_url,
        settings_dir=None if profile is not None else default_profile_dir() / "demo-layout",
    )
    closers = [stop_demo, keep_triage_current(demo.store, loop)]
    workspace = Workspace(source=source, context=context, closers=closers)
    workspace.message = "Demo workspace: signing in to the sandbox's accounts…"

    async def connect() -> None:
        try:
            await live.connect(demo)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.exception("demo accounts failed to sign in")
            workspace.say(f"The demo accounts could not sign in: {exc}")
            return
        workspace.say("Demo workspace: live traffic from the sandbox")

    workspace.background.add(loop.create_task(connect(), name="demo-connect"))
    return workspace
