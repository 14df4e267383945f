"""The app's version, from one place: `[project] version` in pyproject.toml.

Installed (a venv, or the packaged bundle, which carries the distribution's metadata) it is
read from the package metadata; in a source tree that was never installed, from pyproject.toml.
"""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import metadata
from pathlib import Path

DISTRIBUTION = "switchboard"
PYPROJECT = Path(__file__).resolve().parent.parent / "pyproject.toml"


def _from_pyproject(path: Path = PYPROJECT) -> str:
    with path.open("rb") as f:
        return str(tomllib.load(f)["project"]["version"])


@cache
def version() -> str:
    try:
        return metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        return _from_pyproject()
