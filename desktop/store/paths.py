"""Where a profile's data lives: one folder per profile, one SQLite file in it."""

from __future__ import annotations

from pathlib import Path

import platformdirs

APP_NAME = "Switchboard"
DATABASE_NAME = "switchboard.sqlite3"


def default_profile_dir() -> Path:
    """The user data dir (~/.local/share/Switchboard on Linux); `--profile DIR` overrides."""
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def database_path(profile_dir: Path | None) -> Path:
    return (profile_dir or default_profile_dir()) / DATABASE_NAME
