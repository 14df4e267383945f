"""Trim a PyInstaller Analysis of a PySide6 app to what a Widgets app really loads.

Used by build.spec and by the baseline bundle of the cold-start benchmark, so both bundles are
trimmed the same way. PyInstaller's Qt hooks collect every plugin of each plugin type that
QtGui/QtCore can use (GTK3 platform theme, Wayland, the virtual keyboard, the PDF image format,
QML tooling...) and, through them, GTK, QtQuick, QtQml, QtPdf and Wayland libraries: about
200 MB for a Widgets app. Here:

1. Drop the plugins, Qt libraries and translations we never load, by destination path.
2. Drop every shared library that nothing kept links to any more (reachability over ELF
   DT_NEEDED from the roots: Python extension modules, the kept Qt plugins, libpython). This
   removes GTK, cairo, pango, QtQuick/Qml... without naming each one, and keeps whatever a
   kept module really needs.
3. Drop the top-level symlinks whose target went away (PyInstaller 6 links
   `_internal/libQt6Foo.so.6 -> PySide6/Qt/lib/libQt6Foo.so.6`): a dangling link in the
   bundle breaks tools that copy or check it.
libpython3.*.so is always kept (the bootloader dlopen()s it; nothing links to it).

TOC entries are (dest_name, src_name, typecode) tuples.
"""

from __future__ import annotations

import fnmatch
import os
import re
import subprocess
import sys
from collections.abc import Iterable, Sequence
from pathlib import PurePosixPath

Entry = tuple[str, str, str]

QT = "PySide6/Qt"

# Destination-path globs (POSIX separators) of what a Widgets app never loads.
EXCLUDED_PATHS: tuple[str, ...] = (
    # platform theme that drags in GTK 3, cairo, pango, gdk-pixbuf, atk...
    f"{QT}/plugins/platformthemes/libqgtk3*",
    # Wayland: we run on X11/XWayland (xcb); the Wayland plugins pull libQt6Wayland*
    f"{QT}/plugins/wayland-*",
    f"{QT}/plugins/platforms/libqwayland*",
    f"{QT}/lib/libQt6Wayland*",
    # on-screen virtual keyboard: QtQuick + QML + VirtualKeyboard
    f"{QT}/plugins/platforminputcontexts/libqtvirtualkeyboard*",
    f"{QT}/lib/libQt6VirtualKeyboard*",
    # QtQuick / QML / PDF / WebEngine / Designer, and their plugins
    f"{QT}/lib/libQt6Quick*",
    f"{QT}/lib/libQt6Qml*",
    f"{QT}/lib/libQt6Pdf*",
    f"{QT}/lib/libQt6WebEngine*",
    f"{QT}/lib/libQt6Designer*",
    f"{QT}/plugins/imageformats/libqpdf*",
    f"{QT}/plugins/qmltooling/*",
    f"{QT}/plugins/qmllint/*",
    f"{QT}/plugins/designer/*",
    f"{QT}/qml/*",
    # Qt's own SQL drivers and TLS backends: the store uses Python's sqlite3, nothing speaks TLS
    # through Qt (httpx does, with certifi)
    f"{QT}/plugins/sqldrivers/*",
    f"{QT}/plugins/tls/*",
    # embedded/kiosk platforms (EGLFS, framebuffer, VNC, Vulkan display) and their input
    # plugins: a laptop runs xcb (X11 or XWayland); offscreen serves tests and the self-test
    f"{QT}/plugins/platforms/libqeglfs*",
    f"{QT}/plugins/platforms/libqlinuxfb*",
    f"{QT}/plugins/platforms/libqminimalegl*",
    f"{QT}/plugins/platforms/libqvnc*",
    f"{QT}/plugins/platforms/libqvkkhrdisplay*",
    f"{QT}/plugins/egldeviceintegrations/*",
    f"{QT}/plugins/generic/*",
    f"{QT}/lib/libQt6EglFS*",
    f"{QT}/lib/libQt6EglFs*",
    # image formats nobody sends to an inbox
    f"{QT}/plugins/imageformats/libqicns*",
    f"{QT}/plugins/imageformats/libqtga*",
    f"{QT}/plugins/imageformats/libqtiff*",
    f"{QT}/plugins/imageformats/libqwbmp*",
    # desktop-integration bits we do not use
    f"{QT}/plugins/printsupport/*",
    f"{QT}/plugins/vectorimageformats/*",
    # rapidfuzz ships its kernels twice (AVX2 and generic) and picks at import; the generic
    # build is its fallback when the AVX2 one is missing: same results, a little slower on long
    # strings (ours are canned responses and names); saves 5 MB
    "rapidfuzz/*_avx2*",
    "rapidfuzz/*/*_avx2*",
)

