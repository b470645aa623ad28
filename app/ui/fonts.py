"""Registers the bundled Noto Sans so Kazakh letters render on machines without system fonts."""

from __future__ import annotations

from PySide6.QtGui import QFont, QFontDatabase

import resources

FONT_FILES = ("NotoSans-Regular.ttf", "NotoSans-Bold.ttf", "NotoSans-Italic.ttf")


def install_bundled_font(point_size: int = 10) -> QFont:
    """Load the bundled family into Qt and return it as the application font."""
    family = ""
    for name in FONT_FILES:
        font_id = QFontDatabase.addApplicationFont(str(resources.path("fonts", name)))
        if font_id >= 0 and not family:
            family = QFontDatabase.applicationFontFamilies(font_id)[0]
    font = QFont(family or "Noto Sans", point_size)
    return font
