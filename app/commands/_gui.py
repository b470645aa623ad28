"""Starting the desktop app (``tergeu`` with no subcommand)."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

from app.core.cases import check_erdr_number, check_iin
from app.core.config import load_config
from app.core.errors import TergeuError
from app.core.logs import setup_logging
from app.core.paths import DataPaths, default_config_file
from app.core.storage.db import Database

log = logging.getLogger(__name__)


def run_gui(args: argparse.Namespace) -> int:
    """Open the main window; return Qt's exit code."""
    try:
        config_path = Path(args.config) if args.config else default_config_file()
        config = load_config(config_path)
        chosen = args.data_dir or os.environ.get("TERGEU_DATA_DIR") or config["storage.folder"]
        paths = DataPaths.resolve(chosen or None).ensure()
        setup_logging(paths)
        db = Database(paths.database)
    except TergeuError as e:
        print(f"tergeu: {e}", file=sys.stderr)
        return 2

    from PySide6.QtCore import QSettings, QTimer
    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QApplication

    import resources
    from app.ui.fonts import install_bundled_font
    from app.ui.i18n import Translations, compile_translations
    from app.ui.main_window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName("Tergeu")
    app.setOrganizationName("Tergeu")
    app.setFont(install_bundled_font())
    app.setWindowIcon(QIcon(str(resources.path("icons", "tergeu.svg"))))
    settings = QSettings(str(paths.root / "ui.ini"), QSettings.Format.IniFormat)
    app.setProperty("tergeu_ui_settings", str(paths.root / "ui.ini"))  # app/ui/layout.py
    translations = Translations(compile_translations(paths.translations))
    language = str(settings.value("language", config["ui.language"]))
    translations.switch(language if language in ("kk", "ru", "en") else "ru")

    window = MainWindow(
        db, translations, check_erdr_number, check_iin, paths.actions, config, config_path
    )
    geometry = settings.value("geometry")
    if geometry is not None:
        window.restoreGeometry(geometry)
    window.show()
    window.recover_interrupted()
    log.info("main window shown (data folder %s)", paths.root)

    screenshot = os.environ.get("TERGEU_SCREENSHOT")
    if screenshot:
        # Diagnostic hook for the real-window test under Xvfb: grab the whole X screen (as a
        # person would see it), then quit.
        def grab() -> None:
            screen = app.primaryScreen()
            screen.grabWindow(0).save(screenshot)
            app.quit()

        QTimer.singleShot(int(os.environ.get("TERGEU_SCREENSHOT_DELAY_MS", "1500")), grab)

    code = app.exec()
    settings.setValue("geometry", window.saveGeometry())
    settings.setValue("language", translations.language)
    db.close()
    return code
