"""The recorder's error root. Every message names the bad value and what was expected."""

from __future__ import annotations


class RecorderError(Exception):
    """Root of every error raised by ``recorder``."""


class UnreadableError(RecorderError):
    """The input is not readable as a recording (``tergeu verify`` exits 2)."""
