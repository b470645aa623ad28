"""The one session clock that times every track and every log entry.

Session time is seconds since the recording started, read from the monotonic clock, and mapped to
UTC exactly once at the start. Segment boundaries are computed from session time, never by summing
durations, so tracks stay in sync over hours and across reconnects, and a wall-clock jump (NTP,
daylight saving) can neither reorder nor stretch the record.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta


@dataclass(frozen=True)
class SessionClock:
    """Monotonic session clock with a single UTC anchor."""

    origin_monotonic: float
    origin_utc: datetime

    def __post_init__(self) -> None:
        if self.origin_utc.tzinfo is None or self.origin_utc.utcoffset() != timedelta(0):
            raise ValueError(f"origin_utc must be an aware UTC datetime, got {self.origin_utc!r}")

    @classmethod
    def start(cls) -> SessionClock:
        """Start a clock now: session time 0 is this instant."""
        return cls(origin_monotonic=time.monotonic(), origin_utc=datetime.now(UTC))

    def now(self) -> float:
        """Seconds since the session started."""
        return time.monotonic() - self.origin_monotonic

    def to_utc(self, t: float) -> datetime:
        """The UTC instant of session time ``t``."""
        return self.origin_utc + timedelta(seconds=t)

    def from_monotonic(self, monotonic: float) -> float:
        """Session time of a ``time.monotonic()`` reading."""
        return monotonic - self.origin_monotonic


def format_utc(instant: datetime) -> str:
    """RFC 3339 UTC with microseconds and a ``Z`` suffix, the form used throughout the log."""
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_utc(text: str, *, what: str) -> datetime:
    """Parse :func:`format_utc` output strictly; ``what`` names the field in the error."""
    try:
        parsed = datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ")
    except (TypeError, ValueError) as e:
        raise ValueError(
            f"{what}: {text!r} is not a UTC time like 2026-11-29T05:41:41.123456Z"
        ) from e
    return parsed.replace(tzinfo=UTC)
