"""Reading an action log while its recorder is still writing it (tests only)."""

from __future__ import annotations

from pathlib import Path

from recorder.errors import RecorderError
from recorder.kinds import LogFormatError
from recorder.log import LogEntry, read_log


def entries_now(action: Path) -> list[LogEntry]:
    """The complete entries so far; [] while the writer is between the bytes of one line."""
    try:
        return read_log(action)
    except (LogFormatError, RecorderError):
        return []
