"""`switchboard --bundle-check`: what a frozen build can lose, checked inside the bundle.

PyInstaller follows import statements; it cannot see modules imported by name, entry points,
data files read from disk or shared libraries loaded at run time. Each check below exercises
one of those in the running bundle and prints `ok <name>` or `FAILED <name>: <why>`; the exit
code is the number of failures. Read-only apart from a throw-away temp folder.
(Also runs from a source checkout: `python scripts/bundle_check.py`.)
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_API", "pyside6")

CHECKS: list[tuple[str, Callable[[], str]]] = []


def check(fn: Callable[[], str]) -> Callable[[], str]:
    CHECKS.append((fn.__name__, fn))
    return fn


@check
def every_module_imports() -> str:
    import pkgutil

    import desktop
    import ui

    names = []
    for package in (desktop, ui):
        prefix = package.__name__ + "."
        for info in pkgutil.walk_packages(package.__path__, prefix):
            if info.name.endswith(".__main__") or ".migrations" in info.name:
                continue  # a command line runs on import; Alembic runs the migration scripts
            __import__(info.name)
            names.append(info.name)
    if len(names) < 50:
        raise AssertionError(f"only {len(names)} modules found: the package listing is broken")
    return f"{len(names)} modules"


@check
def platform_connectors() -> str:
    from desktop.domain.enums import Platform
    from desktop.platforms.registry import platform_module

    for platform in Platform:
        module = platform_module(platform)
        assert callable(module.create_client), platform
    return ", ".join(p.value for p in Platform)


@check
def keyring_backends() -> str:
    """keyring discovers its backends through entry points (metadata copied into the bundle);
    the Secret Service one must import with its D-Bus stack (secretstorage, jeepney)."""
    from importlib import import_module
    from importlib.metadata import entry_points

    plugins = {ep.name: ep.value for ep in entry_points(group="keyring.backends")}
    assert plugins, "no keyring.backends entry points: keyring's metadata is missing"
    for name in plugins.values():
        import_module(name)  # each registered backend is in the bundle (else keyring logs errors)
    if sys.platform.startswith("linux"):
        from keyring.backends import SecretService

        import_module("secretstorage")
        import_module("jeepney.io.blocking")
        assert SecretService.Keyring.__module__ == "keyring.backends.SecretService"
    return ", ".join(sorted(plugins))


@check
def version_metadata() -> str:
    from importlib.metadata import version as dist_version

    from desktop.version import version

    assert version() == dist_version("switchboard")
    return version()


@check
def sqlite_fts5() -> str:
    import sqlite3

    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE t USING fts5(body, prefix='2 3')")
    db.execute("INSERT INTO t VALUES ('switchboard bundle')")
    hits = db.execute("SELECT count(*) FROM t WHERE t MATCH 'bund*'").fetchone()[0]
    assert hits == 1
    return f"SQLite {sqlite3.sqlite_version}"


@check
def store_migrations() -> str:
    """Alembic finds env.py and the version scripts on disk and upgrades a new profile."""
    from alembic.script import ScriptDirectory

    from desktop.store import Store
    from desktop.store.db import _alembic_config

    head = ScriptDirectory.from_config(_alembic_config()).get_current_head()
    with tempfile.TemporaryDirectory() as tmp:
        store = Store.open(Path(tmp) / "check.sqlite3")
        try:
            with store.reader() as session:
                current = (
                    session.connection()
                    .exec_driver_sql("SELECT version_num FROM alembic_version")
                    .scalar()
                )
        finally:
            store.close()
    assert current == head, (current, head)
    return f"head {head}"


@check
def text_rules() -> str:
    from desktop.domain.text_limits import measure
    from desktop.domain.triage.sentiment import score

    x = measure("x", "hello 😀 https://example.com")
    assert x.count == len("hello  ") + 2 + 23, x  # an emoji weighs 2, a URL 23
    assert score("I love this, thank you!") > 0.3
    assert score("This is terrible and broken") < -0.3
    return f"X weighted {x.count}, VADER ok"


@check
def time_zones() -> str:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    offset = datetime(2026, 7, 1, 12, tzinfo=ZoneInfo("Europe/Berlin")).utcoffset()
    assert offset is not None and offset.total_seconds() == 7200
    return "Europe/Berlin"


@check
def tls_certificates() -> str:
    import ssl

    import certifi

    context = ssl.create_default_context(cafile=certifi.where())
    assert context.cert_store_stats()["x509_ca"] > 50
    return ssl.OPENSSL_VERSION


@check
def qt_resources() -> str:
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([sys.argv[0]])
    from desktop.domain.enums import Platform
    from ui.icons import ICONS, app_icon, platform_icon
    from ui.theme import QSS, apply_theme

    assert ICONS.is_dir() and QSS.is_file(), ICONS
    for platform in Platform:
        assert (ICONS / f"{platform.value}.svg").is_file(), platform
        image = platform_icon(platform).pixmap(32, 32).toImage()
        assert not image.isNull()
    # the SVG image plugin renders: the app icon's corner is transparent, its centre is not
    image = app_icon().pixmap(64, 64).toImage()
    assert image.pixelColor(32, 32).alpha() == 255 and image.pixelColor(0, 0).alpha() == 0
    apply_theme(app, "dark")
    return f"{app.platformName()}, {ICONS}"


def main() -> int:
    failures = 0
    for name, fn in CHECKS:
        try:
            detail = fn()
        except Exception as exc:
            failures += 1
            print(f"FAILED {name}: {type(exc).__name__}: {exc}", flush=True)
        else:
            print(f"ok {name}: {detail}", flush=True)
    print(f"bundle check: {len(CHECKS) - failures} passed, {failures} failed", flush=True)
    return failures


if __name__ == "__main__":
    sys.exit(main())
