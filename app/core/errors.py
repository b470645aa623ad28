"""The app core's error root. The UI shows these in one dialog; the CLI prints them as one line."""

from __future__ import annotations


class TergeuError(Exception):
    """Root of every error raised by ``app.core``."""


class ConfigError(TergeuError):
    """The config file or one of its values is invalid."""


class StorageError(TergeuError):
    """The database or the data folder cannot be used."""
