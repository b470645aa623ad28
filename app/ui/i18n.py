"""Interface languages: Qt translation sources in ``resources/i18n`` compiled to ``.qm`` at start.

English is the source language; ``tergeu_kk.ts`` and ``tergeu_ru.ts`` hold the Kazakh and Russian
texts. A ``.qm`` is rebuilt with Qt's ``lrelease`` whenever its ``.ts`` is newer, so a translator
edits one file and restarts. Switching language installs another translator; every widget
re-translates itself on ``QEvent.LanguageChange`` without a restart.
"""

from __future__ import annotations

import logging
import subprocess
from pathlib import Path

import PySide6
from PySide6.QtCore import QCoreApplication, QLibraryInfo, QTranslator

import resources
from app.core.errors import TergeuError

log = logging.getLogger(__name__)

LANGUAGES: dict[str, str] = {"kk": "Қазақша", "ru": "Русский", "en": "English"}
SOURCES = resources.path("i18n")


def lrelease_binary() -> Path:
    return Path(PySide6.__file__).resolve().parent / "lrelease"


def compile_translations(out_dir: Path, sources: Path = SOURCES) -> dict[str, Path]:
    """Compile every stale ``tergeu_<lang>.ts`` into ``out_dir``; return language → ``.qm`` path."""
    out_dir.mkdir(parents=True, exist_ok=True)
    compiled: dict[str, Path] = {}
    for ts in sorted(sources.glob("tergeu_*.ts")):
        lang = ts.stem.removeprefix("tergeu_")
        qm = out_dir / f"{ts.stem}.qm"
        if not qm.exists() or qm.stat().st_mtime < ts.stat().st_mtime:
            result = subprocess.run(
                [str(lrelease_binary()), "-silent", str(ts), "-qm", str(qm)],
                capture_output=True,
                text=True,
                check=False,
            )
            if result.returncode != 0 or not qm.exists():
                raise TergeuError(f"cannot compile translation {ts.name}: {result.stderr.strip()}")
        compiled[lang] = qm
    return compiled


class Translations:
    """Holds the installed translator and switches it at runtime."""

    def __init__(self, qm_files: dict[str, Path]) -> None:
        self._qm = qm_files
        self._translators: list[QTranslator] = []
        self.language = "en"

    def switch(self, language: str) -> None:
        """Install Tergeu's and Qt's own translations (dialog buttons) for ``language``."""
        if language not in LANGUAGES:
            raise TergeuError(
                f"unknown language {language!r}; expected one of {', '.join(LANGUAGES)}"
            )
        app = QCoreApplication.instance()
        for old in self._translators:
            if app is not None:
                app.removeTranslator(old)
        self._translators = []
        if language != "en":
            ours = QTranslator()
            if not ours.load(str(self._qm[language])):
                raise TergeuError(f"cannot load translation {self._qm[language]}")
            qt_own = QTranslator()
            qt_dir = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
            loaded_qt = qt_own.load(f"qtbase_{language}", qt_dir)
            for translator in (ours, qt_own) if loaded_qt else (ours,):
                if app is not None:
                    app.installTranslator(translator)
                self._translators.append(translator)
        self.language = language
        log.info("interface language: %s", language)
