"""Packaging inputs that need no built bundle: the Qt trimming rules, the icon set, the desktop
entry and AppStream metadata, and the script that installs the menu entry."""

from __future__ import annotations

import configparser
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

import bundle_filter  # noqa: E402

APP_ID = "app.switchboard.Switchboard"
RESOURCES = ROOT / "resources"
PYSIDE = Path(__import__("PySide6").__file__).parent
QT = "PySide6/Qt"


# -- trimming --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("dest", "excluded"),
    [
        (f"{QT}/plugins/platformthemes/libqgtk3.so", True),
        (f"{QT}/plugins/platforms/libqwayland-egl.so", True),
        (f"{QT}/plugins/wayland-shell-integration/libxdg-shell.so", True),
        (f"{QT}/plugins/platforminputcontexts/libqtvirtualkeyboardplugin.so", True),
        (f"{QT}/lib/libQt6Quick.so.6", True),
        (f"{QT}/lib/libQt6Pdf.so.6", True),
        (f"{QT}/plugins/imageformats/libqpdf.so", True),
        (f"{QT}/translations/qt_de.qm", True),
        (f"{QT}/translations/qtbase_ja.qm", True),
        (f"{QT}/translations/qtbase_de.qm", False),
        (f"{QT}/plugins/platforms/libqxcb.so", False),
        (f"{QT}/plugins/platforms/libqoffscreen.so", False),
        (f"{QT}/plugins/imageformats/libqsvg.so", False),
        (f"{QT}/plugins/iconengines/libqsvgicon.so", False),
        (f"{QT}/lib/libQt6Widgets.so.6", False),
        ("libpython3.11.so.1.0", False),
        ("libsqlite3.so.0", False),
    ],
)
def test_exclusion_rules(dest: str, excluded: bool) -> None:
    assert bundle_filter.is_excluded(dest) is excluded


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="host libraries: Linux")
def test_host_libraries_only_at_top_level() -> None:
    assert bundle_filter.is_excluded("libstdc++.so.6")
    assert bundle_filter.is_excluded("libglib-2.0.so.0")
    assert not bundle_filter.is_excluded("somepackage/libs/libstdc++.so.6")
    assert not bundle_filter.is_excluded("libxcb-cursor.so.0")  # not on every desktop


@pytest.mark.skipif(shutil.which("objdump") is None, reason="needs binutils' objdump")
def test_prune_keeps_what_extensions_link_and_drops_the_rest() -> None:
    """Real PySide6 binaries: QtWidgets' extension needs Widgets/Gui/Core, not Network."""
    lib = PYSIDE / "Qt" / "lib"

    def qt(name: str) -> tuple[str, str, str]:
        return (f"{QT}/lib/{name}", str(lib / name), "BINARY")

    extension = ("PySide6/QtWidgets.abi3.so", str(PYSIDE / "QtWidgets.abi3.so"), "EXTENSION")
    toc = [extension, *(qt(n) for n in ("libQt6Widgets.so.6", "libQt6Gui.so.6",
                                         "libQt6Core.so.6", "libQt6Network.so.6"))]  # fmt: skip
    kept = {Path(e[0]).name for e in bundle_filter.prune_unreachable(toc)}
    assert {"QtWidgets.abi3.so", "libQt6Widgets.so.6", "libQt6Gui.so.6", "libQt6Core.so.6"} <= kept
    assert "libQt6Network.so.6" not in kept


def test_prune_keeps_libpython_and_plugins_as_roots() -> None:
    toc = [
        ("libpython3.11.so.1.0", "/nonexistent/libpython3.11.so.1.0", "BINARY"),
        (f"{QT}/plugins/platforms/libqxcb.so", "/nonexistent/libqxcb.so", "BINARY"),
        ("libunused.so.1", "/nonexistent/libunused.so.1", "BINARY"),
    ]
    kept = [e[0] for e in bundle_filter.prune_unreachable(toc)]
    assert kept == ["libpython3.11.so.1.0", f"{QT}/plugins/platforms/libqxcb.so"]


def test_dangling_links_are_dropped() -> None:
    entries = [
        ("libQt6Core.so.6", f"{QT}/lib/libQt6Core.so.6", "SYMLINK"),
        ("libQt6Quick.so.6", f"{QT}/lib/libQt6Quick.so.6", "SYMLINK"),
        ("resources/app.qss", "/src/resources/app.qss", "DATA"),
    ]
    present = [f"{QT}/lib/libQt6Core.so.6", "resources/app.qss"]
    kept = [e[0] for e in bundle_filter.drop_dangling_links(entries, present)]
    assert kept == ["libQt6Core.so.6", "resources/app.qss"]


