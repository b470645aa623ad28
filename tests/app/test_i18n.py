"""Every interface string has its Kazakh and Russian translation."""

from __future__ import annotations

import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import PySide6

import resources
from tests.conftest import repo_root


def test_every_ui_string_is_translated_to_kk_and_ru(tmp_path: Path) -> None:
    # Re-extract the strings from the code into copies of the committed .ts files: a string added
    # to the code but not translated shows up as "unfinished" here.
    lupdate = Path(PySide6.__file__).resolve().parent / "lupdate"
    copies = []
    for lang in ("kk", "ru"):
        copy = tmp_path / f"tergeu_{lang}.ts"
        shutil.copy(resources.path("i18n", f"tergeu_{lang}.ts"), copy)
        copies.append(copy)
    sources = sorted(str(p) for p in (repo_root() / "app" / "ui").rglob("*.py"))
    result = subprocess.run(
        [str(lupdate), "-locations", "none", "-no-obsolete", *sources, "-ts", *map(str, copies)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    for copy in copies:
        messages = list(ET.parse(copy).getroot().iter("message"))
        assert len(messages) >= 15, f"{copy.name}: only {len(messages)} strings extracted"
        missing = [
            m.findtext("source")
            for m in messages
            if m.find("translation") is None
            or m.find("translation").get("type") in ("unfinished", "vanished", "obsolete")
            or not (m.findtext("translation") or "").strip()
        ]
        assert not missing, f"{copy.name} lacks translations for: {missing}"


def test_check_catches_an_untranslated_string(tmp_path: Path) -> None:
    """The check above can fail: a .ts with an unfinished entry is reported."""
    ts = tmp_path / "tergeu_kk.ts"
    ts.write_text(
        '<?xml version="1.0" encoding="utf-8"?><TS version="2.1" language="kk_KZ"><context>'
        "<name>X</name><message><source>Hello</source>"
        '<translation type="unfinished"></translation></message></context></TS>',
        encoding="utf-8",
    )
    message = next(ET.parse(ts).getroot().iter("message"))
    assert message.find("translation").get("type") == "unfinished"
