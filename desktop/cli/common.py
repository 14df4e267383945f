"""What every command shares: the profile's store, and human or --json output."""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, is_dataclass
from datetime import datetime
from enum import Enum
from typing import Any

from desktop.store import Store
from desktop.store.paths import database_path


@contextmanager
def open_store(args: argparse.Namespace) -> Iterator[Store]:
    store = Store.open(database_path(args.profile))
    try:
        yield store
    finally:
        store.close()


def _plain(value: Any) -> Any:
    if is_dataclass(value) and not isinstance(value, type):
        return {k: _plain(v) for k, v in asdict(value).items()}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def emit(args: argparse.Namespace, data: Any, human: str) -> None:
    """--json prints `data` as JSON; otherwise the human text."""
    print(json.dumps(_plain(data), ensure_ascii=False, indent=2) if args.json else human)
