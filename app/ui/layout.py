"""Window layouts remembered between runs (size and position of each kind of window).

The desktop app names its settings file at start (``ui.ini`` in the data folder) as a property of
the application; without one (a library use, a test that does not ask for it) nothing is stored.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QSettings
from PySide6.QtWidgets import QWidget

PROPERTY = "tergeu_ui_settings"


def _settings() -> QSettings | None:
    app = QCoreApplication.instance()
    path = app.property(PROPERTY) if app is not None else None
    return QSettings(str(path), QSettings.Format.IniFormat) if path else None


class _Keeper(QObject):
    def __init__(self, window: QWidget, name: str) -> None:
        super().__init__(window)
        self.name = name

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Close and isinstance(watched, QWidget):
            settings = _settings()
            if settings is not None:
                settings.setValue(f"{self.name}/geometry", watched.saveGeometry())
                settings.sync()
        return False


def remember_layout(window: QWidget, name: str) -> None:
    """Restore ``window``'s last geometry for windows called ``name``, and save it on close."""
    settings = _settings()
    if settings is not None:
        geometry = settings.value(f"{name}/geometry")
        if geometry is not None:
            window.restoreGeometry(geometry)
    window.installEventFilter(_Keeper(window, name))
