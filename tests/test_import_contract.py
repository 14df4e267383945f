"""The engine must import and run without Qt: block PySide6/qasync and import every module."""

from __future__ import annotations

import subprocess
import sys

SCRIPT = r"""
import importlib, pkgutil, sys

class Blocker:
    def find_spec(self, name, path=None, target=None):
        if name.split('.')[0] in {'PySide6', 'qasync', 'shiboken6', 'ui'}:
            raise ImportError(f'desktop imported {name}')
        return None

sys.meta_path.insert(0, Blocker())
import desktop
for mod in pkgutil.walk_packages(desktop.__path__, 'desktop.'):
    if '.migrations' in mod.name or mod.name.endswith('__main__'):
        continue
    importlib.import_module(mod.name)
print('ok')
"""


def test_desktop_imports_without_qt() -> None:
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().endswith("ok")


def test_blocker_catches_a_qt_import() -> None:
    """The check above can fail: a module importing PySide6 is caught."""
    script = SCRIPT.replace("import desktop\n", "import desktop\nimport PySide6\n", 1)
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
    )
    assert out.returncode != 0
    assert "desktop imported PySide6" in out.stderr
