"""Tergeu desktop app: Qt UI (app.ui) over a Qt-free session core (app.core)."""
