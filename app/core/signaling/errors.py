"""Errors of live sessions: signaling, invites and the hub."""

from __future__ import annotations

from app.core.errors import TergeuError


class SessionError(TergeuError):
    """Root of live-session errors. ``code`` is a stable machine-readable name for the page."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class ProtocolViolation(SessionError):
    """A signaling message is malformed, unknown, too large or out of order."""


class InviteError(SessionError):
    """An invite token, PIN or reconnect credential is refused."""

    def __init__(self, code: str, message: str, *, attempts_left: int | None = None) -> None:
        super().__init__(code, message)
        self.attempts_left = attempts_left


class ActRefused(SessionError):
    """A guest's act (acknowledgment, read-back reply) is not accepted; the page shows why."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(code, message)
