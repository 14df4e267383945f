"""The version comes from one place: pyproject.toml, read back through the package metadata."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

from desktop import version

ROOT = Path(__file__).resolve().parents[2]


def pyproject_version() -> str:
    with (ROOT / "pyproject.toml").open("rb") as f:
        return str(tomllib.load(f)["project"]["version"])


def test_version_is_pyprojects() -> None:
    assert version.version() == pyproject_version()


def test_source_tree_without_metadata_reads_pyproject(tmp_path: Path) -> None:
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text('[project]\nname = "switchboard"\nversion = "9.8.7"\n', encoding="utf-8")
    assert version._from_pyproject(pyproject) == "9.8.7"


def test_app_prints_its_version() -> None:
    out = subprocess.run(
        [sys.executable, "-c", "from ui.app import main; main(['--version'])"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
    )
    assert out.stdout.strip() == f"Switchboard {pyproject_version()}"
