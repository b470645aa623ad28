"""The protocol package's error root. Every message names the field, the value and the rule."""

from __future__ import annotations


class ProtocolError(Exception):
    """Root of every error raised by ``protocol``."""


class UnreadableContainerError(ProtocolError):
    """The file is not readable as a Tergeu container (``tergeu verify`` exits 2)."""


class FromLogError(ProtocolError):
    """An action folder cannot be turned into a protocol (names the log entry or file and why)."""
