"""Was the profile closed cleanly last time? A marker file per open Store says "in use".

`PRAGMA quick_check` reads the whole database: 1.8 s at 1M messages, on every start, for a
question that only matters after a crash or power loss (SQLite's journal keeps a cleanly
closed file consistent). So each open Store leaves `<db>.open-<pid>-<token>` next to the
file and removes it on close; a marker whose process is gone means the last session ended
without closing, and only then does the next open run the integrity check. Where process
liveness cannot be asked safely (Windows: `os.kill(pid, 0)` would send Ctrl+C), any marker
left behind counts as a crash: the check runs, which is only slower, never less safe.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path


def _alive(pid: int) -> bool:
    if os.name != "posix":
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's live process
        return True
    return True


def _pid(marker: Path) -> int | None:
    try:
        return int(marker.name.rsplit(".open-", 1)[1].split("-", 1)[0])
    except (IndexError, ValueError):
        return None


def mark_open(db: Path) -> tuple[Path, bool]:
    """Leave our marker; return it and whether an earlier session ended without closing."""
    unclean = False
    for marker in db.parent.glob(f"{db.name}.open-*"):
        pid = _pid(marker)
        if pid is not None and pid != os.getpid() and _alive(pid):
            continue  # another program has the profile open right now
        if pid == os.getpid():
            continue  # another Store of this process, still open
        unclean = True
        marker.unlink(missing_ok=True)
    mine = db.with_name(f"{db.name}.open-{os.getpid()}-{uuid.uuid4().hex[:8]}")
    try:
        mine.touch()
    except OSError:  # a read-only folder: the check will simply run next time
        pass
    return mine, unclean


def mark_closed(marker: Path) -> None:
    marker.unlink(missing_ok=True)
