"""Tergeu's data files: fonts, translations, the guest page, schemas, procedure texts.

Installed as package data, so the same lookup works from a checkout and from an install.
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent


def path(*parts: str) -> Path:
    """Return the path of a resource file, e.g. ``path("fonts", "NotoSans-Regular.ttf")``."""
    return ROOT.joinpath(*parts)
