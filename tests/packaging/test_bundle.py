"""The built bundle (dist/Switchboard, from `make package`): contents, trimming, version, and
that it runs with nothing from the build machine's Python. Run by `make package-check`
(SWITCHBOARD_BUNDLE_TESTS=1), which CI runs after `make package`; skipped otherwise."""

from __future__ import annotations

import fnmatch
import os
import re
import shutil
import sqlite3
import subprocess
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BUNDLE = ROOT / "dist" / "Switchboard"
INTERNAL = BUNDLE / "_internal"
APP_ID = "app.switchboard.Switchboard"
BUDGET_MB = 150

# Opt-in (make package-check sets it): a bundle left in dist/ by an earlier build would test
# yesterday's code against today's sources.
pytestmark = pytest.mark.skipif(
    os.environ.get("SWITCHBOARD_BUNDLE_TESTS") != "1" or not (BUNDLE / "switchboard").exists(),
    reason="tests the built bundle: run `make package package-check`",
)


def pyproject_version() -> str:
    with (ROOT / "pyproject.toml").open("rb") as f:
        return str(tomllib.load(f)["project"]["version"])


def run_clean(
    args: list[str], home: Path, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    """As `env -i PATH=/usr/bin:/bin HOME=... QT_QPA_PLATFORM=offscreen`: no venv, no project."""
    env = {"PATH": "/usr/bin:/bin", "HOME": str(home), "LANG": "C.UTF-8"}
    env["QT_QPA_PLATFORM"] = "offscreen"
    return subprocess.run(
        args, env=env, cwd=home, capture_output=True, text=True, timeout=timeout, check=False
    )


def bundle_files() -> list[str]:
    return [str(p.relative_to(BUNDLE)) for p in BUNDLE.rglob("*") if not p.is_dir()]


def test_bundle_fits_its_budget() -> None:
    size = sum(p.lstat().st_size for p in BUNDLE.rglob("*") if not p.is_dir())
    print(f"bundle: {size / 1e6:.0f} MB unpacked")
    assert size <= BUDGET_MB * 1_000_000


@pytest.mark.parametrize(
    "pattern",
    [
        "*libQt6Quick*",
        "*libQt6Qml*",
        "*libQt6Pdf*",
        "*libQt6WebEngine*",
        "*libQt6Wayland*",
        "*libQt6VirtualKeyboard*",
        "*/platformthemes/libqgtk3*",
        "*/platforminputcontexts/libqtvirtualkeyboard*",
        "*/plugins/wayland-*",
        "*libgtk-3*",
        "*libgdk-3*",
        "*libcairo*",
        "*libpango*",
        "*libstdc++*",
        "*libglib-2.0*",
        "*/translations/qtdeclarative_*",
        "*/translations/qt_de.qm",
    ],
)
def test_unused_qt_parts_are_not_bundled(pattern: str) -> None:
    assert not fnmatch.filter(bundle_files(), pattern)


def test_libpython_kept_and_no_dangling_links() -> None:
    assert list(INTERNAL.glob("libpython3.*.so*"))
    dangling = [p for p in BUNDLE.rglob("*") if p.is_symlink() and not p.exists()]
    assert not dangling


def test_every_bundled_library_resolves_with_the_readme_packages() -> None:
    """ldd every ELF file: what is not in the bundle must come from the Debian packages the
    README lists (installed here by scripts/install-system-deps.sh)."""
    if shutil.which("ldd") is None:
        pytest.skip("no ldd")
    missing = []
    for path in INTERNAL.rglob("*.so*"):
        if path.is_symlink() or not path.is_file():
            continue
        out = subprocess.run(
            ["ldd", str(path)],
            capture_output=True,
            text=True,
            env={"LD_LIBRARY_PATH": str(INTERNAL), "PATH": "/usr/bin:/bin"},
            check=False,
        ).stdout
        missing += [
            f"{path.name}: {line.strip()}" for line in out.splitlines() if "not found" in line
        ]
    assert not missing


def test_resources_and_migrations_are_bundled() -> None:
    for name in ("mastodon", "bluesky", "x", "facebook", "instagram", "app"):
        assert (INTERNAL / "resources" / "icons" / f"{name}.svg").is_file()
    assert (INTERNAL / "resources" / "app.qss").is_file()
    source = {p.name for p in (ROOT / "desktop/store/migrations/versions").glob("*.py")}
    bundled = {p.name for p in (INTERNAL / "desktop/store/migrations/versions").glob("*.py")}
    assert source == bundled
    assert (INTERNAL / "desktop/store/migrations/env.py").is_file()


def test_desktop_integration_files_carry_the_version() -> None:
    metainfo = (BUNDLE / "share/metainfo" / f"{APP_ID}.metainfo.xml").read_text(encoding="utf-8")
    assert f'<release version="{pyproject_version()}"' in metainfo
    assert "@" not in re.sub(r"<!--.*?-->", "", metainfo, flags=re.DOTALL)
    assert (BUNDLE / "share/applications" / f"{APP_ID}.desktop").is_file()
    assert (BUNDLE / "share/icons/hicolor/256x256/apps" / f"{APP_ID}.png").is_file()
    assert os.access(BUNDLE / "install-desktop-entry.sh", os.X_OK)
    tarball = ROOT / "dist" / f"Switchboard-{pyproject_version()}-linux-x86_64.tar.gz"
    assert tarball.is_file()


def test_bundle_reports_the_pyproject_version(tmp_path: Path) -> None:
    out = run_clean([str(BUNDLE / "switchboard"), "--version"], tmp_path)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == f"Switchboard {pyproject_version()}"


def test_bundle_check_passes_in_a_clean_environment(tmp_path: Path) -> None:
    out = run_clean([str(BUNDLE / "switchboard"), "--bundle-check"], tmp_path)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "bundle check: 10 passed, 0 failed" in out.stdout, out.stdout


def test_self_test_of_the_bundle_in_a_clean_environment(tmp_path: Path) -> None:
    out = run_clean([str(BUNDLE / "switchboard"), "--self-test"], tmp_path)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "self-test ok" in out.stdout


def test_user_data_lives_outside_the_bundle(tmp_path: Path) -> None:
    """Upgrading is replacing the folder: a default run writes under the user's data dir."""
    before = set(bundle_files())
    out = run_clean([str(BUNDLE / "switchboard"), "--quit-after", "1"], tmp_path)
    assert out.returncode == 0, out.stdout + out.stderr
    assert (tmp_path / ".local/share/Switchboard/switchboard.sqlite3").is_file()
    assert set(bundle_files()) == before


def test_newer_bundle_upgrades_an_older_profile_after_a_backup(tmp_path: Path) -> None:
    """A profile left at the first schema (an older release) opens in this build: the file is
    copied aside first, then Alembic (running from the bundle) migrates it to head."""
    from alembic import command
    from alembic.script import ScriptDirectory
    from sqlalchemy import create_engine

    from desktop.store.db import _alembic_config

    profile = tmp_path / "profile"
    profile.mkdir()
    database = profile / "switchboard.sqlite3"
    script = ScriptDirectory.from_config(_alembic_config())
    base, head = script.get_base(), script.get_current_head()
    assert base != head
    engine = create_engine(f"sqlite:///{database}")
    with engine.begin() as conn:
        cfg = _alembic_config()
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, base)
        conn.exec_driver_sql("INSERT INTO brands (name, timezone) VALUES ('Old Brand', 'UTC')")
    engine.dispose()

    out = run_clean(
        [str(BUNDLE / "switchboard"), "--profile", str(profile), "--quit-after", "1"], tmp_path
    )
    assert out.returncode == 0, out.stdout + out.stderr

    def revision_and_brands(path: Path) -> tuple[str, list[str]]:
        db = sqlite3.connect(path)
        try:
            revision = db.execute("SELECT version_num FROM alembic_version").fetchone()[0]
            brands = [r[0] for r in db.execute("SELECT name FROM brands")]
        finally:
            db.close()
        return revision, brands

    assert revision_and_brands(database) == (head, ["Old Brand"])
    assert revision_and_brands(profile / f"switchboard.sqlite3.bak-{base}") == (
        base,
        ["Old Brand"],
    )