# Linux: libraries of the host's graphics, font and session stack, used from the host, as
# AppImage's exclude list does. Bundled copies break on newer systems: the GPU driver (host
# libGL/Mesa) needs the host's newer libstdc++/libgcc_s, host GIO modules need the host's GLib,
# an old bundled fontconfig cannot read a newer host's font configuration. Every desktop has
# them; README's Packaging section names the Debian packages. What only these needed (libsystemd,
# libgcrypt, libmount, libX11's libXau...) is then pruned as unreachable.
HOST_LIBRARIES: tuple[str, ...] = (
    "libstdc++.so.*",
    "libgcc_s.so.*",
    "libz.so.*",
    "libfontconfig.so.*",
    "libfreetype.so.*",
    "libexpat.so.*",
    "libX11.so.*",
    "libX11-xcb.so.*",
    "libxcb.so.*",
    "libdbus-1.so.*",
    "libglib-2.0.so.*",
    "libgobject-2.0.so.*",
    "libgio-2.0.so.*",
    "libgmodule-2.0.so.*",
    "libgthread-2.0.so.*",
)

# Qt translations kept: the base strings (standard buttons, dialogs) of a few languages, for
# when the app installs a QTranslator. Everything else under translations/ goes.
KEPT_TRANSLATIONS: tuple[str, ...] = ("de", "es", "fr", "it", "nl", "pt_BR")

_LIBPYTHON = re.compile(r"^libpython3\.\d+")
_SHARED_LIB = re.compile(r"\.so(\.\d+)*$|\.dylib$|\.dll$|\.pyd$")


def _posix(name: str) -> str:
    return name.replace(os.sep, "/")


def is_host_library(dest: str) -> bool:
    """A top-level Linux system library that the bundle takes from the host."""
    dest = _posix(dest)
    return (
        sys.platform.startswith("linux")
        and "/" not in dest
        and any(fnmatch.fnmatch(dest, pattern) for pattern in HOST_LIBRARIES)
    )


def is_excluded(dest: str) -> bool:
    dest = _posix(dest)
    if is_host_library(dest) or any(fnmatch.fnmatch(dest, p) for p in EXCLUDED_PATHS):
        return True
    if dest.startswith(f"{QT}/translations/"):
        stem = PurePosixPath(dest).stem  # qtbase_pt_BR
        return not any(stem == f"qtbase_{lang}" for lang in KEPT_TRANSLATIONS)
    return False


def _is_root(entry: Entry) -> bool:
    """Loaded by Python or by Qt at run time, not because another library links to it."""
    dest, _src, kind = entry
    dest = _posix(dest)
    base = PurePosixPath(dest).name
    return (
        kind == "EXTENSION"
        or dest.startswith(f"{QT}/plugins/")
        or bool(_LIBPYTHON.match(base))
        or not _SHARED_LIB.search(base)
    )


def _needed(path: str) -> list[str]:
    """The DT_NEEDED names of an ELF file: its direct dependencies (`ldd`, which PyInstaller's
    bindepend uses, lists the transitive closure, which would make everything reachable)."""
    try:
        out = subprocess.run(
            ["objdump", "-p", path], capture_output=True, text=True, check=True
        ).stdout
    except (OSError, subprocess.CalledProcessError):  # not ELF: keep what it might need
        return []
    return [line.split()[1] for line in out.splitlines() if line.strip().startswith("NEEDED")]


def prune_unreachable(binaries: Sequence[Entry]) -> list[Entry]:
    """Keep roots and every shared library reachable from them over DT_NEEDED."""
    by_base: dict[str, list[Entry]] = {}
    for entry in binaries:
        if entry[2] != "SYMLINK":
            by_base.setdefault(PurePosixPath(_posix(entry[0])).name, []).append(entry)
    # A symlink named like the library a binary needs (libfoo.so.1 -> libfoo.so.1.2.3) makes
    # its target reachable under the link's name.
    links = {
        PurePosixPath(_posix(dest)).name: PurePosixPath(_posix(src)).name
        for dest, src, kind in binaries
        if kind == "SYMLINK"
    }
    kept: set[Entry] = set()
    todo = [e for e in binaries if e[2] != "SYMLINK" and _is_root(e)]
    while todo:
        entry = todo.pop()
        if entry in kept:
            continue
        kept.add(entry)
        for name in _needed(entry[1]):
            for candidate in (name, links.get(name, "")):
                for dep in by_base.get(candidate, []):
                    if dep not in kept:
                        todo.append(dep)
    return [e for e in binaries if e[2] == "SYMLINK" or e in kept]


def drop_dangling_links(entries: Sequence[Entry], present: Iterable[str]) -> list[Entry]:
    """Symlink entries whose target (relative to the link's folder) is not in the bundle."""
    names = {_posix(n) for n in present}
    out = []
    for entry in entries:
        dest, src, kind = entry
        if kind == "SYMLINK":
            target = os.path.normpath(os.path.join(os.path.dirname(dest), src))
            if _posix(target) not in names:
                continue
        out.append(entry)
    return out


def trim(binaries: Sequence[Entry], datas: Sequence[Entry]) -> tuple[list[Entry], list[Entry]]:
    """The Analysis' binaries and datas with unused Qt parts and orphaned libraries removed."""
    kept_bins = [e for e in binaries if not is_excluded(e[0])]
    kept_datas = [e for e in datas if not is_excluded(e[0])]
    if sys.platform.startswith("linux"):  # DT_NEEDED pruning is validated on ELF only
        kept_bins = prune_unreachable(kept_bins)
    present = [e[0] for e in kept_bins + kept_datas if e[2] != "SYMLINK"]
    return drop_dangling_links(kept_bins, present), drop_dangling_links(kept_datas, present)
