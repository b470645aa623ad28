"""The one place the interface shows an error: a plain dialog, never a traceback."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget


def show_error(parent: QWidget | None, message: str) -> None:
    """Show ``message`` in a modal warning dialog (object name ``errorDialog`` for tests)."""
    box = QMessageBox(parent)
    box.setObjectName("errorDialog")
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle("Tergeu")
    box.setText(message)
    box.exec()
