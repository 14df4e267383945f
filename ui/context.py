"""What every panel of the window may reach: the open profile's store, its sync engine, who I am.

One small object handed to the window when a workspace opens (and `None` while none is open),
so panels (composer, notes, customer panel, accounts, reports, sync panel) get the real store
and engine without each of them growing the `InboxSource` protocol. Panels read with
`store.reader()` (short sessions on the UI thread) and write with `await store.run(fn)`
(the single writer thread); they refresh on the store's change records, like the list does.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the engine is imported lazily by the app; keep this module light
    from desktop.store.db import Store
    from desktop.sync.engine import SyncEngine


@dataclass
class AppContext:
    """The open workspace. `engine` is None when nothing syncs (no account connected yet)."""

    store: Store
    loop: asyncio.AbstractEventLoop
    engine: SyncEngine | None = None
    me_id: int | None = None
    profile: Path | None = None
    demo: bool = False
    # the sandbox's base URL in the demo (the accounts dialog offers its platforms)
    sandbox_url: str | None = None
    # where the window keeps its layout (default: the profile folder; the throw-away demo
    # profile keeps it in the user's data dir so `make run` remembers sizes)
    settings_dir: Path | None = None
