"""Core packages never import Qt or the app (STYLE §1)."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import pytest

import protocol
import recorder

BLOCKER = """
import importlib, importlib.abc, pkgutil, sys
class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split('.')[0] in ('PySide6', 'shiboken6', 'app'):
            raise ImportError(f'{name} is blocked: core packages must not import it')
        return None
sys.meta_path.insert(0, Block())
import recorder, protocol
for pkg in (recorder, protocol):
    for info in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + '.'):
        importlib.import_module(info.name)
assert not any(m.split('.')[0] in ('PySide6', 'app') for m in sys.modules), 'leaked'
print('ok', len([m for m in sys.modules if m.startswith(('recorder', 'protocol'))]))
"""


def test_core_imports_without_qt_or_app() -> None:
    result = subprocess.run(
        [sys.executable, "-c", BLOCKER], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("ok")


def test_blocker_really_blocks() -> None:
    """The guard above must be able to fail: importing PySide6 under it raises."""
    code = BLOCKER.replace("import recorder, protocol", "import PySide6.QtCore")
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60
    )
    assert result.returncode != 0
    assert "blocked" in result.stderr


def test_every_core_module_is_covered() -> None:
    modules = [m.name for p in (recorder, protocol) for m in pkgutil.walk_packages(p.__path__)]
    assert "report" in modules and "canonical" in modules


def test_malloc_arenas_capped_on_glibc_unless_the_environment_says(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import platform

    from app.core.memory import limit_malloc_arenas

    monkeypatch.setenv("MALLOC_ARENA_MAX", "4")
    assert limit_malloc_arenas() is False  # the environment wins
    monkeypatch.delenv("MALLOC_ARENA_MAX")
    assert limit_malloc_arenas() is (
        platform.system() == "Linux" and platform.libc_ver()[0] == "glibc"
    )