# -- icons, desktop entry, AppStream ---------------------------------------------------------


def test_icon_set_is_rendered_from_app_svg() -> None:
    out = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "make_icons.py"), "--check"],
        capture_output=True, text=True, env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        timeout=120, check=False,
    )  # fmt: skip
    assert out.returncode == 0, f"run scripts/make_icons.py: {out.stdout}{out.stderr}"


def test_icon_pngs_have_their_sizes() -> None:
    from PySide6.QtGui import QImage

    for size in (16, 24, 32, 48, 64, 128, 256, 512):
        path = RESOURCES / "icons" / "hicolor" / f"{size}x{size}" / "apps" / f"{APP_ID}.png"
        image = QImage(str(path))
        assert (image.width(), image.height()) == (size, size), path
        assert image.pixelColor(size // 2, size // 2).alpha() == 255  # not blank
        assert image.pixelColor(0, 0).alpha() == 0  # rounded corner
    ico = (RESOURCES / "icons" / "switchboard.ico").read_bytes()
    assert ico[:4] == b"\0\0\1\0" and int.from_bytes(ico[4:6], "little") == 7
    icns = (RESOURCES / "icons" / "switchboard.icns").read_bytes()
    assert icns[:4] == b"icns" and int.from_bytes(icns[4:8], "big") == len(icns)


def test_desktop_entry() -> None:
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(RESOURCES / f"{APP_ID}.desktop", encoding="utf-8")
    entry = parser["Desktop Entry"]
    assert entry["Type"] == "Application"
    assert entry["Icon"] == APP_ID
    assert entry["Exec"].split()[0] == "switchboard"
    if shutil.which("desktop-file-validate"):
        out = subprocess.run(
            ["desktop-file-validate", str(RESOURCES / f"{APP_ID}.desktop")],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        assert out.returncode == 0 and "error" not in out.stdout, out.stdout


def test_appstream_metadata_validates(tmp_path: Path) -> None:
    template = (RESOURCES / f"{APP_ID}.metainfo.xml.in").read_text(encoding="utf-8")
    assert "@VERSION@" in template  # filled in by scripts/package.sh, never written by hand
    metainfo = tmp_path / f"{APP_ID}.metainfo.xml"
    metainfo.write_text(
        template.replace("@VERSION@", "1.2.3").replace("@DATE@", "2026-01-31"), encoding="utf-8"
    )
    if shutil.which("appstreamcli") is None:
        pytest.skip("appstreamcli not installed")
    out = subprocess.run(
        ["appstreamcli", "validate", "--no-net", str(metainfo)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert out.returncode == 0, out.stdout + out.stderr


def test_install_desktop_entry_points_at_the_unpacked_folder(tmp_path: Path) -> None:
    """The bundle's install-desktop-entry.sh, on a folder laid out as scripts/package.sh does."""
    bundle = tmp_path / "opt dir" / "Switchboard"  # a space in the path: Exec must quote it
    (bundle / "share" / "applications").mkdir(parents=True)
    (bundle / "share" / "metainfo").mkdir()
    shutil.copytree(RESOURCES / "icons" / "hicolor", bundle / "share" / "icons" / "hicolor")
    shutil.copy(RESOURCES / f"{APP_ID}.desktop", bundle / "share" / "applications")
    (bundle / "share" / "metainfo" / f"{APP_ID}.metainfo.xml").write_text("<component/>")
    (bundle / "switchboard").write_text("#!/bin/sh\n")
    (bundle / "switchboard").chmod(0o755)
    shutil.copy(ROOT / "scripts" / "install-desktop-entry.sh", bundle)
    data = tmp_path / "data"
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "XDG_DATA_HOME": str(data)}

    out = subprocess.run(
        ["sh", str(bundle / "install-desktop-entry.sh")], env=env, capture_output=True,
        text=True, check=False,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    desktop = (data / "applications" / f"{APP_ID}.desktop").read_text(encoding="utf-8")
    assert f'Exec="{bundle}/switchboard"' in desktop.splitlines()
    assert f"TryExec={bundle}/switchboard" in desktop.splitlines()
    assert (data / "icons/hicolor/48x48/apps" / f"{APP_ID}.png").is_file()
    assert (data / "icons/hicolor/scalable/apps" / f"{APP_ID}.svg").is_file()
    assert (data / "metainfo" / f"{APP_ID}.metainfo.xml").is_file()

    out = subprocess.run(
        ["sh", str(bundle / "install-desktop-entry.sh"), "--uninstall"], env=env,
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert not (data / "applications" / f"{APP_ID}.desktop").exists()
    assert not (data / "icons/hicolor/48x48/apps" / f"{APP_ID}.png").exists()
